package bench

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Load is the outcome of one load phase.
type Load struct {
	Requests   uint64
	Throughput float64 // successful requests per second
	P50, P99   time.Duration
	Success    float64 // share of 2xx answers
	Codes      map[string]int
}

// attack runs vegeta against 127.0.0.1 for at most d: with rate 0, a
// closed loop of clients workers (each sends its next request when its
// answer came: the maximum throughput at that many clients); with a rate,
// an open loop at that many requests per second. Vegeta is the load
// generator: its latencies are exact (t-digest quantiles) and it is the
// same tool for the baseline and the measured handler.
func attack(tr vegeta.Targeter, clients int, rate float64, d time.Duration) Load {
	opts := []func(*vegeta.Attacker){vegeta.Workers(uint64(clients)), vegeta.KeepAlive(true),
		vegeta.Connections(clients), vegeta.MaxConnections(clients), vegeta.Timeout(30 * time.Second)}
	pacer := vegeta.Rate{Freq: int(rate), Per: time.Second}
	if rate <= 0 {
		opts = append(opts, vegeta.MaxWorkers(uint64(clients)))
		pacer = vegeta.Rate{Freq: 0}
	}
	a := vegeta.NewAttacker(opts...)
	var m vegeta.Metrics
	for res := range a.Attack(tr, pacer, d, "bench") {
		m.Add(res)
	}
	m.Close()
	return Load{Requests: m.Requests, Throughput: m.Throughput, P50: m.Latencies.P50, P99: m.Latencies.P99,
		Success: m.Success, Codes: m.StatusCodes}
}

// get is a targeter of one GET with a bearer token.
func get(url, token string) vegeta.Targeter {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return vegeta.NewStaticTargeter(vegeta.Target{Method: "GET", URL: url, Header: h})
}

// posts is a targeter of POSTs whose body body(n) makes for the n-th.
func posts(url, token string, body func(n int64) []byte) vegeta.Targeter {
	var n atomic.Int64
	return func(t *vegeta.Target) error {
		t.Method, t.URL = "POST", url
		t.Header = http.Header{"Content-Type": {"application/json"}}
		if token != "" {
			t.Header.Set("Authorization", "Bearer "+token)
		}
		t.Body = body(n.Add(1))
		return nil
	}
}

// hello is the baseline: the smallest net/http handler answering JSON,
// reading the body of a POST.
func hello() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Method == "POST" {
			w.WriteHeader(http.StatusCreated)
		}
		_, _ = w.Write(helloBody)
	})
}

var helloBody = bytes.Repeat([]byte(`{"hello":"world"}`), 1)
