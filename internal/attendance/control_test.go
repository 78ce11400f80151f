package attendance

import (
	"bytes"
	"testing"
)

// TestControlCharacters: a cell with a control character (an escape
// here) makes its row an invalid_text problem naming the column, and the
// report is not accepted: nothing is imported half. A NUL makes the file
// binary.
func TestControlCharacters(t *testing.T) {
	csv := "Naam;Gemeente;E-mail\nDemo Deelnemer;Kortenberg;demo@example.org\nTest\x1bPersoon;Hoeilaart;test@example.org\n"
	tab, err := Parse(bytes.NewReader([]byte(csv)))
	if err != nil {
		t.Fatal(err)
	}
	rep := MatchAll(tab, registry(t), webinar2023)
	if rep.Accepted || rowAt(t, rep, 2).Problem != "" {
		t.Fatalf("report %+v", rep)
	}
	if m := rowAt(t, rep, 3); m.Problem != ProblemInvalidText || m.Message != `Kolom "Naam" bevat een onzichtbaar stuurteken; verwijder het.` {
		t.Errorf("row 3: %q %q", m.Problem, m.Message)
	}
	if _, err := Parse(bytes.NewReader([]byte("Naam;Gemeente\nDemo\x00;Kortenberg\n"))); err == nil {
		t.Error("a NUL is accepted")
	}
}
