package store

// A page and its audit event in one statement (PostgreSQL). An audited
// list page otherwise costs two round trips and two commits' worth of
// waiting: the page's query, then its event through the group commit
// (groupcommit.go). On PostgreSQL the page's own statement can write the
// event instead, with a data-modifying WITH:
//
//	WITH page_ids AS (the page's ids, numbered in the list's order, LIMIT n+1),
//	     page_shown AS (the first n of them, numbered in the order shown),
//	     page_event AS (INSERT INTO audit_events … VALUES (…, ids of page_shown, …))
//	SELECT the page's columns FROM page_ids JOIN … ORDER BY page_ids.page_n
//
// Why this keeps the guarantee that no page is answered without its
// durable event:
//   - the event names exactly the ids returned: both come from page_ids
//     in the one snapshot of the statement, the event's object id and
//     detail computed in SQL exactly as audit.ListObjectID and listEvent
//     write them (the extra row that only tells whether there is a next
//     page is left out, a page read backwards is named in the order
//     shown); TestInboxPageEventNamesPage checks both against the page;
//   - a data-modifying WITH runs once and to completion whether or not
//     the SELECT reads it, and the statement is atomic: if the INSERT
//     fails, the statement fails and no row is returned as a page;
//   - the statement runs on its own (no transaction): it commits before
//     PostgreSQL sends ReadyForQuery, which the driver waits for before
//     rows.Next reports the end of the rows (pgconn's ResultReader.Close),
//     with any error of the commit; with synchronous_commit on (never
//     changed by Kansrijk) the commit is durable. queryListCap reads the
//     rows to their end and checks rows.Err before a page is returned.
//
// SQLite cannot do the same: its read pool is query_only and its one
// writer would serialise every page; there the page's event goes through
// the group commit as before.

import (
	"fmt"
	"strconv"
	"strings"

	"kansrijk/internal/audit"
	"kansrijk/internal/page"
)

// auditColumn is the position of a column in auditInsert and auditArgs.
func auditColumn(name string) int {
	cols := auditInsert[strings.Index(auditInsert, "(")+1 : strings.Index(auditInsert, ")")]
	for i, c := range strings.Split(cols, ",") {
		if strings.TrimSpace(c) == name {
			return i
		}
	}
	panic("store: audit_events has no column " + name)
}

var auditObjectIDColumn, auditDetailColumn = auditColumn("object_id"), auditColumn("detail")

// pageEventQuery is the statement of one page of l (a list with joins)
// that also writes l.event for the ids shown. where and order are the
// page's condition and order (keyset included), keyExpr the sort value
// read back; n is the number of the first placeholder of the event's
// values, which it returns.
func pageEventQuery(l listQuery, req page.Request, where, order, keyExpr string, n int) (string, []any) {
	ev := *l.event
	vals := auditArgs(ev.At, ev)
	shownOrder := "page_n"
	if req.Backward() {
		shownOrder = "page_n DESC" // page.Finish reverses a page read backwards
	}
	maxIDs := strconv.Itoa(audit.ListMaxIDs)
	objectID := `(SELECT COALESCE(string_agg(CAST(page_id AS TEXT), ',' ORDER BY shown_n) FILTER (WHERE shown_n <= ` + maxIDs + `), '')
		|| CASE WHEN max(shown) > ` + maxIDs + ` THEN ',…+' || CAST(max(shown) - ` + maxIDs + ` AS TEXT) ELSE '' END FROM page_shown)`
	detail := `(SELECT '` + strings.Replace(auditListDetailFmt, "%d", "' || CAST(count(*) AS TEXT)", 1) + ` FROM page_shown)`
	var ph []string
	var args []any
	for i, v := range vals {
		switch i {
		case auditObjectIDColumn:
			ph = append(ph, objectID)
		case auditDetailColumn:
			ph = append(ph, detail)
		default:
			ph = append(ph, "$"+strconv.Itoa(n+len(args)))
			args = append(args, v)
		}
	}
	query := fmt.Sprintf(`WITH page_ids AS (SELECT %s AS page_id, row_number() OVER (ORDER BY %s) AS page_n FROM %s WHERE %s ORDER BY %s LIMIT %d),
	page_shown AS (SELECT page_id, row_number() OVER (ORDER BY %s) AS shown_n, count(*) OVER () AS shown FROM page_ids WHERE page_n <= %d),
	page_event AS (%s(%s))
	SELECT %s, %s FROM page_ids JOIN %s ON %s = page_ids.page_id %s ORDER BY page_ids.page_n`,
		l.idCol, order, l.from, where, order, req.Limit+1,
		shownOrder, req.Limit,
		auditInsert, strings.Join(ph, ", "),
		l.cols, keyExpr, l.from, l.idCol, l.joins)
	return query, args
}
