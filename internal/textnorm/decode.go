package textnorm

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// The encodings Decode recognises, as it names them.
const (
	EncodingUTF8        = "UTF-8"
	EncodingUTF8BOM     = "UTF-8 BOM"
	EncodingUTF16LE     = "UTF-16LE"
	EncodingUTF16BE     = "UTF-16BE"
	EncodingWindows1252 = "Windows-1252"
)

// Decode reads a text file as the programs people use write it: UTF-8
// with or without a byte order mark, UTF-16 with a BOM (Excel's "Unicode
// text", Teams reports) or without one, and otherwise Windows-1252
// (Belgian Excel's "CSV (gescheiden door lijstscheidingsteken)"). It
// returns the text without the BOM and with "\n" line endings (CRLF and
// lone CR, old Mac files, both become "\n"), and the encoding it found.
// Whether the text is text at all is for the caller to judge (Binary).
func Decode(data []byte) (text, encoding string) {
	switch {
	case len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF:
		text, encoding = strings.ToValidUTF8(string(data[3:]), "\uFFFD"), EncodingUTF8BOM
	case len(data) >= 2 && data[0] == 0xFF && data[1] == 0xFE:
		text, encoding = decodeUTF16(data[2:], false), EncodingUTF16LE
	case len(data) >= 2 && data[0] == 0xFE && data[1] == 0xFF:
		text, encoding = decodeUTF16(data[2:], true), EncodingUTF16BE
	default:
		if be, ok := looksUTF16(data); ok {
			text, encoding = decodeUTF16(data, be), EncodingUTF16LE
			if be {
				encoding = EncodingUTF16BE
			}
		} else if utf8.Valid(data) {
			text, encoding = string(data), EncodingUTF8
		} else {
			// Every byte has a mapping in Windows-1252: no error.
			s, _ := charmap.Windows1252.NewDecoder().Bytes(data)
			text, encoding = string(s), EncodingWindows1252
		}
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	if strings.IndexByte(text, '\r') >= 0 {
		text = strings.ReplaceAll(text, "\r\n", "\n")
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	return text, encoding
}

// decodeUTF16 decodes UTF-16 (without BOM); a trailing odd byte is dropped and unpaired
// surrogates become U+FFFD.
func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
	}
	return string(utf16.Decode(u))
}

// looksUTF16 recognises UTF-16 text without a BOM: mostly ASCII, so that one byte of nearly
// every pair is zero. It reports whether it is big-endian.
func looksUTF16(b []byte) (bigEndian, ok bool) {
	n := min(len(b), 4096) &^ 1
	if n < 8 {
		return false, false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*10 >= pairs*7 && even*20 <= pairs:
		return false, true
	case even*10 >= pairs*7 && odd*20 <= pairs:
		return true, true
	}
	return false, false
}

// Binary reports whether decoded text is no text file (a workbook, an
// image): more than 1% control characters (other than tab and line
// breaks) or undecodable bytes, or — when anyNUL — a single NUL.
func Binary(text string, anyNUL bool) bool {
	var n, bad int
	for _, r := range text {
		n++
		switch {
		case r == 0 && anyNUL:
			return true
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r >= 0x7F && r < 0xA0 || r == utf8.RuneError:
			bad++
		}
	}
	return bad > 0 && bad*100 > n
}
