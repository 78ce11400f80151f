package audit

import (
	"strconv"
	"testing"
	"time"
)

func TestDetectFlagsWindows(t *testing.T) {
	cfg := DefaultFlagConfig()
	cfg.ManyFamilies, cfg.Denials = 3, 3
	// Noon in Brussels, summer and winter.
	base := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	open := func(min int, id int) Event {
		return Event{ID: int64(min*100 + id), ActorUserID: 1, At: base.Add(time.Duration(min) * time.Minute), ObjectType: "referral", ObjectID: strconv.Itoa(id), Outcome: OK}
	}
	t.Run("ManyFamiliesMerged", func(t *testing.T) {
		// Four families in 10 minutes, a fifth 50 minutes later (window still
		// overlapping: one flag), then six more the next day (another flag).
		evs := []Event{open(0, 1), open(1, 2), open(2, 3), open(10, 4), open(60, 5)}
		for i := 0; i < 6; i++ {
			evs = append(evs, open(24*60+i, 10+i))
		}
		got := DetectFlags(evs, nil, base, base.Add(48*time.Hour), cfg)
		if len(got) != 2 || got[0].Count != 5 || !got[0].To.Equal(base.Add(time.Hour)) || got[1].Count != 6 {
			t.Fatalf("flags = %+v", got)
		}
	})
	t.Run("SameFamilyCountsOnce", func(t *testing.T) {
		evs := []Event{open(0, 1), open(1, 1), open(2, 1), open(3, 2), open(4, 2), open(5, 3)}
		if got := DetectFlags(evs, nil, base, base.Add(time.Hour), cfg); len(got) != 0 {
			t.Fatalf("three families flagged as more than three: %+v", got)
		}
	})
	t.Run("DenialsOutsideWindow", func(t *testing.T) {
		var evs []Event
		for i := 0; i < 4; i++ {
			evs = append(evs, Event{ID: int64(i + 1), ActorUserID: 2, At: base.Add(time.Duration(i) * 40 * time.Minute), Outcome: Denied})
		}
		if got := DetectFlags(evs, nil, base, base.Add(4*time.Hour), cfg); len(got) != 0 {
			t.Fatalf("denials 40 minutes apart flagged: %+v", got)
		}
	})
	t.Run("NightInSummerTime", func(t *testing.T) {
		// 20:30 UTC is 22:30 in Brussels in July; 03:59 UTC is 05:59.
		evs := []Event{{ID: 1, ActorUserID: 3, At: time.Date(2026, 7, 1, 20, 30, 0, 0, time.UTC), Outcome: OK},
			{ID: 2, ActorUserID: 3, At: time.Date(2026, 7, 2, 3, 59, 0, 0, time.UTC), Outcome: OK},
			{ID: 3, ActorUserID: 3, At: time.Date(2026, 7, 2, 4, 0, 0, 0, time.UTC), Outcome: OK},   // 06:00: morning
			{ID: 4, ActorUserID: 3, At: time.Date(2026, 7, 1, 19, 59, 0, 0, time.UTC), Outcome: OK}} // 21:59: evening
		got := DetectFlags(evs, nil, base, base.Add(48*time.Hour), cfg)
		if len(got) != 1 || got[0].Kind != FlagNightAccess || got[0].Count != 2 {
			t.Fatalf("flags = %+v", got)
		}
	})
	t.Run("NewTokenAddress", func(t *testing.T) {
		addrs := []TokenAddress{{7, "a", base.Add(-time.Hour)}, {7, "b", base.Add(time.Hour)}, {7, "c", base.Add(3 * time.Hour)},
			{8, "x", base.Add(time.Hour)}}
		got := DetectFlags(nil, addrs, base, base.Add(2*time.Hour), cfg)
		if len(got) != 1 || got[0].TokenID != 7 || got[0].ClientAddr != "b" {
			t.Fatalf("flags = %+v", got)
		}
	})
	t.Run("Cursor", func(t *testing.T) {
		id, err := ParseCursor(Cursor(12345))
		if err != nil || id != 12345 {
			t.Fatalf("cursor round trip: %d %v", id, err)
		}
		for _, bad := range []string{"e1", "!!", Cursor(0)[:2]} {
			if _, err := ParseCursor(bad); err == nil {
				t.Errorf("cursor %q accepted", bad)
			}
		}
	})
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		end  bool
		want time.Time
	}{
		{"2026-01-15", false, time.Date(2026, 1, 14, 23, 0, 0, 0, time.UTC)},
		{"2026-01-15", true, time.Date(2026, 1, 15, 23, 0, 0, 0, time.UTC)},
		{"2026-07-15T08:30", false, time.Date(2026, 7, 15, 6, 30, 0, 0, time.UTC)},
		{"2026-07-15T08:30:00+02:00", false, time.Date(2026, 7, 15, 6, 30, 0, 0, time.UTC)},
	} {
		got, err := ParseTime("from", tc.in, tc.end)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q, %v) = %s, %v; want %s", tc.in, tc.end, got, err, tc.want)
		}
	}
	if _, err := ParseTime("from", "15/01/2026", false); err == nil {
		t.Error("15/01/2026 accepted")
	}
}
