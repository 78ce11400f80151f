package page

import (
	"slices"
	"strconv"
	"testing"
)

// TestAll walks a list of 7 items in pages of 3, whatever the first
// request's cursor.
func TestAll(t *testing.T) {
	items := []int64{1, 2, 3, 4, 5, 6, 7}
	pages := 0
	fetch := func(req Request) (Result[int64], error) {
		pages++
		var rows []int64
		for _, id := range items {
			if req.After == nil || id > req.After.ID {
				rows = append(rows, id)
			}
		}
		if len(rows) > req.Limit+1 {
			rows = rows[:req.Limit+1]
		}
		return Finish(req, rows, func(id int64) (string, int64) { return strconv.FormatInt(id, 10), id }), nil
	}
	got, err := All(Request{Limit: 3, Sort: "id", After: &Cursor{Sort: "id", ID: 5}}, fetch)
	if err != nil || !slices.Equal(got, items) || pages != 3 {
		t.Fatalf("%v %v after %d pages", got, err, pages)
	}
}
