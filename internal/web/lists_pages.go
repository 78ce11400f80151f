package web

import (
	"net/http"
	"net/url"

	"kansrijk/internal/page"
)

// listRequest reads a list page's limit, cursor, q and sort. A cursor the
// list cannot use shows the first page with a notice (parseList); any
// other bad parameter (an old link, a hand-made URL) shows the first page
// with the message in Dutch, and status 400.
func listRequest(r *http.Request, p *Page, sorts ...string) (page.Request, int) {
	req, reset, err := parseList(r.URL.Query(), sorts...)
	if err == nil {
		p.cursorReset(reset)
		return req, http.StatusOK
	}
	p.withError(r, err)
	q := url.Values{}
	if s := r.URL.Query().Get("q"); len([]rune(s)) <= page.MaxQuery {
		q.Set("q", s)
	}
	if req, err = page.Parse(q, sorts...); err != nil {
		req, _ = page.Parse(url.Values{}, sorts...)
	}
	return req, http.StatusBadRequest
}
