package web

import (
	"errors"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/i18n"
)

// A refused transition names the statuses in the user's language, not by
// their codes.
func TestLocalStatuses(t *testing.T) {
	err := agreement.CheckTransition(agreement.Interested, agreement.Active, time.Time{}, time.Time{})
	for _, c := range []struct {
		lang i18n.Lang
		want string
	}{
		{i18n.NL, "Een overeenkomst met status 'aangemeld' kan niet 'actief' worden."},
		{i18n.EN, "signed up"},
	} {
		p := &Page{Lang: c.lang}
		p.withError(nil, localStatuses(c.lang, err))
		if !strings.Contains(p.Error, c.want) || strings.Contains(p.Error, "'interested'") {
			t.Errorf("%s: %q, want it to contain %q", c.lang, p.Error, c.want)
		}
	}
	// The original error is left alone; other errors pass unchanged.
	if e, _ := apperr.As(err); e.Args["From"] != "interested" {
		t.Errorf("localStatuses changed the original error: %v", e.Args)
	}
	plain := errors.New("boom")
	if localStatuses(i18n.NL, plain) != plain {
		t.Error("a plain error was replaced")
	}
	unknown := apperr.New(apperr.Invalid, "x").WithKey("error.unknown_status", map[string]any{"Status": "bogus"})
	if e, _ := apperr.As(localStatuses(i18n.NL, unknown)); e.Args["Status"] != "bogus" {
		t.Errorf("an unknown status was translated: %v", e.Args)
	}
}

func TestTextWithDate(t *testing.T) {
	got := string(textWithDate(i18n.NL, "report.kpi.signed_up", map[string]any{"Total": 300}, time.Date(2023, 3, 8, 0, 0, 0, 0, time.UTC)))
	want := `van de 300 Vlaamse lokale besturen hadden zich op <span class="nowrap">08-03-2023</span> aangemeld (en niet ingetrokken of beëindigd)`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestDMY(t *testing.T) {
	dmy := funcs["dmy"].(func(string) string)
	for in, want := range map[string]string{"2023-03-08": "08-03-2023", "": "", "morgen": "morgen"} {
		if got := dmy(in); got != want {
			t.Errorf("dmy(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLifecycle(t *testing.T) {
	ev := func(s agreement.Status) agreement.Event { return agreement.Event{Status: s} }
	steps := lifecycle([]agreement.Event{ev(agreement.Interested), ev(agreement.Draft)}, agreement.Draft)
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(string(s.Status))
		if s.Done {
			b.WriteString("+")
		}
		if s.Current {
			b.WriteString("*")
		}
		b.WriteString(" ")
	}
	if got := b.String(); got != "interested+ draft+* approved signed active " {
		t.Errorf("lifecycle = %q", got)
	}
	steps = lifecycle([]agreement.Event{ev(agreement.Interested), ev(agreement.Withdrawn)}, agreement.Withdrawn)
	if last := steps[len(steps)-1]; last.Status != agreement.Withdrawn || !last.Current || len(steps) != 6 {
		t.Errorf("withdrawn lifecycle = %+v", steps)
	}
}

// The map legend uses the short label where the full one does not fit a
// legend column.
func TestStatusLegend(t *testing.T) {
	items := statusLegend(i18n.NL, map[agreement.Status]int{agreement.Approved: 2})
	for _, it := range items {
		if it.Status == "approved" && (it.Label != "goedgekeurd" || it.Count != 2) {
			t.Errorf("approved legend item = %+v", it)
		}
		if it.Status == "active" && it.Label != "actief" {
			t.Errorf("active legend item = %+v", it)
		}
	}
	if len(items) != len(agreement.ReportStatuses) {
		t.Errorf("%d legend items, want %d", len(items), len(agreement.ReportStatuses))
	}
}
