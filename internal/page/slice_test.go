package page

import (
	"fmt"
	"net/url"
	"testing"
)

func TestSliceWalksBothWays(t *testing.T) {
	type item struct {
		name string
		id   int64
	}
	var items []item
	for i := range 23 {
		items = append(items, item{fmt.Sprintf("n%d", i%5), int64(100 - i)}) // ties on the name
	}
	key := func(x item) (string, int64) { return x.name, x.id }
	for _, sort := range []string{"name", "-name"} {
		var fwd []int64
		cursor := ""
		var last Result[item]
		for {
			q := url.Values{"limit": {"4"}, "sort": {sort}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			req, err := Parse(q, "name")
			if err != nil {
				t.Fatal(err)
			}
			last = Slice(req, items, key)
			for _, x := range last.Items {
				fwd = append(fwd, x.id)
			}
			if last.Next == "" {
				break
			}
			cursor = last.Next
		}
		if len(fwd) != len(items) {
			t.Fatalf("sort %s: %d items, want %d", sort, len(fwd), len(items))
		}
		seen := map[int64]bool{}
		for _, id := range fwd {
			if seen[id] {
				t.Fatalf("sort %s: %d twice", sort, id)
			}
			seen[id] = true
		}
		// Back from the last page to the first.
		back := len(last.Items)
		for cursor := last.Prev; cursor != ""; {
			req, err := Parse(url.Values{"limit": {"4"}, "sort": {sort}, "cursor": {cursor}}, "name")
			if err != nil {
				t.Fatal(err)
			}
			res := Slice(req, items, key)
			for i, x := range res.Items {
				if want := fwd[len(fwd)-back-len(res.Items)+i]; x.id != want {
					t.Fatalf("sort %s: backwards %d, forwards %d", sort, x.id, want)
				}
			}
			back += len(res.Items)
			cursor = res.Prev
		}
		if back != len(items) {
			t.Fatalf("sort %s: %d items backwards", sort, back)
		}
	}
}
