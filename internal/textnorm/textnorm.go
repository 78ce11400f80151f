// Package textnorm folds text for matching what people type or export
// against what Kansrijk knows: names of municipalities and parents, column
// headers of imported files.
package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// ligatures are the Latin letters that lose no accent but still need
// spelling out to compare alike.
var ligatures = strings.NewReplacer("ß", "ss", "æ", "ae", "œ", "oe", "ø", "o", "ł", "l")

// Fold lowercases s and removes its accents ("Zoë" → "zoe", "ANAÏS" →
// "anais", "Straße" → "strasse").
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	// A new transformer per call: transformers keep state and are not
	// safe for concurrent use.
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = strings.ToLower(out)
	if strings.ContainsAny(out, "ßæœøł") {
		out = ligatures.Replace(out)
	}
	return out
}

// Words folds s and splits it into runs of letters and digits:
// punctuation, dashes, quotes and spaces all separate words.
func Words(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
