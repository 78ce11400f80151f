package store

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Connection limits of the PostgreSQL pool. A request that holds a
// transaction never asks the pool for a second connection (see Tx): with
// that rule a pool of any size drains instead of deadlocking. The time
// limits end what still gets stuck (a lock held by a crashed client, a
// runaway query) with an error instead of a hang.
const (
	DefaultMaxConns      = 20
	DefaultStatementTime = 30 * time.Second
	DefaultIdleInTxTime  = 60 * time.Second
)

// limits are the pool's size and the server-side time limits set on every
// connection.
type limits struct {
	maxConns  int
	statement time.Duration // statement_timeout
	idleInTx  time.Duration // idle_in_transaction_session_timeout
}

// limitsFromEnv reads KANSRIJK_DB_MAX_CONNS, KANSRIJK_DB_STATEMENT_TIMEOUT
// and KANSRIJK_DB_IDLE_TX_TIMEOUT (Go durations such as 30s; 0 switches a
// limit off).
func limitsFromEnv(getenv func(string) string) (limits, error) {
	l := limits{maxConns: DefaultMaxConns, statement: DefaultStatementTime, idleInTx: DefaultIdleInTxTime}
	if v := getenv("KANSRIJK_DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return l, fmt.Errorf("KANSRIJK_DB_MAX_CONNS must be a positive number, got %q", v)
		}
		l.maxConns = n
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"KANSRIJK_DB_STATEMENT_TIMEOUT", &l.statement}, {"KANSRIJK_DB_IDLE_TX_TIMEOUT", &l.idleInTx}} {
		v := getenv(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t < 0 {
			return l, fmt.Errorf("%s must be a duration such as 30s, got %q", d.name, v)
		}
		*d.dst = t
	}
	return l, nil
}

// apply adds the time limits to a postgres:// DSN as run-time parameters
// of every connection, unless the DSN sets them itself.
func (l limits) apply(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("parse PostgreSQL DSN: %w", err)
	}
	q := u.Query()
	if q.Get("statement_timeout") == "" {
		q.Set("statement_timeout", strconv.FormatInt(l.statement.Milliseconds(), 10))
	}
	if q.Get("idle_in_transaction_session_timeout") == "" {
		q.Set("idle_in_transaction_session_timeout", strconv.FormatInt(l.idleInTx.Milliseconds(), 10))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}
