package page

import "fmt"

// maxWalk bounds All: a list that answers more pages than this is taken
// to loop (a cursor that does not advance).
const maxWalk = 1 << 20

// All walks a list from the first page of req to its last, following
// Next, and returns every item: for the few callers that need a whole
// list (a job, the demo's checks, tests). req.After is ignored; its
// limit, sort and search hold for every page.
func All[T any](req Request, fetch func(Request) (Result[T], error)) ([]T, error) {
	req.After = nil
	if req.Limit <= 0 {
		req.Limit = MaxLimit
	}
	var out []T
	for range maxWalk {
		res, err := fetch(req)
		if err != nil {
			return nil, err
		}
		out = append(out, res.Items...)
		if res.Next == "" {
			return out, nil
		}
		c, err := Decode(res.Next)
		if err != nil {
			return nil, err
		}
		req.After = &c
	}
	return nil, fmt.Errorf("page: the list did not end after %d pages", maxWalk)
}
