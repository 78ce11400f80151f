package web_test

import (
	"bytes"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// confirmDeprivation posts the confirmation form of a preview page, with
// its hidden fields changed by change.
func (w *fsWorld) confirmDeprivation(t *testing.T, who, page string, change url.Values) fsResp {
	t.Helper()
	i := strings.Index(page, `id="deprivation-confirm"`)
	if i < 0 {
		t.Fatalf("no confirmation form:\n%s", pageText(page))
	}
	form := page[i:]
	form = form[:strings.Index(form, "</form>")]
	f := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z]+)" value="([^"]*)">`).FindAllStringSubmatch(form, -1) {
		f.Set(m[1], html.UnescapeString(m[2]))
	}
	for k, v := range change {
		f[k] = v
	}
	req := httptest.NewRequest("POST", "/outreach/deprivation", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.do(t, req, who)
}

// TestDeprivationPreview: an import first shows, per year, the rows
// before and after and the municipalities added, removed and changed, and
// stores nothing; "Bevestigen" imports; a confirmation made on figures
// that changed since shows the new comparison instead; a file over the
// limit keeps the form and says the limit.
func TestDeprivationPreview(t *testing.T) {
	w := newFsWorld(t)
	count := func(year int) int {
		var n int
		if err := w.db.SQL().QueryRow("SELECT count(*) FROM deprivation_index WHERE year = $1", year).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count(2024)
	if before != 5 {
		t.Fatalf("the test world has %d values for 2024, want 5", before)
	}
	// 2024 with two municipalities only: three are removed, one changes; 2022 is new.
	file := []byte("NIS;Jaar;Index\n13013;2024;7,7\n12014;2024;9,1\n13016;2022;6,5\n")
	r := w.fsUpload(t, "admin", "index.csv", file, "fictief — testgegevens")
	if r.Code != http.StatusOK || count(2024) != before {
		t.Fatalf("preview: %d, %d values for 2024", r.Code, count(2024))
	}
	text := pageText(r.Body)
	for _, want := range []string{"Wat dit bestand vervangt", "Er is nog niets ingevoerd.", "2022 (nieuw jaar) 0 1 1 0 0 0", "Weg in 2024:", "Bevestigen", "Annuleren"} {
		if !strings.Contains(text, want) {
			t.Errorf("the preview lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(r.Body, `<tr data-year="2024"><th scope="row">2024</th><td class="num" data-before="5">5</td><td class="num" data-after="2">2</td>`) {
		t.Errorf("2024 should go from 5 rows to 2:\n%s", text)
	}
	// A confirmation on an older state shows the comparison again.
	stale := w.confirmDeprivation(t, "admin", r.Body, url.Values{"fingerprint": {"0000"}})
	if stale.Code != http.StatusOK || !strings.Contains(stale.Body, `id="preview-stale"`) || count(2024) != before {
		t.Fatalf("a stale confirmation: %d, %d values", stale.Code, count(2024))
	}
	ok := w.confirmDeprivation(t, "admin", stale.Body, nil)
	if ok.Code != http.StatusSeeOther || count(2024) != 2 || count(2022) != 1 {
		t.Fatalf("confirmation: %d, %d values for 2024, %d for 2022\n%s", ok.Code, count(2024), count(2022), pageText(ok.Body))
	}

	// Over the limit: the form comes back with the source typed and the limit.
	big := bytes.Repeat([]byte("NIS;Jaar;Index\n"), (8<<20)/15+10)
	r = w.fsUpload(t, "admin", "groot.csv", big, "Mijn bron")
	if r.Code != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "groter dan 8 MB") || !strings.Contains(r.Body, `value="Mijn bron"`) || !strings.Contains(r.Body, `id="deprivation-upload"`) {
		t.Errorf("too large: %d\n%s", r.Code, pageText(r.Body))
	}
}
