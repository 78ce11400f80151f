package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestBackupOnAdminHome: the admin's start page says whether scheduled
// backups ran and how the latest one ended, in Dutch and English.
func TestBackupOnAdminHome(t *testing.T) {
	w := newFamilyWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	admins := storetest.Users(t, w.db, "backup.test", storetest.U{Name: "admin", Role: "admin", Org: "opgroeien"})
	get := func(lang string) string {
		t.Helper()
		req, err := http.NewRequest("GET", w.srv.URL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Cookie", "lang="+lang+"; kansrijk_session="+admins.Cookie(t, "admin"))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET / as admin: %d", res.StatusCode)
		}
		return string(b)
	}
	if b := get("nl"); !strings.Contains(b, "<h2>Back-ups</h2>") || !strings.Contains(b, "Er liep nog geen geplande back-up") {
		t.Fatal("the admin's start page lacks the backups block before any backup")
	}
	real := w.db.Now
	at := real().UTC().Truncate(time.Hour)
	runs := []struct {
		at     time.Time
		result string
	}{
		{at.Add(-time.Hour), "OK: kansrijk-1.backup, 100 bytes"},
		{at, "FAILED: backup: create the backup folder: disk full"},
	}
	for _, r := range runs {
		w.db.Now = func() time.Time { return r.at }
		job := "backup@" + r.at.Format("15:04")
		if _, err := w.db.ClaimDailyJob(ctx, job, r.at); err != nil {
			t.Fatal(err)
		}
		if err := w.db.FinishDailyJob(ctx, job, r.at, r.result); err != nil {
			t.Fatal(err)
		}
	}
	w.db.Now = real
	nl, en := get("nl"), get("en")
	for _, want := range []string{"is mislukt. De beheerders kregen een e-mail.", "disk full", "Laatste geslaagde back-up:"} {
		if !strings.Contains(nl, want) {
			t.Errorf("Dutch start page lacks %q", want)
		}
	}
	for _, want := range []string{"<h2>Backups</h2>", "failed. The admins were e-mailed.", "Latest successful backup:"} {
		if !strings.Contains(en, want) {
			t.Errorf("English start page lacks %q", want)
		}
	}
}
