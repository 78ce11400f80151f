package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/page"
)

// Lists of issue 12 a page at a time: keyset pagination (package page) in
// SQL. A list names its sort keys' SQL expressions; the sort value of
// every row is read back from the database itself (as text), so that the
// cursor compares exactly as the database does, whatever LOWER or a date
// makes of a value.
//
// One builder serves every list: a listQuery holds the list's rows (FROM
// and WHERE, with their arguments) and its sorts; queryPage reads one page
// of it, countList counts all of its rows. A list and the count that links
// to it (the start pages, home.go) are built by the same function, so that
// they cannot drift apart. The caller records the page's one audit event
// naming the ids shown (db.recordList).

// sortCols maps a list's sort keys to SQL expressions ("" for the id
// alone, e.g. "created": ids grow with creation).
type sortCols map[string]string

// keyed is a row with the text of its sort value.
type keyed[T any] struct {
	item T
	key  string
}

// keyScanner appends the sort value's destination to a row's scan.
type keyScanner struct {
	rowScanner
	key *string
}

func (k keyScanner) Scan(dest ...any) error { return k.rowScanner.Scan(append(dest, k.key)...) }

// listQuery is one paged list: SELECT cols FROM from WHERE where…
type listQuery struct {
	cols  string
	from  string
	where []string
	args  []any
	sorts sortCols
	idCol string
	// joins, when set, are joined to the page's rows only (LEFT JOIN …):
	// the page's ids are chosen first, by the list's WHERE, ORDER BY and
	// LIMIT alone, and cols may then read the joined tables and
	// subqueries per row of the page — never per row of the list, even
	// where the database sorts the list itself.
	joins string
	// event, when set (PostgreSQL, a list with joins), is the audit
	// event of the page, written by the page's own statement
	// (pageevent.go) with the ids shown as its object id.
	event *audit.Event
}

// search adds a condition that q (when given) matches any of the
// expressions, case-insensitive, or that extra (a condition built by the
// caller with its own arguments, "" for none) holds.
func (l *listQuery) search(q string, exprs []string, extra func(args *[]any) string) {
	if q == "" {
		return
	}
	l.args = append(l.args, page.Like(q))
	n := len(l.args)
	var or []string
	for _, e := range exprs {
		or = append(or, fmt.Sprintf(`LOWER(%s) LIKE $%d ESCAPE '\'`, e, n))
	}
	if extra != nil {
		if c := extra(&l.args); c != "" && c != "1=0" {
			or = append(or, c)
		}
	}
	l.where = append(l.where, "("+strings.Join(or, " OR ")+")")
}

// filter adds cond (with one %d for the placeholder) for v.
func (l *listQuery) filter(cond string, v any) {
	l.args = append(l.args, v)
	l.where = append(l.where, fmt.Sprintf(cond, len(l.args)))
}

// add adds cond with its "$?" markers numbered from the next argument,
// one per value in vs.
func (l *listQuery) add(cond string, vs ...any) {
	for _, v := range vs {
		l.args = append(l.args, v)
		cond = strings.Replace(cond, "$?", "$"+strconv.Itoa(len(l.args)), 1)
	}
	l.where = append(l.where, cond)
}

// arg adds v to the arguments and returns its placeholder, for a
// condition the caller puts together itself.
func (l *listQuery) arg(v any) string {
	l.args = append(l.args, v)
	return "$" + strconv.Itoa(len(l.args))
}

// whereSQL is the list's condition ("1=1" for none).
func (l listQuery) whereSQL() string {
	if len(l.where) == 0 {
		return "1=1"
	}
	return strings.Join(l.where, " AND ")
}

// countList counts the rows of the list: what a page of it would walk
// through, without the keyset.
func countList(ctx context.Context, q queryer, l listQuery) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+l.from+" WHERE "+l.whereSQL(), l.args...).Scan(&n)
	return n, err
}

// queryPage runs a list query for one page and finishes it.
func queryPage[T any](ctx context.Context, q queryer, req page.Request, l listQuery, scan func(rowScanner) (T, error), id func(T) int64) (page.Result[T], error) {
	col, ok := l.sorts[req.Sort]
	if !ok {
		return page.Result[T]{}, fmt.Errorf("store: list has no sort %q", req.Sort)
	}
	args := l.args
	cond, order, kargs := req.Keyset(col, l.idCol, len(args)+1, false)
	args = append(args, kargs...)
	keyExpr := "''"
	if col != "" {
		keyExpr = "CAST(" + col + " AS TEXT)"
	}
	keyExpr += " AS list_sort_key" // named: CAST(on_day …) would be called on_day too
	where := append(append([]string{}, l.where...), cond)
	if req.After != nil && col != "" {
		// The keyset condition is an OR, from which PostgreSQL makes no
		// index range: a page deep in the list scanned every row before
		// it (71 ms at 100k tasks, 0.9 ms on SQLite). The redundant bound
		// starts the index scan at the cursor.
		op := ">="
		if req.Desc != req.Backward() {
			op = "<="
		}
		where = append(where, fmt.Sprintf("%s %s $%d", col, op, len(l.args)+1))
	}
	query := fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s ORDER BY %s LIMIT %d",
		l.cols, keyExpr, l.from, strings.Join(where, " AND "), order, req.Limit+1)
	if l.event != nil {
		var eargs []any
		query, eargs = pageEventQuery(l, req, strings.Join(where, " AND "), order, keyExpr, len(args)+1)
		args = append(args, eargs...)
	} else if l.joins != "" {
		query = fmt.Sprintf("SELECT %s, %s FROM (SELECT %s AS page_id FROM %s WHERE %s ORDER BY %s LIMIT %d) page_ids JOIN %s ON %s = page_ids.page_id %s ORDER BY %s",
			l.cols, keyExpr, l.idCol, l.from, strings.Join(where, " AND "), order, req.Limit+1, l.from, l.idCol, l.joins, order)
	}
	rows, err := queryListCap(ctx, q, req.Limit+1, func(row rowScanner) (keyed[T], error) {
		var k keyed[T]
		var err error
		k.item, err = scan(keyScanner{row, &k.key})
		return k, err
	}, query, args...)
	if err != nil {
		if req.After != nil && isDataException(err) {
			// A cursor made by hand, or by an older version of the list,
			// whose value the sort column cannot hold.
			return page.Result[T]{}, apperr.FieldErr(page.InvalidCursor, "cursor",
				"the cursor's value does not fit sort %q; start again without cursor", req.SortKey()).WithKey("error.page_cursor", nil)
		}
		return page.Result[T]{}, err
	}
	res := page.Finish(req, rows, func(k keyed[T]) (string, int64) { return k.key, id(k.item) })
	out := page.Result[T]{Items: make([]T, len(res.Items)), Next: res.Next, Prev: res.Prev}
	for i, k := range res.Items {
		out.Items[i] = k.item
	}
	return out, nil
}

// isDataException reports whether the database refused a value (SQLSTATE
// class 22: a text that is no time, say). SQLite compares any values and
// never does.
func isDataException(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && strings.HasPrefix(pg.Code, "22")
}

// nisMatching returns the NIS codes of the municipalities whose name
// contains q (case-insensitive), for searching lists by municipality.
func (db *DB) nisMatching(q string) []string {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" || db.Municipalities == nil {
		return nil
	}
	var out []string
	for _, m := range db.Municipalities.All() {
		if strings.Contains(strings.ToLower(m.Name), q) {
			out = append(out, m.NIS)
		}
	}
	return out
}
