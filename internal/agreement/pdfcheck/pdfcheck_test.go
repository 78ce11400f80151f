package pdfcheck_test

import (
	"bytes"
	"testing"
	"time"

	"kansrijk/internal/agreement/pdfcheck"
	"kansrijk/internal/paperwork"
)

func receipt(t *testing.T) []byte {
	t.Helper()
	pdf, err := paperwork.Receipt(paperwork.ReceiptInput{Lang: "nl", Code: "KR-AB2C-DE3F-GH4J", TeamName: "Lokaal team Noord",
		RecipientName: "OCMW Hulshout", MunicipalityName: "Hulshout", ConsentOn: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Method: "verbal", RetentionDays: 90, StatusURL: "https://kansrijk.example/ontvangstbewijs", GeneratedOn: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Parents: []paperwork.ReceiptParent{{Name: "Fictieve Ouder", Address: "Teststraat 1, 2235 Hulshout"}}})
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

func TestCheck(t *testing.T) {
	pdf := receipt(t)
	if err := pdfcheck.Check(pdf); err != nil {
		t.Fatalf("a PDF of internal/paperwork is refused: %v", err)
	}
	bad := map[string][]byte{
		"header and garbage":    []byte("%PDF-1.7\nDit is geen PDF, alleen een kop.\n%%EOF\n"),
		"header, zeros":         append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 4096)...),
		"truncated":             pdf[:len(pdf)/2],
		"body replaced":         append(append([]byte{}, pdf[:64]...), bytes.Repeat([]byte("x"), len(pdf)-64)...),
		"empty":                 nil,
		"text":                  []byte("hello"),
		"header, binary tail":   append([]byte("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"), bytes.Repeat([]byte{0xff, 0x00, 0x7f}, 3000)...),
		"header, fake trailer":  []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"),
		"header, dangling xref": []byte("%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Root 9 0 R >>\nstartxref\n9\n%%EOF\n"),
	}
	for name, b := range bad {
		if err := pdfcheck.Check(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte("%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n9\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = pdfcheck.Check(b) // never panics
	})
}
