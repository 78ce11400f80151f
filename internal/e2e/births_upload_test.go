package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/demo"
)

// chooseBatchFile puts a file with the given bytes into a file input.
func chooseBatchFile(t *testing.T, b *browsertest.Browser, sel, name string, content []byte) {
	t.Helper()
	arr, _ := json.Marshal(content) // base64
	var n int
	b.Eval(`(() => { const bin = atob(`+string(arr)+`); const u = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
		const dt = new DataTransfer(); dt.items.add(new File([u], `+js(name)+`, {type: "text/csv"}));
		const input = document.querySelector(`+js(sel)+`); input.files = dt.files; return input.files.length; })()`, &n)
	if n != 1 {
		t.Fatalf("no file in %s", sel)
	}
}

// TestBirthUploadProgress: the upload page states its limits; with
// JavaScript a file over the limit is refused before it is sent, with
// the limits; a file Belgian Excel wrote (Windows-1252, a title line,
// a serial date, "ja, graag", "Nederlands", a telephone number without
// its 0) is sent showing its progress and comes back as the report with
// the warning. Every state is axe-clean. Not parallel: it adds a
// submission of the demo clinic, whose count TestBirths compares.
func TestBirthUploadProgress(t *testing.T) {
	b := start(t)
	login(t, b, "clinic@demo.kansrijk.test", demo.Password)
	b.Navigate(baseURL + "/births/upload")
	wantText(t, b, "#file-limit", "Hoogstens 5 MB en 5000 rijen per bestand.")
	b.Page("births-upload-limits")

	// Over the limit: refused in the browser, nothing sent.
	chooseBatchFile(t, b, "#file", "groot.csv", make([]byte, 5<<20+1))
	b.Click(`#births-upload button[type=submit]`)
	wantPath(t, b, "/births/upload")
	wantText(t, b, "#births-upload .upload-status", "Het bestand is groter dan 5 MB. Splits het op in bestanden van hoogstens 5 MB en 5000 rijen.")
	if got := attr(b, "#file", "aria-invalid"); got != "true" {
		t.Errorf("the file field is not marked invalid (aria-invalid=%q)", got)
	}
	b.Page("births-upload-too-large")

	// A file as Belgian Excel writes it, sent with progress.
	born := brusselsToday().AddDate(0, 0, -2)
	serial := int(born.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	text := "Geboortemeldingen Kraamkliniek – E2E;;;;;;;;;;\r\n;;;;;;;;;;\r\n" +
		"Naam moeder;Straat moeder;Huisnummer moeder;Postcode moeder;NIS gemeente moeder;Telefoon moeder;Taal moeder;Geboortedatum kind;Vroeg contact gevraagd;Referentie;;\r\n" +
		fmt.Sprintf("E2E Zoë Excel;Markt;5;2300;13040;471234567;Nederlands;%d;ja, graag;E2E-0001;;\r\n", serial)
	file, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	b.Navigate(baseURL + "/births/upload")
	// Remember what the progress box showed: the report replaces the page.
	b.Eval(`(() => { const box = document.querySelector("#births-upload .upload-progress");
		new MutationObserver(() => { if (!box.hidden) sessionStorage.setItem("upload-status", box.querySelector(".upload-status").textContent); })
			.observe(box, {attributes: true, subtree: true, childList: true, characterData: true}); return true; })()`, nil)
	chooseBatchFile(t, b, "#file", "excel.csv", []byte(file))
	b.Click(`#births-upload button[type=submit]`)
	wantText(t, b, "#report-summary", "1 nieuw, 0 al eerder gemeld, 0 geweigerd")
	wantText(t, b, "#batch-warnings", "miste de 0 vooraan (Excel laat die weg): gelezen als +32471234567.")
	wantText(t, b, "#batch-row-4", "Toegevoegd")
	wantPath(t, b, "/births/upload")
	var shown string
	b.Eval(`sessionStorage.getItem("upload-status") || ""`, &shown)
	if !strings.Contains(shown, "Bezig met opladen") && !strings.Contains(shown, "nagekeken") {
		t.Errorf("the progress box did not show while sending (status %q)", shown)
	}
	b.Page("births-upload-report-warnings")
}

// withoutUploadScript removes the progress box of the upload form, so
// that upload.js leaves the form to the browser, as without JavaScript.
func withoutUploadScript(b *browsertest.Browser) {
	b.Eval(`(() => { document.querySelectorAll(".upload-progress").forEach(e => e.remove()); return true; })()`, nil)
}
