package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestFormControlCharacters: a form field with a NUL or another control
// character is refused before any handler runs — 400 with the Dutch
// message naming the field, nothing stored — for plain and multipart
// forms, on both databases. (Before, SQLite stored the NUL and PostgreSQL
// failed with a 500.)
func TestFormControlCharacters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		clinic := w.login("clinic")
		for _, bad := range []string{"Test\x00Moeder", "Test\x1bMoeder", "Test\x7f\x08Moeder"} {
			r := clinic.post("/births", notification(bad, "2026-03-01"))
			wantStatus(t, "form with "+bad, r, http.StatusBadRequest)
			wantIn(t, "form with "+bad, r, "Het veld mother.name bevat een onzichtbaar stuurteken")
		}
		// A multipart form: a text field with a NUL.
		clinic.get("/births/upload")
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("csrf", clinic.csrf)
		_ = mw.WriteField("accept_partial", "o\x00n")
		fw, _ := mw.CreateFormFile("file", "geboortes.csv")
		_, _ = io.WriteString(fw, "naam_moeder\n")
		_ = mw.Close()
		r := clinic.do(http.MethodPost, "/births/upload", mw.FormDataContentType(), &buf)
		wantStatus(t, "upload form with a NUL", r, http.StatusBadRequest)
		wantIn(t, "upload form with a NUL", r, "Het veld accept_partial bevat een onzichtbaar stuurteken")
		if n, _ := allSubmissions(db, w.users.Actor(t, "clinic")); len(n) != 0 {
			t.Errorf("a refused form stored %d notifications", len(n))
		}
	})
}
