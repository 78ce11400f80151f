package deprivation

import "testing"

// TestControlCharacters: a cell with a NUL, another control character or
// a line break (inside quotes) is a problem of its row, invalid_text
// naming the column; the file is not accepted.
func TestControlCharacters(t *testing.T) {
	res := parseString(t, "NIS;Gemeente;Jaar;Index\n11002;Antwerpen;2023;0,198\n44021;Gent\x00;2023;0,142\n12014;\"Heist-op-\nden-Berg\";2023;0,1\n13016;Hulshout;2023\x1b;0,1\n")
	if res.Accepted || len(res.Problems) != 3 {
		t.Fatalf("result %+v", res)
	}
	for i, want := range []struct {
		line int
		col  string
	}{{3, "Gemeente"}, {4, "Gemeente"}, {6, "Jaar"}} {
		p := res.Problems[i]
		if p.Code != CodeInvalidText || p.Line != want.line || p.Column != want.col {
			t.Errorf("problem %d = %+v, want invalid_text on line %d, column %s", i, p, want.line, want.col)
		}
	}
	if len(res.Values) != 1 || res.Values[0].NIS != "11002" {
		t.Errorf("values %+v", res.Values)
	}
}
