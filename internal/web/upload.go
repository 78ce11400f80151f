package web

import (
	"encoding/base64"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/httpx"
)

// upload is the file of an upload form, read by signedInUpload.
type upload struct {
	// Name is the file's name as the browser sent it.
	Name string
	// Data is the file's content; empty when TooLarge.
	Data []byte
	// TooLarge reports that the file was larger than the form's limit. The other fields of
	// the form are kept, so that the page can be shown again with them and the error.
	TooLarge bool
	// Sent reports whether a file (or the content of a file sent before) came with the form.
	Sent bool
}

// maxUploadField bounds a form field other than the file; the field "content" (a file
// carried over from a previous step, base64) may be as large as the file's limit allows.
const maxUploadField = 64 << 10

// signedInUpload is signedIn for a form with a file field "file" of at most limit bytes. The
// body is read part by part instead of with ParseMultipartForm, so that a file over the limit
// does not turn into a bare error page: the handler gets the other fields (in r.PostForm) and
// up.TooLarge, and shows the form again with its values and the limit. The rest of an
// oversized file is read and dropped up to a bound of a few times the limit; past that the
// connection is answered as soon as the fields before the file are known.
//
// A form may carry a file it sent before in the hidden field "content" (base64) with
// "filename": a step that asks the user something about the file (a choice, a confirmation)
// and sends the same file again, so that the server keeps nothing between the steps.
func (ui *UI) signedInUpload(limit int64, h func(http.ResponseWriter, *http.Request, account.Actor, upload)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := httpx.Actor(r)
		if !ok || a.Via != "session" {
			ui.renderError(w, r, http.StatusUnauthorized, "error.unauthorized")
			return
		}
		up, vals, err := readUploadForm(w, r, limit)
		if err != nil {
			ui.renderError(w, r, http.StatusBadRequest, "error.body_too_large")
			return
		}
		r.PostForm, r.Form = vals, vals
		if tok := vals.Get("csrf"); tok == "" || tok != httpx.CSRF(r) {
			ui.renderError(w, r, http.StatusForbidden, "error.csrf")
			return
		}
		content := vals.Get("content")
		vals.Del("content") // not echoed into pages as a form value
		if !up.Sent && !up.TooLarge && content != "" {
			data, err := base64.StdEncoding.DecodeString(content)
			switch {
			case err != nil:
				ui.renderError(w, r, http.StatusBadRequest, "error.body_too_large")
				return
			case int64(len(data)) > limit:
				up.TooLarge = true
			default:
				up.Data, up.Sent, up.Name = data, true, vals.Get("filename")
			}
		}
		if err := httpx.CheckForm(r); err != nil {
			ui.fail(w, r, err)
			return
		}
		h(w, r, a, up)
	}
}

// readUploadForm reads a multipart or URL-encoded form. The error is for a body that is not a
// form at all; an oversized file or body is up.TooLarge.
func readUploadForm(w http.ResponseWriter, r *http.Request, limit int64) (upload, url.Values, error) {
	var up upload
	vals := url.Values{}
	bound := 3*limit + 1<<20 // the file, its base64 copy in "content" and the other fields
	r.Body = http.MaxBytesReader(w, r.Body, bound)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				up.TooLarge = true
				return up, vals, nil
			}
			return up, vals, err
		}
		return up, r.PostForm, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return up, vals, err
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return up, vals, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				up.TooLarge = true
				return up, vals, nil
			}
			return up, vals, err
		}
		if err := readPart(part, &up, vals, limit); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				up.TooLarge, up.Data = true, nil
				return up, vals, nil
			}
			return up, vals, err
		}
	}
}

// readPart reads one part of a multipart form into up or vals.
func readPart(part *multipart.Part, up *upload, vals url.Values, limit int64) error {
	defer part.Close()
	name := part.FormName()
	if name == "file" {
		if part.FileName() == "" { // no file chosen
			_, err := io.Copy(io.Discard, part)
			return err
		}
		up.Name, up.Sent = part.FileName(), true
		data, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return err
		}
		if int64(len(data)) > limit {
			up.TooLarge, up.Data = true, nil
			_, err := io.Copy(io.Discard, part)
			return err
		}
		up.Data = data
		return nil
	}
	max := int64(maxUploadField)
	if name == "content" {
		max = 2*limit + 1<<10
	}
	b, err := io.ReadAll(io.LimitReader(part, max+1))
	if err != nil {
		return err
	}
	if int64(len(b)) > max {
		return &http.MaxBytesError{Limit: max}
	}
	vals.Add(name, string(b))
	return nil
}
