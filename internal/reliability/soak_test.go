package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/api"
	"kansrijk/internal/store"
)

// TestSoak runs a realistic mix of clients against a kansrijk serve process
// on 127.0.0.1: local team workers creating, consenting and sending
// referrals; OCMW workers reading the inbox and a referral, recording a
// contact attempt and the outcome; admins and analysts reading reports;
// maternity clinics uploading CSV batches; anonymous visitors reading the
// public register and looking up receipts. It fails on any answer that is
// not 2xx (none of the requests has another expected answer), and when
// memory grows after warm-up: the highest VmRSS of the last third of the
// run must be within 15% (or 16 MiB) of the highest of the middle third.
// KANSRIJK_SOAK_CLIENTS (default 50) and KANSRIJK_SOAK_DURATION (default
// 20s) per database; `make soak`: 200 clients for 10 minutes.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak harness: not in -short")
	}
	clients := envInt(t, "KANSRIJK_SOAK_CLIENTS", 50)
	dur := envDuration(t, "KANSRIJK_SOAK_DURATION", 20*time.Second)
	forEachDatabase(t, func(t *testing.T, d store.Dialect, dsn string) {
		tokens := loadDemo(t, dsn, teamWorker, ocmwWorker, clinicUser, adminUser, analystUser)
		srv := newServer(t, dsn)
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		s := &soak{srv: srv, tokens: tokens, sent: make(chan sentRef, 100000), stats: map[string]*kindStats{},
			born: time.Now().AddDate(0, 0, -3)}
		ctx, cancel := context.WithTimeout(context.Background(), dur)
		defer cancel()
		var wg sync.WaitGroup
		wg.Go(func() { s.sampleMemory(ctx) })
		started := time.Now()
		for i := range clients {
			wg.Go(func() { s.client(ctx, i) })
		}
		wg.Wait()
		took := time.Since(started)
		srv.Stop()
		fig := s.figures(d, clients, dur, took)
		writeFigures(t, fmt.Sprintf("soak-%s.json", d), fig)
		t.Logf("soak %s: %d clients, %s, %d requests, %d errors, rss %s", d, clients, took.Round(time.Second), fig.Requests, fig.Errors, fig.Memory.Verdict)
		for _, k := range fig.Kinds {
			t.Logf("  %-22s n=%-7d err=%-4d p50=%-8s p99=%-8s max=%s", k.Kind, k.Count, k.Errors, k.P50, k.P99, k.Max)
		}
		for _, e := range fig.ErrorSamples {
			t.Errorf("error: %s", e)
		}
		if fig.Errors > 0 {
			t.Errorf("%d errors under load", fig.Errors)
		}
		if !fig.Memory.Flat {
			t.Errorf("memory not flat after warm-up: %s", fig.Memory.Verdict)
		}
		if fig.Requests == 0 {
			t.Errorf("no requests were made")
		}
	})
}

type sentRef struct {
	id      int64
	receipt string
}

type kindStats struct {
	lat    []time.Duration
	errors int
}

type soak struct {
	srv    *Server
	tokens map[string]string
	sent   chan sentRef // sent referrals, for the OCMW workers
	born   time.Time

	mu       sync.Mutex
	stats    map[string]*kindStats
	samples  []string
	receipts []string // receipt codes known so far
	rss      []rssSample
}

type rssSample struct {
	At  time.Duration
	KiB int64
}

// record adds one request's outcome; ok false counts as an error.
func (s *soak) record(kind string, took time.Duration, ok bool, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.stats[kind]
	if k == nil {
		k = &kindStats{}
		s.stats[kind] = k
	}
	k.lat = append(k.lat, took)
	if !ok {
		k.errors++
		if k.errors <= 2 { // the first two of each kind
			s.samples = append(s.samples, kind+": "+detail)
		}
	}
}

// call sends one request and records it; the run's end (the context) is
// not an error.
func (s *soak) call(ctx context.Context, c *client, kind, method, path, ctype string, body []byte) (int, []byte, bool) {
	began := time.Now()
	status, resp, err := c.do(ctx, method, path, ctype, body)
	took := time.Since(began)
	if ctx.Err() != nil {
		return 0, nil, false
	}
	switch {
	case err != nil:
		s.record(kind, took, false, fmt.Sprintf("%s %s: %v", method, path, err))
		return 0, nil, false
	case status < 200 || status > 299:
		s.record(kind, took, false, fmt.Sprintf("%s %s: %d %s", method, path, status, truncate(resp, 300)))
		return status, resp, false
	}
	s.record(kind, took, true, "")
	return status, resp, true
}

// sampleMemory reads the server's VmRSS every second.
func (s *soak) sampleMemory(ctx context.Context) {
	start := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if kib, err := s.srv.RSS(); err == nil {
				s.mu.Lock()
				s.rss = append(s.rss, rssSample{time.Since(start), kib})
				s.mu.Unlock()
			}
		}
	}
}

// think pauses like a person or a system between two requests (0–100 ms).
func think(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(time.Duration(rand.IntN(100)) * time.Millisecond):
	}
}

// client i plays one role until the context ends: 3 in 10 team workers,
// 3 in 10 OCMW workers, 1 in 10 admins or analysts, 1 in 10 clinics,
// 2 in 10 anonymous visitors.
func (s *soak) client(ctx context.Context, i int) {
	var play func(context.Context, *client, int)
	var who string
	switch i % 10 {
	case 0, 3, 6:
		who, play = teamWorker, s.teamWorker
	case 1, 4, 7:
		who, play = ocmwWorker, s.ocmwWorker
	case 2:
		who, play = adminUser, s.reader
		if i%20 == 12 {
			who = analystUser
		}
	case 5:
		who, play = clinicUser, s.clinic
	default:
		who, play = "", s.public
	}
	c := newClient(s.srv.URL(), s.tokens[who], 60*time.Second)
	defer c.http.CloseIdleConnections()
	for n := 0; ctx.Err() == nil; n++ {
		play(ctx, c, i*1_000_000+n)
		think(ctx)
	}
}

// teamWorker: a whole referral flow, then reads it back.
func (s *soak) teamWorker(ctx context.Context, c *client, n int) {
	_, resp, ok := s.call(ctx, c, "referral.create", "POST", "/api/v1/referrals", "", referralBody("Fictief Soak "+letters(n, 8)))
	if !ok {
		return
	}
	var ref struct {
		ID      int64  `json:"id"`
		Receipt string `json:"receipt_code"`
	}
	_ = json.Unmarshal(resp, &ref)
	path := fmt.Sprintf("/api/v1/referrals/%d", ref.ID)
	think(ctx)
	if _, _, ok := s.call(ctx, c, "referral.consent", "POST", path+"/consents", "", consentBody); !ok {
		return
	}
	think(ctx)
	if _, _, ok := s.call(ctx, c, "referral.send", "POST", path+"/send", "", nil); !ok {
		return
	}
	s.mu.Lock()
	s.receipts = append(s.receipts, ref.Receipt)
	s.mu.Unlock()
	select {
	case s.sent <- sentRef{ref.ID, ref.Receipt}:
	default:
	}
	think(ctx)
	s.call(ctx, c, "referral.read.team", "GET", path, "", nil)
}

// ocmwWorker: the inbox, then one referral: read, a contact attempt, the
// outcome (so the inbox stays as long as the OCMW keeps up).
func (s *soak) ocmwWorker(ctx context.Context, c *client, n int) {
	if _, _, ok := s.call(ctx, c, "inbox", "GET", "/api/v1/inbox", "", nil); !ok {
		return
	}
	// Each sent referral goes to one worker, as cases are assigned.
	var ref sentRef
	select {
	case ref = <-s.sent:
	default:
		return
	}
	path := fmt.Sprintf("/api/v1/referrals/%d", ref.id)
	think(ctx)
	_, resp, ok := s.call(ctx, c, "referral.read.ocmw", "GET", path, "", nil)
	if !ok {
		return
	}
	var cur struct {
		Version int `json:"version"`
	}
	_ = json.Unmarshal(resp, &cur)
	think(ctx)
	_, resp, ok = s.call(ctx, c, "referral.contact_attempt", "POST", path+"/contact-attempts", "",
		jsonBody(map[string]any{"channel": "phone", "reached": true, "version": cur.Version}))
	if !ok {
		return
	}
	_ = json.Unmarshal(resp, &cur)
	think(ctx)
	outcome := map[string]any{"outcome": "declined", "version": cur.Version}
	if n%2 == 0 {
		outcome = map[string]any{"outcome": "rights_opened", "rights": []string{"leefloon"}, "version": cur.Version}
	}
	s.call(ctx, c, "referral.outcome", "POST", path+"/outcome", "", jsonBody(outcome))
}

// reader: an admin's or analyst's reports, in turn.
func (s *soak) reader(ctx context.Context, c *client, n int) {
	today := api.Today(time.Now()).Format(time.DateOnly)
	switch n % 4 {
	case 0:
		s.call(ctx, c, "report.agreements", "GET", "/api/v1/reports/agreements?as_of="+today, "", nil)
	case 1:
		s.call(ctx, c, "report.births", "GET", "/api/v1/reports/birth-notifications", "", nil)
	case 2:
		s.call(ctx, c, "report.missed_referrals", "GET", "/api/v1/reports/missed-referrals", "", nil)
	default:
		s.call(ctx, c, "report.outreach", "GET", "/api/v1/reports/outreach?as_of="+today, "", nil)
	}
}

// clinic: a CSV batch of 5 births, and now and then the clinic's list.
func (s *soak) clinic(ctx context.Context, c *client, n int) {
	if n%3 == 2 {
		s.call(ctx, c, "birth.list.clinic", "GET", "/api/v1/birth-notifications?limit=50", "", nil)
		return
	}
	s.call(ctx, c, "birth.batch", "POST", "/api/v1/birth-notifications/batches", "text/csv; charset=utf-8", batchCSV("Soak "+letters(n, 8), 5, s.born))
}

// public: the register, and receipt lookups by families.
func (s *soak) public(ctx context.Context, c *client, n int) {
	if n%2 == 0 {
		s.call(ctx, c, "public.register", "GET", "/api/v1/public/agreements", "", nil)
		return
	}
	s.mu.Lock()
	code := ""
	if len(s.receipts) > 0 {
		code = s.receipts[rand.IntN(len(s.receipts))]
	}
	s.mu.Unlock()
	if code == "" {
		s.call(ctx, c, "public.register", "GET", "/api/v1/public/agreements", "", nil)
		return
	}
	_, body, ok := s.call(ctx, c, "receipt.lookup", "POST", "/ontvangstbewijs", "application/x-www-form-urlencoded",
		[]byte(url.Values{"code": {code}}.Encode()))
	if ok && !strings.Contains(string(body), code) {
		s.record("receipt.lookup.content", 0, false, "the receipt page does not show the code "+code)
	}
}

// Memory flatness (MemoryFigures): VmRSS sampled every second. The run is cut in thirds;
// the first is warm-up. Flat: the highest sample of the last third is at
// most 15% above the highest of the middle third, or at most 16 MiB above
// it where that is more (a process of 50 MiB moves by 7 MiB with one
// garbage collection more or less).
const memorySlackKiB = 16 << 10

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * q)
	return sorted[i]
}

func (s *soak) figures(d store.Dialect, clients int, dur, took time.Duration) SoakFigures {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := SoakFigures{Harness: "soak", Database: string(d), FinishedAt: time.Now().UTC().Format(time.RFC3339), Machine: machine(),
		Clients: clients, Duration: dur.String(), ErrorSamples: slices.Clone(s.samples)}
	if f.ErrorSamples == nil {
		f.ErrorSamples = []string{}
	}
	var kinds []string
	for k := range s.stats {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		st := s.stats[k]
		lat := slices.Clone(st.lat)
		slices.Sort(lat)
		f.Requests += len(lat)
		f.Errors += st.errors
		f.Kinds = append(f.Kinds, KindFigures{Kind: k, Count: len(lat), Errors: st.errors, P50: quantile(lat, 0.50).Round(100 * time.Microsecond).String(),
			P99: quantile(lat, 0.99).Round(100 * time.Microsecond).String(), Max: quantile(lat, 1).Round(100 * time.Microsecond).String()})
	}
	f.PerSecond = float64(f.Requests) / took.Seconds()
	f.Memory = memoryVerdict(s.rss)
	return f
}

// memoryVerdict applies the flatness rule to the samples.
func memoryVerdict(rss []rssSample) MemoryFigures {
	m := MemoryFigures{Samples: len(rss)}
	if len(rss) < 6 {
		m.Verdict = fmt.Sprintf("only %d samples: too short to judge", len(rss))
		m.Flat = len(rss) > 0
		return m
	}
	mib := func(kib int64) float64 { return float64(kib*100/1024) / 100 }
	maxOf := func(xs []rssSample) int64 {
		var hi int64
		for _, x := range xs {
			hi = max(hi, x.KiB)
		}
		return hi
	}
	third := len(rss) / 3
	warm, mid, last := rss[:third], rss[third:2*third], rss[2*third:]
	m.StartMiB, m.EndMiB = mib(rss[0].KiB), mib(rss[len(rss)-1].KiB)
	m.WarmupMaxMiB, m.MiddleMaxMiB, m.LastMaxMiB = mib(maxOf(warm)), mib(maxOf(mid)), mib(maxOf(last))
	m.Growth = float64(int(float64(maxOf(last))/float64(maxOf(mid))*1000)) / 1000
	limit := max(maxOf(mid)*115/100, maxOf(mid)+memorySlackKiB)
	m.LimitMiB = mib(limit)
	m.Flat = maxOf(last) <= limit
	m.Verdict = fmt.Sprintf("max VmRSS last third %.1f MiB, middle third %.1f MiB (×%.3f; limit %.1f MiB)", m.LastMaxMiB, m.MiddleMaxMiB, m.Growth, m.LimitMiB)
	return m
}
