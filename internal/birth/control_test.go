package birth

import (
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
)

// TestCheckBatchControlCharacters: a cell with a control character or a
// line break (inside quotes) rejects its row with invalid_text naming the
// column; the other rows go on. (A NUL anywhere rejects the whole file as
// not UTF-8 text.)
func TestCheckBatchControlCharacters(t *testing.T) {
	csv := "mother_name;mother_street;mother_number;mother_postcode;mother_municipality_nis;mother_phone;mother_language;child_birth_date\n" +
		"An Peeters;Kerkstraat;12;2235;13016;0470 00 00 00;nl;2025-03-01\n" +
		"Els\x1bWouters;Kerkstraat;14;2235;13016;0470 00 00 01;nl;2025-03-02\n" +
		"Mia Claes;\"Kerk\nstraat\";16;2235;13016;0470 00 00 02;nl;2025-03-03\n" +
		"Lies Maes;Kerkstraat;18\x07;2235;13016;0470 00 00 03;nl;2025-03-04\n"
	b, err := ParseBatch([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	rep, _ := CheckBatch(b, "clinic-zonnedal", municipality.MustLoad(), date("2025-03-10"))
	want := []Problem{{Row: 3, Column: "mother_name"}, {Row: 4, Column: "mother_street"}, {Row: 6, Column: "mother_number"}}
	if len(rep.Problems) != len(want) || rep.Rejected != 3 || rep.Rows[0].Status != RowCreated {
		t.Fatalf("report %+v", rep)
	}
	for i, w := range want {
		p := rep.Problems[i]
		if p.Code != apperr.InvalidText || p.Row != w.Row || p.Column != w.Column || p.Message == "" {
			t.Errorf("problem %d = %+v, want invalid_text at row %d, %s", i, p, w.Row, w.Column)
		}
	}
	if _, err := ParseBatch([]byte("mother_name\nAn\x00Peeters\n")); err == nil {
		t.Error("a NUL in a file is accepted")
	}
}
