package api

import (
	"net/http"
	"slices"
	"strings"

	"kansrijk/internal/apperr"
	"kansrijk/internal/httpx"
)

// Lists (issue 12): every list answers a page at a time. It takes limit
// (default 50, at most 500), cursor (from next_cursor) and sort, the lists
// that can grow also q, and answers with its items, count (the items on
// this page) and next_cursor (null on the last page). The lists that can
// grow are paged in SQL (store, keyset); the short reference lists
// (municipalities, organisations, teams, tokens, service accounts,
// mailings) are read whole and paged here with the same cursors.

// writePage answers one page: {"count": n, key: items, "next_cursor": …}
// plus extra keys.
func writePage[T any](w http.ResponseWriter, key string, items []T, next *string, extra map[string]any) {
	out := map[string]any{"count": len(items), key: items, "next_cursor": next}
	for k, v := range extra {
		out[k] = v
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// mapItems converts a page's items for the answer.
func mapItems[T, J any](items []T, f func(T) J) []J {
	out := make([]J, len(items))
	for i, x := range items {
		out[i] = f(x)
	}
	return out
}

// filterParam checks an optional enumerated query parameter.
func filterParam(r *http.Request, name string, allowed ...string) (string, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" || slices.Contains(allowed, v) {
		return v, nil
	}
	return "", apperr.FieldErr(apperr.Invalid, name, "%s must be one of %s, got %q", name, strings.Join(allowed, ", "), v)
}
