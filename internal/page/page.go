// Package page is keyset pagination for every list of Kansrijk, in the API
// and in the UI: the same parameters, the same cursor, the same answer.
//
// A request takes limit (default 50, at most 500), cursor (opaque, from a
// previous answer), q (search) and sort (one of the list's sort keys,
// "-key" for descending). A store turns the request into SQL with
// Request.Keyset, fetches one row more than the page, and hands the rows to
// Finish, which trims them and makes the cursors of the next and the
// previous page. A page costs the same at 1k and at 1M rows, as long as the
// sort column and the id have an index together.
//
// The cursor carries the sort key and the direction it was made for; a
// cursor given with another sort is refused (invalid_cursor) rather than
// silently misread.
package page

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"kansrijk/internal/apperr"
)

// Limits of a page.
const (
	DefaultLimit = 50
	MaxLimit     = 500
	// MaxQuery bounds the search text.
	MaxQuery = 200
)

// InvalidCursor is the stable error code of a cursor that cannot be read or
// belongs to another sort.
const InvalidCursor = "invalid_cursor"

// Cursor is the position after (or, Back, before) which a page starts: the
// value of the sort column and the id of the last (first) row shown.
type Cursor struct {
	Sort  string `json:"s"`
	Value string `json:"v,omitempty"`
	ID    int64  `json:"i"`
	Back  bool   `json:"b,omitempty"`
}

// Request is one page asked for.
type Request struct {
	Limit int
	Q     string // search text, trimmed; "" for none
	Sort  string // a sort key of the list, without "-"
	Desc  bool   // descending
	After *Cursor
}

// SortKey is the sort as given in a URL: "name" or "-name".
func (r Request) SortKey() string {
	if r.Desc {
		return "-" + r.Sort
	}
	return r.Sort
}

// Parse reads limit, cursor, q and sort from a query. sorts are the list's
// sort keys; the first, as written (e.g. "-created"), is the default.
// Errors name the parameter: code invalid (limit, sort, q) or invalid_cursor.
func Parse(q url.Values, sorts ...string) (Request, error) {
	r := Request{Limit: DefaultLimit}
	if s := strings.TrimSpace(q.Get("limit")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return r, apperr.FieldErr(apperr.Invalid, "limit", "limit must be a number from 1 to %d, got %q", MaxLimit, s).
				WithKey("error.page_limit", map[string]any{"Max": MaxLimit, "Value": s})
		}
		r.Limit = n
	}
	r.Q = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(r.Q) > MaxQuery || !utf8.ValidString(r.Q) || strings.ContainsRune(r.Q, 0) {
		return r, apperr.FieldErr(apperr.Invalid, "q", "the search text is at most %d characters", MaxQuery).
			WithKey("error.page_query", map[string]any{"Max": MaxQuery})
	}
	sort := strings.TrimSpace(q.Get("sort"))
	if sort == "" && len(sorts) > 0 {
		sort = sorts[0]
	}
	if sort != "" {
		key := strings.TrimPrefix(sort, "-")
		ok := false
		for _, s := range sorts {
			if strings.TrimPrefix(s, "-") == key {
				ok = true
			}
		}
		if !ok {
			names := make([]string, len(sorts))
			for i, s := range sorts {
				names[i] = strings.TrimPrefix(s, "-")
			}
			slices.Sort(names)
			return r, apperr.FieldErr(apperr.Invalid, "sort", "unknown sort %q; use one of %s, with - for descending", sort, strings.Join(names, ", ")).
				WithKey("error.page_sort", map[string]any{"Sort": sort, "Sorts": strings.Join(names, ", ")})
		}
		r.Sort, r.Desc = key, strings.HasPrefix(sort, "-")
	}
	if s := strings.TrimSpace(q.Get("cursor")); s != "" {
		c, err := Decode(s)
		if err != nil || c.Sort != r.SortKey() {
			return r, apperr.FieldErr(InvalidCursor, "cursor", "the cursor is not one this list gave for sort %q; start again without cursor", r.SortKey()).
				WithKey("error.page_cursor", nil)
		}
		r.After = &c
	}
	return r, nil
}

// Encode makes the opaque text of a cursor.
func Encode(c Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode reads a cursor made by Encode.
func Decode(s string) (Cursor, error) {
	var c Cursor
	if len(s) > 2048 {
		return c, fmt.Errorf("page: cursor too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, err
	}
	return c, nil
}

// Backward reports whether the page is read backwards (a "previous" link).
func (r Request) Backward() bool { return r.After != nil && r.After.Back }

// Keyset returns the SQL condition and ORDER BY clause of the page for the
// sort column col (an expression that is never NULL, compared as text
// unless numeric) and the unique id column idCol, with placeholders
// numbered from $n, and their arguments. With no sort column (col ""),
// the page is ordered by id alone. Use LIMIT r.Limit+1.
//
//	cond, order, args := req.Keyset("r.created_at", "r.id", len(args)+1, false)
func (r Request) Keyset(col, idCol string, n int, numeric bool) (cond, order string, args []any) {
	desc := r.Desc
	if r.Backward() {
		desc = !desc
	}
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	if col == "" {
		order = idCol + " " + dir
	} else {
		order = col + " " + dir + ", " + idCol + " " + dir
	}
	if r.After == nil {
		return "1=1", order, nil
	}
	if col == "" {
		return fmt.Sprintf("%s %s $%d", idCol, cmp, n), order, []any{r.After.ID}
	}
	var v any = r.After.Value
	if numeric {
		if i, err := strconv.ParseInt(r.After.Value, 10, 64); err == nil {
			v = i
		} else if f, err := strconv.ParseFloat(r.After.Value, 64); err == nil {
			v = f
		} else {
			v = int64(0)
		}
	}
	// (col, id) > (v, id) written out, with the redundant bound col >= v in
	// front: PostgreSQL starts its index scan at v only when it sees a plain
	// range on the column (a deep page otherwise reads the index from the
	// start); it needs no row-value support.
	cond = fmt.Sprintf("(%s %s= $%d AND (%s %s $%d OR (%s = $%d AND %s %s $%d)))", col, cmp, n, col, cmp, n, col, n, idCol, cmp, n+1)
	return cond, order, []any{v, r.After.ID}
}

// Result is one page: the items and the cursors to the next and previous
// page ("" when there is none).
type Result[T any] struct {
	Items []T
	Next  string
	Prev  string
}

// Finish turns the rows a store fetched with Keyset and LIMIT r.Limit+1 into
// the page: at most r.Limit items in the requested order, and the cursors.
// key gives a row's sort value (as text) and id.
func Finish[T any](r Request, rows []T, key func(T) (string, int64)) Result[T] {
	more := len(rows) > r.Limit
	if more {
		rows = rows[:r.Limit]
	}
	if r.Backward() {
		slices.Reverse(rows)
	}
	res := Result[T]{Items: rows}
	if res.Items == nil {
		res.Items = []T{}
	}
	if len(rows) == 0 {
		return res // past either end (rows deleted meanwhile): the caller offers the first page
	}
	sort := r.SortKey()
	firstV, firstID := key(rows[0])
	lastV, lastID := key(rows[len(rows)-1])
	hasNext := more
	hasPrev := r.After != nil
	if r.Backward() {
		hasNext, hasPrev = true, more
	}
	if hasNext {
		res.Next = Encode(Cursor{Sort: sort, Value: lastV, ID: lastID})
	}
	if hasPrev {
		res.Prev = Encode(Cursor{Sort: sort, Value: firstV, ID: firstID, Back: true})
	}
	return res
}

// NextCursor is Next as the API answers it: null on the last page.
func (r Result[T]) NextCursor() *string {
	if r.Next == "" {
		return nil
	}
	return &r.Next
}

// Like returns q as a LIKE pattern matching it anywhere, case-insensitive
// when compared with LOWER(col) LIKE $n ESCAPE '\': LIKE's wildcards in q
// are escaped.
func Like(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(q)) + "%"
}
