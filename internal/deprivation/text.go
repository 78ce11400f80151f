package deprivation

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// cp1252 maps the bytes 0x80–0x9F of Windows-1252 to runes; the other bytes above 0x7F are the
// Latin-1 code points. Undefined bytes become U+FFFD.
var cp1252 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

// decodeText returns data as UTF-8 text: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's
// "Unicode text"), or else Windows-1252, the encoding of Excel's CSV export on Belgian Windows.
func decodeText(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		if utf8.Valid(data) {
			return string(data)
		}
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		le := data[0] == 0xFF
		data = data[2:]
		u := make([]uint16, len(data)/2)
		for i := range u {
			if le {
				u[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
			} else {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			}
		}
		return string(utf16.Decode(u))
	case utf8.Valid(data):
		return string(data)
	}
	var b strings.Builder
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xA0:
			b.WriteRune(cp1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

// sniffSeparator chooses the field separator of a CSV text: of ';', ',' and tab, the one that
// occurs most often outside quotes in the first lines that are neither empty nor comments. On
// a tie (e.g. a single column) it is ';', the list separator of Excel with Belgian settings.
// Decimal commas do not mislead it: in a ';' file there are fewer of them than separators, and
// in a ',' file they are quoted.
func sniffSeparator(text string) rune {
	counts := map[rune]int{}
	lines := 0
	inQuote := false
	start := true
	skip := false
scan:
	for _, r := range text {
		if start {
			start = false
			skip = r == '#' && !inQuote
		}
		switch {
		case r == '"':
			inQuote = !inQuote
		case r == '\n' && !inQuote:
			if !skip {
				lines++
			}
			if lines >= 20 {
				break scan
			}
			start = true
		case !inQuote && !skip && (r == ';' || r == ',' || r == '\t'):
			counts[r]++
		}
	}
	best := ';'
	for _, r := range []rune{',', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// fold lowercases s, removes the accents of Latin letters and turns every run of characters
// other than letters and digits into one space: "Sint-Katelijne-Waver", "sint katelijne waver"
// and "SINT KATELIJNE-WAVER" fold alike.
func fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if f, ok := accents[r]; ok {
			r = f
		}
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || r == 'ß' || r == 'æ' || r == 'ø' {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

var accents = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a',
	'ç': 'c',
	'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i',
	'ñ': 'n',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u',
	'ý': 'y', 'ÿ': 'y',
}
