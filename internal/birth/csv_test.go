package birth

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseBatchDutchBOMSemicolon(t *testing.T) {
	b, err := ParseBatch(readTestdata(t, "FICTIEF_nl_bom_puntkomma.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !b.BOM || b.Separator != ";" || len(b.Rows) != 3 {
		t.Fatalf("BOM %v separator %q rows %d", b.BOM, b.Separator, len(b.Rows))
	}
	r := b.Rows[0]
	n := r.Notification
	if r.Line != 2 || n.Mother.Name != "An Peeters" || n.Mother.MunicipalityNIS != "13016" || n.ChildBirthDate != "2025-03-01" ||
		!n.EarlyContactRequested || n.CoParent == nil || n.CoParent.Name != "Bram Peeters" || len(r.Problems) != 0 {
		t.Errorf("row 1 = %+v co-parent %+v", r, n.CoParent)
	}
	if b.Rows[1].Notification.Mother.Box != "B" || b.Rows[1].Notification.CoParent != nil || b.Rows[1].Notification.EarlyContactRequested {
		t.Errorf("row 2 = %+v", b.Rows[1])
	}
	if b.Header["mother_name"] != "Naam moeder" {
		t.Errorf("header %v", b.Header)
	}
	rep, keys := CheckBatch(b, "clinic-zonnedal", municipality.MustLoad(), date("2025-03-10"))
	if rep.Rejected != 0 || len(rep.Problems) != 0 || keys[0] == "" || keys[0] == keys[1] {
		t.Errorf("report %+v keys %v", rep, keys)
	}
}

func TestParseBatchEnglishComma(t *testing.T) {
	b, err := ParseBatch(readTestdata(t, "FICTIEF_en_komma.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if b.BOM || b.Separator != "," || len(b.Rows) != 2 {
		t.Fatalf("BOM %v separator %q rows %d", b.BOM, b.Separator, len(b.Rows))
	}
	n := b.Rows[1].Notification
	if n.Mother.Name != "Wouters, Els" || n.CoParent == nil || n.CoParent.Name != `Jan "Jos" Claes` || n.EarlyContactRequested {
		t.Errorf("row 2 = %+v %+v", n, n.CoParent)
	}
	rep, _ := CheckBatch(b, "clinic-zonnedal", municipality.MustLoad(), date("2025-03-10"))
	if rep.Rejected != 0 {
		t.Errorf("report %+v", rep.Problems)
	}
}

// TestCheckBatchReport: the row report names row, column (as in the
// file), stable code and a Dutch message.
func TestCheckBatchReport(t *testing.T) {
	b, err := ParseBatch(readTestdata(t, "FICTIEF_fouten.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rep, keys := CheckBatch(b, "clinic-zonnedal", municipality.MustLoad(), date("2025-03-10"))
	want := []Problem{
		{Row: 3, Column: "Postcode moeder", Code: apperr.PostcodeMismatch, Message: "Postcode 2000 hoort niet bij Hulshout (13016)."},
		{Row: 4, Column: "Vroeg contact", Code: apperr.BooleanInvalid, Message: "'misschien' is geen ja of nee."},
	}
	if len(rep.Problems) != len(want) {
		t.Fatalf("problems %+v", rep.Problems)
	}
	for i := range want {
		if rep.Problems[i] != want[i] {
			t.Errorf("problem %d = %+v, want %+v", i, rep.Problems[i], want[i])
		}
	}
	statuses := []string{rep.Rows[0].Status, rep.Rows[1].Status, rep.Rows[2].Status}
	if strings.Join(statuses, " ") != "created rejected rejected" || rep.Rejected != 2 || rep.RowCount != 3 {
		t.Errorf("rows %+v", rep.Rows)
	}
	if keys[0] == "" || keys[1] != "" || keys[2] != "" {
		t.Errorf("keys %q", keys)
	}
}

func TestCheckBatchDuplicateRow(t *testing.T) {
	csv := "mother_name;mother_street;mother_number;mother_postcode;mother_municipality_nis;mother_phone;mother_language;child_birth_date\n" +
		"An Peeters;Kerkstraat;12;2235;13016;0470 00 00 00;nl;2025-03-01\n" +
		"PEETERS An;Kerkstraat;12;2235;13016;0470 00 00 00;nl;01/03/2025\n"
	b, err := ParseBatch([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := CheckBatch(b, "clinic-zonnedal", municipality.MustLoad(), date("2025-03-10"))
	if len(rep.Problems) != 1 || rep.Problems[0].Code != apperr.DuplicateRow || rep.Problems[0].Row != 3 || !strings.Contains(rep.Problems[0].Message, "rij 2") {
		t.Errorf("problems %+v", rep.Problems)
	}
}

// TestParseBatchFileErrors: a file that is no batch is refused as a whole
// with its code.
func TestParseBatchFileErrors(t *testing.T) {
	header := "mother_name;mother_street;mother_number;mother_postcode;mother_municipality_nis;mother_language;child_birth_date"
	tests := []struct {
		name, code, column string
		data               []byte
	}{
		{"empty", apperr.EmptyFile, "", []byte("  \n")},
		{"header only", apperr.EmptyFile, "", []byte(header + "\n")},
		{"workbook", apperr.EncodingInvalid, "", append([]byte("PK\x03\x04\x14\x00\x06\x00"), bytes.Repeat([]byte{0, 1, 2, 3, 0x9d, 0x81}, 200)...)},
		{"utf-16 without a column", apperr.UnknownColumn, "m", append([]byte{0xFF, 0xFE}, []byte("m\x00")...)},
		{"national register number", apperr.UnknownColumn, "Rijksregisternummer", readTestdata(t, "FICTIEF_rijksregisternummer.csv")},
		{"medical data", apperr.UnknownColumn, "zwangerschapsduur", []byte(header + ";zwangerschapsduur\n")},
		{"missing column", apperr.MissingColumn, "child_birth_date", []byte("mother_name;mother_street;mother_number;mother_postcode;mother_municipality_nis;mother_language\n")},
		{"same field twice", apperr.DuplicateColumn, "naam moeder", []byte(header + ";naam moeder\n")},
		{"bad quotes", apperr.CSVMalformed, "", []byte(header + "\n\"An;b\"x;1;2235;13016;nl;2025-03-01\n")},
		{"too large", apperr.TooLarge, "", bytes.Repeat([]byte("a"), MaxBatchBytes+1)},
		{"too many rows", apperr.TooManyRows, "", []byte(header + "\n" + strings.Repeat("a;b;1;2235;13016;nl;2025-03-01\n", MaxBatchRows+1))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBatch(tc.data)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FileError", err)
			}
			if fe.Code != tc.code || fe.Column != tc.column {
				t.Fatalf("code %s column %q, want %s %q (%v)", fe.Code, fe.Column, tc.code, tc.column, err)
			}
			if fe.Message == "" || strings.HasPrefix(fe.Message, "error.") || strings.Contains(fe.Message, "{") {
				t.Errorf("Dutch message %q", fe.Message)
			}
			if ae := fe.AppErr(); ae.Code != tc.code {
				t.Errorf("AppErr code %s", ae.Code)
			}
		})
	}
}

// TestParseBatchLenientRows: short rows are padded, blank rows skipped,
// an unnamed empty column ignored; a value without a column name is a
// problem of its row.
func TestParseBatchLenientRows(t *testing.T) {
	csv := "mother_name;mother_street;mother_number;mother_postcode;mother_municipality_nis;mother_phone;mother_language;child_birth_date;;\n" +
		"An Peeters;Kerkstraat;12;2235;13016;0470 00 00 00;nl;2025-03-01\n" +
		";;;;;;;;;\n" +
		"Els Wouters;Kerkstraat;14;2235;13016;0470 00 00 01;nl;2025-03-02;;geheim\n"
	b, err := ParseBatch([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Rows) != 2 || b.Rows[1].Line != 4 || len(b.Rows[0].Problems) != 0 || len(b.Rows[1].Problems) != 1 ||
		b.Rows[1].Problems[0].Code != apperr.ColumnCount || b.Rows[1].Problems[0].Column != "kolom 10" {
		t.Fatalf("rows %+v", b.Rows)
	}
}

func TestIsoDate(t *testing.T) {
	for in, want := range map[string]string{"1/3/2025": "2025-03-01", "01-03-2025": "2025-03-01", "31.12.2024": "2024-12-31",
		"2025-03-01": "2025-03-01", "31/02/2025": "31/02/2025", "3/1/25": "3/1/25", "46362": "2026-12-06", "45717": "2025-03-01",
		"12345": "12345", "06/12/2026 0:00": "2026-12-06", "6-12-2026 00:00:00": "2026-12-06"} {
		if got := isoDate(in); got != want {
			t.Errorf("isoDate(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseBatch: whatever the bytes, parsing and checking a batch never
// panics, and a parsed batch is consistent: rows lie after the header,
// every problem points at a row of the file, a rejected row has a problem
// and an accepted one a natural key.
func FuzzParseBatch(f *testing.F) {
	for _, name := range []string{"FICTIEF_nl_bom_puntkomma.csv", "FICTIEF_en_komma.csv", "FICTIEF_fouten.csv", "FICTIEF_rijksregisternummer.csv",
		"FICTIEF_excel_windows1252.csv", "FICTIEF_excel_unicode.txt", "FICTIEF_mac_cr.csv", "FICTIEF_vijandig.csv"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte("mother_name,mother_street,mother_number,mother_postcode,mother_municipality_nis,mother_language,child_birth_date\n\"a\nb\",x,1,2235,13016,nl,1/1/2025\n"))
	f.Add([]byte("\xef\xbb\xbf"))
	reg := municipality.MustLoad()
	today := date("2025-03-10")
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBatch(data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Code == "" || fe.Message == "" {
				t.Fatalf("error %v is not a FileError with a code and a message", err)
			}
			return
		}
		if len(b.Rows) == 0 || len(b.Rows) > MaxBatchRows {
			t.Fatalf("%d rows", len(b.Rows))
		}
		rep, keys := CheckBatch(b, "clinic-fuzz", reg, today)
		lines := map[int]bool{}
		prev := 1
		for _, r := range b.Rows {
			if r.Line <= prev {
				t.Fatalf("row line %d after %d", r.Line, prev)
			}
			prev, lines[r.Line] = r.Line, true
		}
		withProblem := map[int]bool{}
		for _, p := range rep.Problems {
			if !lines[p.Row] || p.Code == "" || p.Message == "" || p.Column == "" {
				t.Fatalf("problem %+v does not point at a row", p)
			}
			withProblem[p.Row] = true
		}
		for i, r := range rep.Rows {
			switch {
			case r.Status == RowRejected && (!withProblem[r.Row] || keys[i] != ""):
				t.Fatalf("rejected row %d without a problem or with a key", r.Row)
			case r.Status == RowCreated && (withProblem[r.Row] || keys[i] == ""):
				t.Fatalf("accepted row %d with a problem or without a key", r.Row)
			}
		}
	})
}
