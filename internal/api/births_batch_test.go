package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// postBatch sends a batch file with a Content-Type and an Accept-Language.
func (f *refFixture) postBatch(t *testing.T, target, contentType, acceptLanguage string, body []byte) refResp {
	t.Helper()
	req := httptest.NewRequest("POST", target, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	req.Header.Set("Authorization", "Bearer "+f.users["clinic/own"].Token)
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return refResp{rec.Code, rec.Result().Header, rec.Body.Bytes()}
}

func corpusFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "birth", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBirthBatchAPICorpus: Excel's files as they are written go in, with
// warnings where a telephone number was repaired and the number stored in
// E.164; file-level errors speak Dutch when asked (Accept-Language).
func TestBirthBatchAPICorpus(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newBirthFixture(t, db)
		db.Now = func() time.Time { return time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC) }
		const route = "/api/v1/birth-notifications/batches"
		type report struct {
			Created, Rejected int
			Encoding          string
			Separator         string
			Warnings          []struct {
				Row                   int
				Column, Code, Message string
			}
			Problems []struct {
				Row                   int
				Column, Code, Message string
			}
		}
		read := func(r refResp) report {
			t.Helper()
			var rep report
			if err := json.Unmarshal(r.Body, &rep); err != nil {
				t.Fatal(err)
			}
			return rep
		}
		r := f.postBatch(t, route+"?accept_partial=true", "text/csv", "", corpusFile(t, "FICTIEF_excel_windows1252.csv"))
		if r.Code != http.StatusCreated {
			t.Fatalf("Excel CSV: %s", r)
		}
		f.checkSchema(t, "POST", route, r)
		rep := read(r)
		if rep.Created != 2 || rep.Rejected != 1 || rep.Encoding != "Windows-1252" || len(rep.Warnings) != 1 || rep.Warnings[0].Code != apperr.PhoneRepaired ||
			rep.Warnings[0].Row != 4 || rep.Problems[0].Code != apperr.PhoneInvalid || rep.Problems[0].Row != 6 {
			t.Fatalf("Excel CSV report %s", r)
		}
		if n := MustCountAPI(t, db, `SELECT count(*) FROM birth_parents WHERE phone = '+32471234567' AND name = 'Zoë Claeßens'`); n != 1 {
			t.Errorf("the repaired number is not stored in E.164 with the name in Windows-1252 read right (%d)", n)
		}
		r = f.postBatch(t, route, "text/tab-separated-values", "", corpusFile(t, "FICTIEF_excel_unicode.txt"))
		if r.Code != http.StatusCreated {
			t.Fatalf("Unicode text: %s", r)
		}
		f.checkSchema(t, "POST", route, r)
		if rep := read(r); rep.Created != 3 || rep.Separator != "\t" || rep.Encoding != "UTF-16LE" || len(rep.Warnings) != 2 {
			t.Fatalf("Unicode text report %s", r)
		}

		// File-level errors: English by default, Dutch on request; the
		// code and field stay.
		unknown := []byte("moeder_naam;moeder_straat;geslacht_kind\nA;B;x\n")
		type apiErr struct {
			Error struct{ Code, Message, Field string } `json:"error"`
		}
		errOf := func(r refResp) apiErr {
			t.Helper()
			var e apiErr
			if err := json.Unmarshal(r.Body, &e); err != nil {
				t.Fatalf("%s: %v", r, err)
			}
			return e
		}
		for _, tc := range []struct {
			lang, want string
		}{
			{"", "column \"geslacht_kind\" is unknown; the columns are mother_name, mother_street,"},
			{"en-GB,en;q=0.9", "column \"geslacht_kind\" is unknown"},
			{"fr-BE", "column \"geslacht_kind\" is unknown"},
			{"nl-BE,nl;q=0.9,en;q=0.8", "De kolom 'geslacht_kind' kent Kansrijk niet. Gebruik de kolommen: moeder_naam, moeder_straat,"},
			{"fr, nl;q=0.8", "De kolom 'geslacht_kind' kent Kansrijk niet."},
		} {
			r := f.postBatch(t, route, "text/csv", tc.lang, unknown)
			e := errOf(r)
			if r.Code != http.StatusBadRequest || e.Error.Code != apperr.UnknownColumn || e.Error.Field != "geslacht_kind" || !strings.Contains(e.Error.Message, tc.want) {
				t.Errorf("Accept-Language %q: %s", tc.lang, r)
			}
		}
		header := "mother_name;mother_street;mother_number;mother_postcode;mother_municipality_nis;mother_language;child_birth_date\n"
		r = f.postBatch(t, route, "text/csv", "nl", []byte(header+strings.Repeat("a;b;1;2235;13016;nl;2026-12-01\n", 5001)))
		if e := errOf(r); r.Code != http.StatusBadRequest || e.Error.Code != apperr.TooManyRows ||
			e.Error.Message != "Het bestand heeft meer dan 5000 rijen. Splits het op in bestanden van hoogstens 5000 rijen." {
			t.Errorf("too many rows: %s", r)
		}
		r = f.postBatch(t, route, "text/csv", "nl", bytes.Repeat([]byte("a;"), 3<<20))
		if e := errOf(r); r.Code != http.StatusRequestEntityTooLarge || e.Error.Code != apperr.TooLarge ||
			e.Error.Message != "Het bestand is groter dan 5 MB. Splits het op in bestanden van hoogstens 5 MB en 5000 rijen." {
			t.Errorf("too large: %s", r)
		}
		r = f.postBatch(t, route, "text/csv", "", bytes.Repeat([]byte("a;"), 3<<20))
		if e := errOf(r); r.Code != http.StatusRequestEntityTooLarge || !strings.Contains(e.Error.Message, "larger than 5 MB") {
			t.Errorf("too large, English: %s", r)
		}
	})
}
