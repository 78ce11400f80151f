package api

// openstats area: the open statistics (issue 13), anonymous and public.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/export"
	"kansrijk/internal/notify"
	"kansrijk/internal/opendata"
)

// openStatsCache keeps the published quarters of the open statistics for a while
// (opendata.CacheTTL).
type openStatsCache = opendata.Cache

// openStatsParams are the query parameters the open statistics accept.
var openStatsParams = map[string]bool{"from": true, "to": true, "format": true}

// publicStatistics: the open statistics, anonymous, as JSON, CSV or XLSX.
func (a *API) publicStatistics(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var ps []*apperr.Error
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !openStatsParams[k] {
			ps = append(ps, apperr.FieldErr(apperr.Invalid, k, "unknown parameter %q: from, to and format are accepted", k))
		} else if len(q[k]) > 1 {
			ps = append(ps, apperr.FieldErr(apperr.Invalid, k, "%s given more than once", k))
		}
	}
	format := q.Get("format")
	switch format {
	case "", "json", "csv", "xlsx":
	default:
		ps = append(ps, apperr.FieldErr(apperr.Invalid, "format", "format must be json, csv or xlsx, got %q", format))
	}
	if len(ps) > 0 {
		return apperr.Join(ps)
	}
	from, to, err := opendata.Window(q.Get("from"), q.Get("to"), a.today())
	if err != nil {
		return err
	}
	st, err := a.openStats(r.Context(), from, to)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	name := "open-statistieken-" + st.From + "-" + st.To
	switch format {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		err = export.WriteCSV(&buf, opendata.Table(st))
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		err = export.WriteXLSX(&buf, opendata.Table(st))
	default:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		err = enc.Encode(st)
	}
	if err != nil {
		return err
	}
	writePublic(w, r, buf.Bytes())
	return nil
}

// writePublic answers a public, anonymous document with an ETag and a cache lifetime, or 304
// when the caller has it already.
func writePublic(w http.ResponseWriter, r *http.Request, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "public, max-age=600")
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// openStats returns the statistics of a window, from quarters published less than
// opendata.CacheTTL ago when it can.
func (a *API) openStats(ctx context.Context, from, to time.Time) (opendata.Statistics, error) {
	return a.openStatsCache.Load(ctx, opendata.Sources{Outcomes: a.Outcomes, Agreements: a.Agreements, Municipalities: a.Municipalities},
		from, to, a.Now(), a.baseURL()+opendata.SchemaPath)
}

// baseURL is where people reach Kansrijk (the configured base of the links in e-mails), for
// the absolute URLs of the metadata; never taken from the request's Host.
func (a *API) baseURL() string {
	if a.Mailing != nil && a.Mailing.BaseURL != "" {
		return strings.TrimRight(a.Mailing.BaseURL, "/")
	}
	return notify.DefaultBaseURL
}

// publicStatisticsSchema: the JSON Schema of the open statistics.
func (a *API) publicStatisticsSchema(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/schema+json")
	writePublic(w, r, opendata.SchemaJSON)
	return nil
}

// publicStatisticsDCAT: the DCAT-AP metadata of the open statistics, as JSON-LD.
func (a *API) publicStatisticsDCAT(w http.ResponseWriter, r *http.Request) error {
	b, err := json.MarshalIndent(opendata.DCAT(a.baseURL(), opendata.LastMonth(a.today())), "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/ld+json")
	writePublic(w, r, append(b, '\n'))
	return nil
}
