package web

import (
	"net/http"
	"net/url"
	"strings"

	"kansrijk/internal/apperr"
	"kansrijk/internal/page"
)

// cursorResetNotice is the notice of a list page that was asked with a
// cursor it could not use and shows the first page instead.
const cursorResetNotice = "liststore.cursor_reset"

// parseList is page.Parse for a list page of the UI: a cursor the list
// cannot read or that was made for another sort is dropped — the first
// page, with the other parameters as given — and reset reports it. Other
// problems (limit, sort, q) are errors as page.Parse gives them.
func parseList(q url.Values, sorts ...string) (req page.Request, reset bool, err error) {
	req, err = page.Parse(q, sorts...)
	if err == nil || apperr.Code(err) != page.InvalidCursor {
		return req, false, err
	}
	v := url.Values{}
	for k, x := range q {
		if k != "cursor" {
			v[k] = x
		}
	}
	req, err = page.Parse(v, sorts...)
	return req, err == nil, err
}

// fetchList reads page req of a list with fetch. When the store refuses
// req's cursor (stale: a value the sort column cannot hold) or finds
// nothing past it (the rows it pointed at are gone), it reads the first
// page instead and reset reports it.
func fetchList[T any](req page.Request, fetch func(page.Request) (page.Result[T], error)) (res page.Result[T], reset bool, err error) {
	res, err = fetch(req)
	if req.After == nil || (err == nil && len(res.Items) > 0) || (err != nil && apperr.Code(err) != page.InvalidCursor) {
		return res, false, err
	}
	req.After = nil
	res, err = fetch(req)
	return res, err == nil, err
}

// cursorReset puts the notice of a list shown from its first page
// because its cursor could not be used.
func (p *Page) cursorReset(reset bool) {
	if reset {
		p.Flash = cursorResetNotice
	}
}

// Lists in the UI (issue 12): pages of 50 with next/previous links, a
// search box and sortable columns, everything in the URL so a list can be
// bookmarked, shared and used without JavaScript. A list handler parses the
// request with page.Parse(r.URL.Query(), sorts...), asks its store for one
// page and passes listNav(r, req, res.Next, res.Prev) to its template,
// which renders {{template "listSearch" ...}}, {{template "sortHeader" ...}}
// and {{template "pager" ...}} (templates/partials/lists.html).
//
// A cursor the list cannot use — malformed (a mangled link), made for
// another sort, or stale (a value the sort column cannot hold, or the
// rows it pointed at are gone) — is no error in the UI: the list shows its
// first page with the same filters, search and sort, and a notice
// (role="status") says so. A handler reads its request with parseList (or
// listRequest), its page with fetchList, and calls p.cursorReset when
// either reports it. The API keeps answering 400 invalid_cursor.

// ListNav is what the list partials need: the current query, the links to
// the next and previous page, and how to sort by each column.
type ListNav struct {
	Path  string
	Query url.Values // the filters as given, without cursor
	Q     string
	Sort  string // "name" or "-name"
	Next  string // URL of the next page, "" on the last page
	Prev  string // URL of the previous page, "" on the first page
	First string // URL of the first page with the same filters, "" when on it
	Count int    // rows on this page
}

// listNav builds the navigation of one list page.
func listNav(r *http.Request, req page.Request, count int, next, prev string) ListNav {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		if k != "cursor" && k != "ok" && len(v) > 0 && v[0] != "" {
			q[k] = v[:1]
		}
	}
	n := ListNav{Path: r.URL.Path, Query: q, Q: req.Q, Sort: req.SortKey(), Count: count}
	with := func(cursor string) string {
		v := url.Values{}
		for k, x := range q {
			v[k] = x
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		if len(v) == 0 {
			return n.Path
		}
		return n.Path + "?" + v.Encode()
	}
	if next != "" {
		n.Next = with(next)
	}
	if prev != "" {
		n.Prev = with(prev)
	}
	if req.After != nil {
		n.First = with("")
	}
	return n
}

// SortURL is the link of a column header: sort by key, ascending, or
// descending when the list is already sorted ascending by it. The cursor
// is dropped: a new sort starts at the first page.
func (n ListNav) SortURL(key string) string {
	v := url.Values{}
	for k, x := range n.Query {
		v[k] = x
	}
	s := key
	if n.Sort == key {
		s = "-" + key
	}
	v.Set("sort", s)
	return n.Path + "?" + v.Encode()
}

// SortState is "ascending", "descending" or "none" for a column, as
// aria-sort wants it.
func (n ListNav) SortState(key string) string {
	switch n.Sort {
	case key:
		return "ascending"
	case "-" + key:
		return "descending"
	}
	return "none"
}

// Hidden are the filters to keep as hidden inputs in the search form
// (everything but q, sort stays).
func (n ListNav) Hidden() [][2]string {
	var out [][2]string
	for k, v := range n.Query {
		if k != "q" {
			out = append(out, [2]string{k, v[0]})
		}
	}
	// Stable order for tests and caches.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && strings.Compare(out[j-1][0], out[j][0]) > 0; j-- {
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
	return out
}
