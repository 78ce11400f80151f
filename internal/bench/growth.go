package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// fraction is the scale with a part of its rows (at least one of each).
func (sc Scale) fraction(part int) Scale {
	f := sc
	f.Referrals, f.Births, f.AuditEvents = max(1, sc.Referrals/part), max(1, sc.Births/part), max(1, sc.AuditEvents/part)
	return f
}

// cost is the time per item of one operation.
type cost struct {
	name string
	per  time.Duration // per item
}

// costs times, per item, what must not grow with the data: the inbox page
// (per page of 50), the team's queue of new notifications with its
// duplicate flags (per page of 50), the import (per row) and the birth
// statistics (per notification counted, over the API, as an admin).
func (r *runner) costs(ctx context.Context) ([]cost, error) {
	page := func(url, token string) (time.Duration, error) {
		var ds []time.Duration
		for range 15 {
			d, err := timedGet(ctx, url, token)
			if err != nil {
				return 0, err
			}
			ds = append(ds, d)
		}
		return median(ds), nil
	}
	inbox, err := page(r.inboxURL(), r.w.OCMWToken)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	queue, err := page(r.base+"/api/v1/birth-notifications?status=new&limit=50", r.w.TeamToken)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	n := r.cfg.Scale.BatchRows
	var ds []time.Duration
	for range 3 {
		file := r.batchCSV(n)
		t := time.Now()
		if _, err := r.db.ImportBirthBatch(ctx, r.w.Clinic, file, false); err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		ds = append(ds, time.Since(t)/time.Duration(n))
	}
	imp := median(ds)
	stats, err := page(r.base+"/api/v1/reports/birth-notifications", r.w.AdminToken)
	if err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	births := max(1, r.w.Counts["birth_notifications"])
	return []cost{{"inbox page", inbox}, {"queue page", queue}, {"import row", imp}, {"statistics per notification", stats / time.Duration(births)}}, nil
}

func timedGet(ctx context.Context, url, token string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	t := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s answered %d", url, resp.StatusCode)
	}
	return time.Since(t), nil
}

// growthFigure is the largest growth of a cost per item from the small
// data set to the large one.
func growthFigure(small, large Scale, before, after []cost) Figure {
	worst := 0.0
	var parts []string
	for i, b := range before {
		a := after[i]
		g := float64(a.per) / float64(max(b.per, time.Nanosecond))
		worst = max(worst, g)
		parts = append(parts, fmt.Sprintf("%s ×%.2f (%s → %s)", b.name, g, b.per, a.per))
	}
	slices.Sort(parts)
	return Figure{Value: worst, Unit: "×", Target: "≤ ×1.5", Met: met(worst, 1.5, false),
		Note: fmt.Sprintf("%d → %d referrals and notifications: %s", small.Births, large.Births, strings.Join(parts, "; "))}
}
