package page

import (
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"testing"

	_ "modernc.org/sqlite"

	"kansrijk/internal/apperr"
)

func TestParse(t *testing.T) {
	r, err := Parse(url.Values{}, "-created", "name")
	if err != nil || r.Limit != DefaultLimit || r.Sort != "created" || !r.Desc || r.After != nil {
		t.Fatalf("defaults: %+v %v", r, err)
	}
	for _, bad := range []url.Values{{"limit": {"0"}}, {"limit": {"501"}}, {"limit": {"x"}}, {"sort": {"password"}},
		{"cursor": {"not-a-cursor"}}, {"cursor": {Encode(Cursor{Sort: "name", ID: 3})}}, {"q": {string(make([]byte, 300))}}} {
		_, err := Parse(bad, "-created", "name")
		if code := apperr.Code(err); code != apperr.Invalid && code != InvalidCursor {
			t.Errorf("%v: code %q (%v)", bad, code, err)
		}
	}
	r, err = Parse(url.Values{"limit": {"500"}, "sort": {"name"}, "q": {"  Claes "}, "cursor": {Encode(Cursor{Sort: "name", Value: "b", ID: 3})}}, "-created", "name")
	if err != nil || r.Limit != 500 || r.Sort != "name" || r.Desc || r.Q != "Claes" || r.After.Value != "b" {
		t.Fatalf("%+v %v", r, err)
	}
}

// TestKeysetWalk pages through a real SQLite table with duplicate sort
// values in both directions and both orders, forwards to the end and back
// to the start, and checks every row is seen exactly once, in order.
func TestKeysetWalk(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const rows = 103
	for i := 1; i <= rows; i++ {
		if _, err := db.Exec(`INSERT INTO t (id, name, n) VALUES ($1, $2, $3)`, i, fmt.Sprintf("n%02d", (i*7)%13), (i*5)%11); err != nil {
			t.Fatal(err)
		}
	}
	type row struct {
		id   int64
		name string
		n    int
	}
	for _, tc := range []struct {
		sort, col string
		numeric   bool
	}{{"name", "name", false}, {"-name", "name", false}, {"n", "n", true}, {"-n", "n", true}, {"id", "", false}, {"-id", "", false}} {
		t.Run(tc.sort, func(t *testing.T) {
			fetch := func(q url.Values) Result[row] {
				r, err := Parse(q, tc.sort)
				if err != nil {
					t.Fatal(err)
				}
				cond, order, args := r.Keyset(tc.col, "id", 1, tc.numeric)
				rs, err := db.Query(`SELECT id, name, n FROM t WHERE `+cond+` ORDER BY `+order+` LIMIT `+strconv.Itoa(r.Limit+1), args...)
				if err != nil {
					t.Fatal(err)
				}
				defer rs.Close()
				var got []row
				for rs.Next() {
					var x row
					if err := rs.Scan(&x.id, &x.name, &x.n); err != nil {
						t.Fatal(err)
					}
					got = append(got, x)
				}
				return Finish(r, got, func(x row) (string, int64) {
					switch tc.col {
					case "name":
						return x.name, x.id
					case "n":
						return strconv.Itoa(x.n), x.id
					}
					return "", x.id
				})
			}
			var pages []Result[row]
			seen := map[int64]bool{}
			p := fetch(url.Values{"limit": {"10"}})
			if p.Prev != "" {
				t.Fatal("first page has a previous page")
			}
			for {
				pages = append(pages, p)
				for _, x := range p.Items {
					if seen[x.id] {
						t.Fatalf("row %d twice", x.id)
					}
					seen[x.id] = true
				}
				if p.Next == "" {
					break
				}
				p = fetch(url.Values{"limit": {"10"}, "cursor": {p.Next}})
			}
			if len(seen) != rows || len(pages) != 11 {
				t.Fatalf("saw %d rows on %d pages", len(seen), len(pages))
			}
			// Back from the last page: each previous page equals the one seen going forwards.
			p = pages[len(pages)-1]
			for i := len(pages) - 2; i >= 0; i-- {
				if p.Prev == "" {
					t.Fatalf("page %d has no previous", i+1)
				}
				p = fetch(url.Values{"limit": {"10"}, "cursor": {p.Prev}})
				if fmt.Sprint(p.Items) != fmt.Sprint(pages[i].Items) {
					t.Fatalf("back to page %d: %v, want %v", i, p.Items, pages[i].Items)
				}
			}
			if p.Prev != "" || p.Next == "" {
				t.Fatalf("back at the first page: prev %q next %q", p.Prev, p.Next)
			}
		})
	}
}

func TestLike(t *testing.T) {
	if got := Like(`50%_a\B`); got != `%50\%\_a\\b%` {
		t.Fatal(got)
	}
}
