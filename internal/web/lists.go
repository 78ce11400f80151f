package web

import (
	"net/http"
	"net/url"
	"strings"

	"kansrijk/internal/page"
)

// Lists in the UI (issue 12): pages of 50 with next/previous links, a
// search box and sortable columns, everything in the URL so a list can be
// bookmarked, shared and used without JavaScript. A list handler parses the
// request with page.Parse(r.URL.Query(), sorts...), asks its store for one
// page and passes listNav(r, req, res.Next, res.Prev) to its template,
// which renders {{template "listSearch" ...}}, {{template "sortHeader" ...}}
// and {{template "pager" ...}} (templates/partials/lists.html).

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
	if r.URL.Query().Get("cursor") != "" {
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
