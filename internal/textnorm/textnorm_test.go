package textnorm

import (
	"slices"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Zoë":                  "zoe",
		"ANAÏS":                "anais",
		"Straße":               "strasse",
		"Sint-Katelijne-Waver": "sint-katelijne-waver",
		"Œdipe Ærø":            "oedipe aero",
		"":                     "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	if got := Words(" St.-Katelijne-Waver (Gemeente) "); !slices.Equal(got, []string{"st", "katelijne", "waver", "gemeente"}) {
		t.Errorf("Words = %q", got)
	}
	if got := Words("—;,"); len(got) != 0 {
		t.Errorf("Words of punctuation = %q", got)
	}
}
