package api

import (
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/municipality"
	"kansrijk/internal/page"
	"kansrijk/internal/parliament"
	"kansrijk/internal/parliament/pack"
)

// parliamentPackRequest is the body of POST /api/v1/reports/parliament-packs.
type parliamentPackRequest struct {
	AsOf string `json:"as_of"`
	From string `json:"from"`
	To   string `json:"to"`
}

// packs returns the pack service, or not_found where none is wired.
func (a *API) packs() (*pack.Service, error) {
	if a.Parliament == nil {
		return nil, apperr.New(apperr.NotFound, "parliamentary answer packs are not available here")
	}
	return a.Parliament, nil
}

// createParliamentPack makes a pack for as_of (optionally with the families' figures over
// from..to) and answers 201 with the stored pack. Opgroeien's admins and analysts.
func (a *API) createParliamentPack(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	svc, err := a.packs()
	if err != nil {
		return err
	}
	if !parliament.CanMake(c) {
		_, err := svc.Make(r.Context(), c, time.Time{}, time.Time{}, time.Time{}) // refused and audited
		return err
	}
	var in parliamentPackRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	var problems []*apperr.Error
	date := func(field, s string, required bool) time.Time {
		if s == "" {
			if required {
				problems = append(problems, apperr.FieldErr(apperr.Invalid, field, "%s is required", field))
			}
			return time.Time{}
		}
		d, err := municipality.ParseDate(s)
		if err != nil {
			problems = append(problems, apperr.FieldErr(apperr.InvalidDate, field, "%s must be a date YYYY-MM-DD, got %q", field, s))
		}
		return d
	}
	asOf, from, to := date("as_of", in.AsOf, true), date("from", in.From, false), date("to", in.To, false)
	if err := apperr.Join(problems); err != nil {
		return err
	}
	p, err := svc.Make(r.Context(), c, asOf, from, to)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
	return nil
}

// listParliamentPacks lists the packs, newest first (limit, cursor, sort -created or as_of,
// q on the date). Opgroeien's admins and analysts.
func (a *API) listParliamentPacks(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	svc, err := a.packs()
	if err != nil {
		return err
	}
	req, err := page.Parse(r.URL.Query(), parliament.Sorts...)
	if err != nil {
		return err
	}
	res, err := svc.Store.ParliamentPacks(r.Context(), c, req)
	if err != nil {
		return err
	}
	writePage(w, "packs", res.Items, res.NextCursor(), nil)
	return nil
}

// parliamentPackFile serves one file of a pack byte for byte as stored, with its SHA-256 in
// Repr-Digest (RFC 9530). Opgroeien's admins and analysts.
func (a *API) parliamentPackFile(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, id, err := callerWithID(w, r, nil)
		if err != nil {
			return err
		}
		svc, err := a.packs()
		if err != nil {
			return err
		}
		f, err := svc.Store.ParliamentPackFile(r.Context(), c, id, kind)
		if err != nil {
			return err
		}
		WriteParliamentFile(w, f)
		return nil
	}
}

// WriteParliamentFile writes a pack's file as a download (the API's and the web page's).
func WriteParliamentFile(w http.ResponseWriter, f parliament.File) {
	h := w.Header()
	h.Set("Content-Type", parliament.ContentType(f.Kind))
	h.Set("Content-Disposition", `attachment; filename="`+f.Name()+`"`)
	h.Set("Content-Length", strconv.Itoa(len(f.Bytes)))
	if sum, err := hex.DecodeString(f.SHA256); err == nil {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(sum)+":")
	}
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Bytes)
}
