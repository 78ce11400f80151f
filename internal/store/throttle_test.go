package store_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// fastThrottle is the default policy with soft delays short enough for
// tests (the hard limits and the window are the real ones).
func fastThrottle(db *store.DB) *store.ThrottlePolicy {
	p := store.DefaultThrottle
	p.SoftBase, p.SoftCap = time.Millisecond, 20*time.Millisecond
	db.Throttle = &p
	return &p
}

func retryAfter(tb testing.TB, err error) int {
	tb.Helper()
	e, ok := apperr.As(err)
	if !ok {
		tb.Fatalf("not an apperr: %v", err)
	}
	n, _ := e.Args["RetryAfter"].(int)
	return n
}

func TestLoginThrottlePerAddress(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clock := UseFakeClock(db, time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
		p := fastThrottle(db)
		p.PerAddr = 8 // the real 50 only costs time here
		MustCreateUser(t, db, "jonas@example.test", account.Analyst, "opgroeien")
		for i := range p.PerPair {
			_, err := db.Login(ctx, "jonas@example.test", "wrong-password-"+strconv.Itoa(i), "192.0.2.20", "")
			WantCode(t, err, apperr.BadCredentials)
			clock.Advance(time.Second)
		}

		t.Run("FailedAddressRefusedEvenWithRightPassword", func(t *testing.T) {
			sessions := MustCount(t, db, `SELECT count(*) FROM sessions`)
			_, err := db.Login(ctx, "Jonas@example.test", testPassword, "192.0.2.20", "")
			WantCode(t, err, apperr.Throttled)
			if ra := retryAfter(t, err); ra <= 0 || ra > int(p.Window/time.Second) {
				t.Errorf("RetryAfter = %d s, want within the window", ra)
			}
			if n := MustCount(t, db, `SELECT count(*) FROM sessions`); n != sessions {
				t.Error("a throttled login opened a session")
			}
			if got := AuditActions(t, db, audit.Filter{Action: audit.LoginThrottle}); len(got) != 1 {
				t.Errorf("login.throttled events: %v, want 1", got)
			}
		})

		t.Run("OwnerFromAnotherAddressSignsIn", func(t *testing.T) {
			if _, err := db.Login(ctx, "jonas@example.test", testPassword, "192.0.2.21", ""); err != nil {
				t.Fatalf("login from an address that has not failed: %v", err)
			}
		})

		t.Run("ThrottledPerAddress", func(t *testing.T) {
			MustCreateUser(t, db, "other@example.test", account.Analyst, "opgroeien")
			for i := range p.PerAddr {
				_, err := db.Login(ctx, "guess"+strconv.Itoa(i)+"@example.test", "wrong-password-1", "198.51.100.7", "")
				WantCode(t, err, apperr.BadCredentials)
			}
			_, err := db.Login(ctx, "other@example.test", testPassword, "198.51.100.7", "")
			WantCode(t, err, apperr.Throttled)
			if _, err := db.Login(ctx, "other@example.test", testPassword, "198.51.100.8", ""); err != nil {
				t.Errorf("login from another address: %v", err)
			}
		})

		t.Run("AllowedAfterWindow", func(t *testing.T) {
			clock.Advance(p.Window)
			if _, err := db.Login(ctx, "jonas@example.test", testPassword, "192.0.2.20", ""); err != nil {
				t.Fatalf("login after the window: %v", err)
			}
		})

		t.Run("TableHoldsNoAddresses", func(t *testing.T) {
			if n := MustCount(t, db, `SELECT count(*) FROM login_throttle WHERE key LIKE '%@%' OR key LIKE '%192.0.2%'`); n != 0 {
				t.Errorf("%d throttle keys hold an e-mail or address in clear", n)
			}
		})
	})
}

// TestLoginNoLockout: 100 wrong passwords for an e-mail from other
// addresses do not keep the owner out; they only slow the owner down by
// the capped soft delay.
func TestLoginNoLockout(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		p := fastThrottle(db)
		p.SoftBase, p.SoftCap = 10*time.Millisecond, 200*time.Millisecond
		wait := store.PasswordCheckWait
		store.PasswordCheckWait = time.Minute // every guess is checked, none refused as busy
		t.Cleanup(func() { store.PasswordCheckWait = wait })
		MustCreateUser(t, db, "owner@example.test", account.Analyst, "opgroeien")
		// 100 guesses from 127.0.0.2 … 127.0.0.6, twenty each: the first
		// five of each address are checked, the rest refused unchecked.
		const guesses, addrs = 100, 5
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[string]int{}
		for a := range addrs {
			wg.Go(func() {
				for i := range guesses / addrs {
					_, err := db.Login(ctx, "owner@example.test", fmt.Sprintf("wrong-%d-%d", a, i), fmt.Sprintf("127.0.0.%d", a+2), "")
					mu.Lock()
					codes[apperr.Code(err)]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if codes[apperr.BadCredentials] != addrs*p.PerPair || codes[apperr.Throttled] != guesses-addrs*p.PerPair {
			t.Errorf("outcomes of the guesses: %v, want %d checked and the rest throttled", codes, addrs*p.PerPair)
		}
		start := time.Now()
		s, err := db.Login(ctx, "owner@example.test", testPassword, "127.0.0.1", "")
		if err != nil {
			t.Fatalf("the owner, from an address that has not failed, after %d guesses: %v", guesses, err)
		}
		if s.Actor.Email != "owner@example.test" {
			t.Errorf("session of %q", s.Actor.Email)
		}
		if d := time.Since(start); d < p.SoftCap {
			t.Errorf("login took %v: want the soft delay (cap %v) after %d failures", d, p.SoftCap, guesses)
		}
	})
}

// TestLoginThrottleRace: 40 parallel guesses for one e-mail from one
// address; at most the limit of them reach the password check.
func TestLoginThrottleRace(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		p := fastThrottle(db)
		MustCreateUser(t, db, "raced@example.test", account.Analyst, "opgroeien")
		const parallel = 40
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[string]int{}
		startGun := make(chan struct{})
		for i := range parallel {
			wg.Go(func() {
				<-startGun
				_, err := db.Login(context.Background(), "raced@example.test", "wrong-password-"+strconv.Itoa(i), "203.0.113.5", "")
				mu.Lock()
				codes[apperr.Code(err)]++
				mu.Unlock()
			})
		}
		close(startGun)
		wg.Wait()
		checked := codes[apperr.BadCredentials]
		if checked > p.PerPair || checked == 0 || checked+codes[apperr.Throttled] != parallel {
			t.Errorf("outcomes of %d parallel guesses: %v; want at most %d checked, the rest throttled", parallel, codes, p.PerPair)
		}
		if n := len(AuditActions(t, db, audit.Filter{Action: audit.LoginFailed})); n != checked {
			t.Errorf("%d login.failed events for %d checked guesses", n, checked)
		}
	})
}

// TestLoginBusy: over the cap on concurrent password checks a login is
// refused as busy with a Retry-After, and the refusal costs no attempt.
func TestLoginBusy(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		fastThrottle(db)
		store.SetPasswordChecks(1)
		wait := store.PasswordCheckWait
		store.PasswordCheckWait = time.Millisecond
		t.Cleanup(func() { store.SetPasswordChecks(0); store.PasswordCheckWait = wait })
		MustCreateUser(t, db, "busy@example.test", account.Analyst, "opgroeien")
		const parallel = 12
		var wg sync.WaitGroup
		errs := make([]error, parallel)
		for i := range parallel {
			wg.Go(func() {
				_, errs[i] = db.Login(context.Background(), "busy@example.test", testPassword, fmt.Sprintf("192.0.2.%d", 100+i), "")
			})
		}
		wg.Wait()
		ok, busy := 0, 0
		for _, err := range errs {
			switch e, _ := apperr.As(err); {
			case err == nil:
				ok++
			case e != nil && e.Key == "error.login_busy":
				busy++
				if retryAfter(t, err) < 1 {
					t.Errorf("busy without RetryAfter: %v", err)
				}
			default:
				t.Errorf("login: %v", err)
			}
		}
		if ok == 0 || busy == 0 {
			t.Errorf("%d signed in, %d busy: want both with one slot", ok, busy)
		}
		// Busy refusals were not counted: the address may still try.
		store.SetPasswordChecks(0)
		if _, err := db.Login(context.Background(), "busy@example.test", testPassword, "192.0.2.77", ""); err != nil {
			t.Errorf("login after busy refusals: %v", err)
		}
	})
}

// TestLoginThrottleIPv6: addresses of one IPv6 /64 count as one address.
func TestLoginThrottleIPv6(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		p := fastThrottle(db)
		for i := range p.PerPair {
			_, err := db.Login(ctx, "nobody@example.test", "wrong-password-1", fmt.Sprintf("2001:db8:1:2::%x", i+1), "")
			WantCode(t, err, apperr.BadCredentials)
		}
		pair, byAddr, _, err := db.LoginAttempts(ctx, "nobody@example.test", "2001:db8:1:2:ffff::1")
		if err != nil || pair != p.PerPair || byAddr != p.PerPair {
			t.Errorf("attempts of the /64: pair %d, address %d, %v; want %d", pair, byAddr, err, p.PerPair)
		}
		_, err = db.Login(ctx, "nobody@example.test", "wrong-password-1", "2001:db8:1:2:abcd::9", "")
		WantCode(t, err, apperr.Throttled)
		if pair, _, _, _ := db.LoginAttempts(ctx, "nobody@example.test", "2001:db8:1:3::1"); pair != 0 {
			t.Errorf("another /64 has %d attempts", pair)
		}
	})
}
