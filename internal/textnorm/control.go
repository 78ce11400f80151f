package textnorm

// ControlChar returns the first control character of s that no text
// field of Kansrijk accepts, and whether there is one: U+0000–U+001F
// except tab, line feed and carriage return (a NUL cannot even be stored
// by PostgreSQL; the others hide text from whoever reads it later).
// Single-line callers refuse line breaks themselves (see SingleLine).
func ControlChar(s string) (rune, bool) {
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return r, true
		}
	}
	return 0, false
}

// SingleLine is ControlChar for a one-line value (a CSV cell, a name):
// line feed and carriage return are refused too.
func SingleLine(s string) (rune, bool) {
	for _, r := range s {
		if r < 0x20 && r != '\t' {
			return r, true
		}
	}
	return 0, false
}
