package birth

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
	"kansrijk/internal/textnorm"
)

// Reader reads a batch file of any size one row at a time, in constant
// memory: the command line's import of a year of births (65,000 rows and
// more), where ParseBatch would hold the file, its text and every row.
// It reads the file as ParseBatch does — the same encodings (chosen by a
// textnorm.Sniffer over the whole file beforehand), header search,
// columns, row parsing and line numbers — without ParseBatch's limits of
// size and rows. Whether the file is text at all is judged on the lines
// up to the header.
type Reader struct {
	// Batch holds the file's separator, encoding, header line and
	// columns; its Rows stay empty.
	Batch  *Batch
	csv    *csv.Reader
	cols   []string
	header []string
	rows   int
}

// headerBytes bounds what is read looking for the header.
const headerBytes = 1 << 20

// NewReader starts reading the batch file r, written in enc (a
// textnorm.Encoding*). It fails with a *FileError when the file cannot be
// read as a batch at all.
func NewReader(r io.Reader, enc string) (*Reader, error) {
	text := bufio.NewReaderSize(textnorm.NewDecoder(r, enc), 64<<10)
	nonBlank := func(line string) bool { return strings.TrimSpace(strings.Trim(line, ";,\t")) != "" }
	prefix, err := textnorm.ReadLines(text, headerSearch, headerBytes, nonBlank)
	if err != nil {
		return nil, err
	}
	if strings.TrimFunc(prefix, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\uFEFF' }) == "" {
		return nil, fileErr(apperr.EmptyFile, "empty_file", 0, "", "the file is empty", nil)
	}
	if textnorm.Binary(prefix, false) {
		return nil, fileErr(apperr.EncodingInvalid, "not_text", 0, "", "the file is not a text file: save it as CSV or Unicode text", nil)
	}
	b := &Batch{Header: map[string]string{}, Encoding: enc, BOM: enc == textnorm.EncodingUTF8BOM}
	start, sep := findHeader(prefix)
	b.HeaderLine = 1 + strings.Count(prefix[:start], "\n")
	b.Separator = string(sep)
	c := csv.NewReader(io.MultiReader(strings.NewReader(prefix[start:]), text))
	c.Comma = sep
	c.FieldsPerRecord = -1
	c.TrimLeadingSpace = sep != '\t'
	header, err := c.Read()
	if err != nil {
		return nil, csvErr(err, b.HeaderLine-1)
	}
	cols, ferr := b.readHeader(header)
	if ferr != nil {
		return nil, ferr
	}
	return &Reader{Batch: b, csv: c, cols: cols, header: header}, nil
}

// Next returns the next data row (blank rows skipped), io.EOF after the
// last, or a *FileError when the rest is no readable CSV table or the file
// has no rows at all.
func (r *Reader) Next() (Row, error) {
	for {
		rec, err := r.csv.Read()
		if errors.Is(err, io.EOF) {
			if r.rows == 0 {
				return Row{}, fileErr(apperr.EmptyFile, "no_rows", 0, "", "the file has a header but no rows", nil)
			}
			return Row{}, io.EOF
		}
		if err != nil {
			return Row{}, csvErr(err, r.Batch.HeaderLine-1)
		}
		line, _ := r.csv.FieldPos(0)
		line += r.Batch.HeaderLine - 1
		if blank(rec) {
			continue
		}
		r.rows++
		return r.Batch.parseRow(line, r.cols, r.header, rec), nil
	}
}

// Checker checks the rows of a file read by a Reader as CheckBatch checks
// a batch's, one at a time: the same rules and the same duplicate_row
// within the file, remembering a 16-byte digest of each natural key (not
// the key) so that a million rows fit in a few tens of MB.
type Checker struct {
	clinic string
	reg    *municipality.Registry
	today  time.Time
	seen   map[[16]byte]int32
}

// NewChecker checks rows of clinic on the day today.
func NewChecker(clinic string, reg *municipality.Registry, today time.Time) *Checker {
	return &Checker{clinic: clinic, reg: reg, today: today, seen: map[[16]byte]int32{}}
}

// Check validates row of the file read by r and returns its problems
// and, when it has none, its natural key (NaturalKey).
func (c *Checker) Check(r *Reader, row *Row) ([]Problem, string) {
	return r.Batch.checkRow(row, c.clinic, c.reg, c.today, func(k string, line int) (int, bool) {
		sum := sha256.Sum256([]byte(k))
		var d [16]byte
		copy(d[:], sum[:16])
		if first, dup := c.seen[d]; dup {
			return int(first), true
		}
		c.seen[d] = int32(line)
		return 0, false
	})
}
