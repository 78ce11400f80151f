package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestBirthUploadCorpus: the upload page states its limits and carries
// the progress bar; Excel's files as written go in with their warnings; a
// file over the limit shows the form again with the limits, ticked boxes
// kept; an unknown column names the expected ones.
func TestBirthUploadCorpus(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		*w.now = time.Date(2026, 12, 10, 10, 0, 0, 0, time.UTC)
		clinic := w.login("clinic")
		r := clinic.get("/births/upload")
		wantStatus(t, "upload form", r, 200)
		wantIn(t, "upload form", r, "Hoogstens 5 MB en 5000 rijen per bestand.", `data-upload-progress`, `data-max-bytes="5242880"`,
			`<progress id="births-upload-bar"`, `<script src="/static/upload.js" defer></script>`, "<code>referentie</code>", "Excel-datum")

		file, err := os.ReadFile(filepath.Join("..", "birth", "testdata", "FICTIEF_excel_windows1252.csv"))
		if err != nil {
			t.Fatal(err)
		}
		r = clinic.upload(string(file), true)
		wantStatus(t, "Excel CSV", r, 200)
		wantIn(t, "Excel CSV", r, `id="batch-warnings"`, `<tr data-row="4" data-code="phone_repaired"><td>4</td><td><code>Telefoon moeder</code></td>`,
			"miste de 0 vooraan (Excel laat die weg): gelezen als &#43;32471234567.", `<tr data-row="6" data-code="phone_invalid">`,
			"wetenschappelijke notatie", `id="batch-row-4" data-status="created"`, `id="batch-row-6" data-status="rejected"`)

		// Over the limit: the form again, with the limits and the box ticked.
		r = clinic.upload(strings.Repeat("a;b;c\r\n", 8<<20/7), true)
		wantStatus(t, "too large", r, 413)
		wantIn(t, "too large", r, `id="births-upload"`, "Het bestand is groter dan 5 MB. Splits het op in bestanden van hoogstens 5 MB en 5000 rijen.",
			`id="accept-partial" name="accept_partial" aria-describedby="accept-partial-hint" checked`, `aria-invalid="true"`)
		wantNotIn(t, "too large", r, "{N}", "{MB}")

		r = clinic.upload("Naam moeder;Straat moeder;Geslacht kind\r\nA;B;x\r\n", false)
		wantStatus(t, "unknown column", r, 400)
		wantIn(t, "unknown column", r, "De kolom &#39;Geslacht kind&#39; kent Kansrijk niet. Gebruik de kolommen: moeder_naam, moeder_straat,")
		header := "moeder_naam;moeder_straat;moeder_huisnummer;moeder_postcode;moeder_nis;moeder_taal;geboortedatum\r\n"
		r = clinic.upload(header+strings.Repeat("A;B;1;2235;13016;nl;2026-12-01\r\n", 5001), false)
		wantStatus(t, "too many rows", r, 400)
		wantIn(t, "too many rows", r, "Het bestand heeft meer dan 5000 rijen.")
		wantNotIn(t, "too many rows", r, "{N}")
	})
}
