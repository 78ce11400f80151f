package textnorm

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Decode holds the whole file in memory. A file too large for that (the
// command line's import of a year of births) is read twice instead: once
// through a Sniffer, which sees every byte and keeps only the first few
// KB, to choose the encoding exactly as Decode chooses it, and then
// through NewDecoder, which gives the same text as Decode, a buffer at a
// time.

// sniffLen is how much of the start Decode's choice looks at (looksUTF16).
const sniffLen = 4096

// Sniffer is an io.Writer that learns the encoding of everything written
// to it, as Decode would choose it for the same bytes, in constant memory.
type Sniffer struct {
	head    []byte
	carry   []byte // an incomplete UTF-8 sequence at the end of the last write
	invalid bool
}

// Write never fails.
func (s *Sniffer) Write(p []byte) (int, error) {
	if len(s.head) < sniffLen {
		s.head = append(s.head, p[:min(len(p), sniffLen-len(s.head))]...)
	}
	if s.invalid {
		return len(p), nil
	}
	buf := p
	if len(s.carry) > 0 {
		buf = append(s.carry[:len(s.carry):len(s.carry)], p...)
	}
	// Keep a sequence cut by the end of p for the next write.
	cut := len(buf)
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-utf8.UTFMax; i-- {
		if utf8.RuneStart(buf[i]) {
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(buf[:cut]) {
		s.invalid = true
	}
	s.carry = bytes.Clone(buf[cut:])
	return len(p), nil
}

// Encoding is the encoding of everything written so far (Encoding*).
func (s *Sniffer) Encoding() string {
	h := s.head
	switch {
	case len(h) >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF:
		return EncodingUTF8BOM
	case len(h) >= 2 && h[0] == 0xFF && h[1] == 0xFE:
		return EncodingUTF16LE
	case len(h) >= 2 && h[0] == 0xFE && h[1] == 0xFF:
		return EncodingUTF16BE
	}
	if be, ok := looksUTF16(h); ok {
		if be {
			return EncodingUTF16BE
		}
		return EncodingUTF16LE
	}
	if !s.invalid && len(s.carry) == 0 {
		return EncodingUTF8
	}
	return EncodingWindows1252
}

// NewDecoder returns the text of r in the encoding enc (as Sniffer chose
// it) as Decode returns it: UTF-8 without the BOM, invalid sequences as
// U+FFFD, "\n" line endings.
func NewDecoder(r io.Reader, enc string) io.Reader {
	br := bufio.NewReaderSize(r, 64<<10)
	var text io.Reader = br
	switch enc {
	case EncodingUTF8BOM:
		_, _ = br.Discard(3)
		text = transform.NewReader(br, unicode.UTF8.NewDecoder())
	case EncodingUTF16LE, EncodingUTF16BE:
		order := unicode.LittleEndian
		if enc == EncodingUTF16BE {
			order = unicode.BigEndian
		}
		if p, _ := br.Peek(2); len(p) == 2 && (p[0] == 0xFF && p[1] == 0xFE || p[0] == 0xFE && p[1] == 0xFF) {
			_, _ = br.Discard(2)
		}
		text = transform.NewReader(br, unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder())
	case EncodingWindows1252:
		text = transform.NewReader(br, charmap.Windows1252.NewDecoder())
	}
	out := bufio.NewReaderSize(text, 64<<10)
	// Decode drops one BOM left after decoding.
	if p, _ := out.Peek(3); string(p) == "\uFEFF" {
		_, _ = out.Discard(3)
	}
	return &lineEnds{r: out}
}

// lineEnds turns CRLF and a lone CR into "\n".
type lineEnds struct{ r *bufio.Reader }

func (l *lineEnds) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b == '\r' {
			if next, err := l.r.ReadByte(); err == nil && next != '\n' {
				_ = l.r.UnreadByte()
			}
			b = '\n'
		}
		p[n] = b
		n++
	}
	return n, nil
}

// ReadLines reads from r the lines up to and including the n-th line for
// which keep is true, or at most limit bytes, and returns them as one
// string; r continues after them.
func ReadLines(r *bufio.Reader, n, limit int, keep func(line string) bool) (string, error) {
	var sb strings.Builder
	for n > 0 && sb.Len() < limit {
		line, err := r.ReadString('\n')
		sb.WriteString(line)
		if keep(strings.TrimSuffix(line, "\n")) {
			n--
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return sb.String(), err
		}
	}
	return sb.String(), nil
}
