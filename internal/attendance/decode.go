package attendance

import "kansrijk/internal/textnorm"

// decode detects the encoding of data and returns its text with "\n" line endings and without
// a byte order mark (textnorm.Decode, shared with the birth CSV batches). It rejects text
// with NUL bytes or many control characters as binary.
func decode(data []byte) (string, string, *Error) {
	text, enc := textnorm.Decode(data)
	if textnorm.Binary(text, true) {
		return "", "", binaryError()
	}
	return text, enc, nil
}
