package page

import (
	"slices"
	"strings"
)

// Slice pages a short list read whole (reference data: municipalities,
// organisations, a user's tokens) with the same pages and cursors as a
// list paged in SQL with Keyset: ordered by (key, id) in the request's
// direction, the rows after the cursor, finished by Finish. key gives a
// row's sort value (compared as text) and id.
func Slice[T any](req Request, items []T, key func(T) (string, int64)) Result[T] {
	type kv struct {
		v  string
		id int64
		x  T
	}
	all := make([]kv, len(items))
	for i, x := range items {
		v, id := key(x)
		all[i] = kv{v, id, x}
	}
	cmp := func(a, b kv) int {
		if c := strings.Compare(a.v, b.v); c != 0 {
			return c
		}
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	}
	desc := req.Desc != req.Backward()
	slices.SortStableFunc(all, func(a, b kv) int {
		if desc {
			return cmp(b, a)
		}
		return cmp(a, b)
	})
	var rows []T
	for _, e := range all {
		if req.After != nil {
			c := cmp(e, kv{v: req.After.Value, id: req.After.ID})
			if (desc && c >= 0) || (!desc && c <= 0) {
				continue
			}
		}
		rows = append(rows, e.x)
		if len(rows) > req.Limit {
			break
		}
	}
	return Finish(req, rows, key)
}
