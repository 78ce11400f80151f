package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/backup"
	"kansrijk/internal/store"
)

// BackupConfig are the settings of the scheduled backups.
type BackupConfig struct {
	// Dir receives the copies; empty: no scheduled backups.
	Dir string
	// Interval between backups (default 24h). Slots start at multiples
	// of Interval since the zero time, in UTC, the same on every instance.
	Interval time.Duration
	// Keep is how many copies stay in Dir (default 7); older ones are
	// removed after a successful backup.
	Keep int
	// DSN is the database copied; Version goes into the manifests.
	DSN, Version string
}

// BackupConfigFromEnv reads KANSRIJK_BACKUP_DIR, KANSRIJK_BACKUP_INTERVAL
// (a Go duration, at least 1m) and KANSRIJK_BACKUP_KEEP (at least 1).
func BackupConfigFromEnv(getenv func(string) string) (BackupConfig, error) {
	c := BackupConfig{Dir: getenv("KANSRIJK_BACKUP_DIR"), Interval: 24 * time.Hour, Keep: 7}
	if v := getenv("KANSRIJK_BACKUP_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return c, fmt.Errorf("KANSRIJK_BACKUP_INTERVAL: want a duration of at least 1m (e.g. 6h), got %q", v)
		}
		c.Interval = d
	}
	if v := getenv("KANSRIJK_BACKUP_KEEP"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, fmt.Errorf("KANSRIJK_BACKUP_KEEP: want a whole number of at least 1, got %q", v)
		}
		c.Keep = n
	}
	return c, nil
}

// Backups runs the scheduled backups: once per slot across all instances
// (the one that claims the slot in job_runs copies the database), with
// rotation, the result in job_runs and an e-mail to the admins when one
// fails.
type Backups struct {
	DB     *store.DB
	Config BackupConfig
	Log    *slog.Logger
	// Now is the clock (default the database's).
	Now func() time.Time
}

func (b *Backups) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return b.DB.Now()
}

func (b *Backups) log() *slog.Logger {
	if b.Log != nil {
		return b.Log
	}
	return slog.Default()
}

// Run checks whether a backup is due at once and then regularly (a
// quarter of the interval, at most every 5 minutes) until ctx ends.
func (b *Backups) Run(ctx context.Context) {
	if b.Config.Dir == "" {
		return
	}
	every := min(max(b.Config.Interval/4, time.Second), 5*time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := b.RunDue(ctx); err != nil && ctx.Err() == nil {
			b.log().Error("scheduled backup", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// slot returns the start of the current slot and its job name.
func (b *Backups) slot() (time.Time, string) {
	iv := b.Config.Interval
	if iv <= 0 {
		iv = 24 * time.Hour
	}
	start := b.now().UTC().Truncate(iv)
	return start, store.BackupJobPrefix + start.Format("15:04")
}

// RunDue makes the backup of the current slot if no instance made it; it
// reports whether this call ran it. A failure is recorded (FAILED: …),
// counted on /metrics and mailed to the admins; the next slot tries again.
func (b *Backups) RunDue(ctx context.Context) (bool, error) {
	start, job := b.slot()
	won, err := b.DB.ClaimDailyJob(ctx, job, start)
	if err != nil || !won {
		return false, err
	}
	file, m, err := b.backup(ctx)
	wctx := context.WithoutCancel(ctx)
	if err != nil && ctx.Err() != nil {
		// Stopped (shutdown), not failed: leave the slot to another try.
		if rerr := b.DB.ReleaseDailyJob(wctx, job, start); rerr != nil {
			b.log().Error("release the scheduled backup", "error", rerr)
		}
		return true, ctx.Err()
	}
	if err != nil {
		msg := err.Error()
		b.log().Error("scheduled backup failed", "error", msg)
		body := "De geplande back-up van Kansrijk is mislukt.\n" +
			"Kansrijk's scheduled backup failed.\n\n" + msg + "\n\n" +
			"Maak een back-up met de hand: kansrijk backup --out FILE\n"
		if _, merr := b.DB.MailAdmins(wctx, "Kansrijk: back-up mislukt / backup failed", body); merr != nil {
			b.log().Error("scheduled backup: mail to the admins", "error", merr)
		}
		if ferr := b.DB.FinishDailyJob(wctx, job, start, "FAILED: "+msg); ferr != nil {
			return true, ferr
		}
		return true, err
	}
	removed, rerr := b.rotate()
	result := fmt.Sprintf("OK: %s, %d bytes, sha256 %s", filepath.Base(file), m.Bytes, m.SHA256[:16])
	if m.Audit != nil {
		result += fmt.Sprintf(", audit checkpoint of %d events", m.Audit.TreeSize)
	}
	if removed > 0 {
		result += fmt.Sprintf(", %d old copies removed", removed)
	}
	if rerr != nil {
		result += "; rotation: " + rerr.Error()
	}
	b.log().Info("scheduled backup", "file", file, "bytes", m.Bytes)
	return true, b.DB.FinishDailyJob(wctx, job, start, result)
}

const backupPrefix, backupSuffix = "kansrijk-", ".backup"

func (b *Backups) backup(ctx context.Context) (string, backup.Manifest, error) {
	file := filepath.Join(b.Config.Dir, backupPrefix+b.now().UTC().Format("20060102T150405Z")+backupSuffix)
	m, err := backup.Backup(ctx, b.Config.DSN, file, backup.Options{Version: b.Config.Version, Now: b.now})
	return file, m, err
}

// rotate removes all but the newest Keep copies (and their manifests).
func (b *Backups) rotate() (int, error) {
	keep := b.Config.Keep
	if keep < 1 {
		keep = 7
	}
	ents, err := os.ReadDir(b.Config.Dir)
	if err != nil {
		return 0, err
	}
	var names []string
	for _, e := range ents {
		if n := e.Name(); !e.IsDir() && strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, backupSuffix) {
			names = append(names, n)
		}
	}
	sort.Strings(names) // the time in the name sorts them
	removed := 0
	for _, n := range names[:max(len(names)-keep, 0)] {
		p := filepath.Join(b.Config.Dir, n)
		if err := os.Remove(p); err != nil {
			return removed, err
		}
		_ = os.Remove(backup.ManifestPath(p))
		removed++
	}
	return removed, nil
}
