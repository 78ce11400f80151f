package store

import (
	"net/url"
	"testing"
	"time"
)

func TestLimitsFromEnv(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	l, err := limitsFromEnv(get)
	if err != nil || l.maxConns != DefaultMaxConns || l.statement != DefaultStatementTime || l.idleInTx != DefaultIdleInTxTime {
		t.Fatalf("defaults: %+v %v", l, err)
	}
	dsn, err := l.apply("postgres://u@127.0.0.1:5432/db?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	q := mustQuery(t, dsn)
	if q.Get("statement_timeout") != "30000" || q.Get("idle_in_transaction_session_timeout") != "60000" || q.Get("sslmode") != "disable" {
		t.Errorf("dsn %s", dsn)
	}
	// The DSN's own setting wins.
	if dsn, _ := l.apply("postgres://u@h/db?statement_timeout=5000"); mustQuery(t, dsn).Get("statement_timeout") != "5000" {
		t.Errorf("dsn %s", dsn)
	}
	env = map[string]string{"KANSRIJK_DB_MAX_CONNS": "5", "KANSRIJK_DB_STATEMENT_TIMEOUT": "2s", "KANSRIJK_DB_IDLE_TX_TIMEOUT": "0"}
	if l, err := limitsFromEnv(get); err != nil || l.maxConns != 5 || l.statement != 2*time.Second || l.idleInTx != 0 {
		t.Errorf("from env: %+v %v", l, err)
	}
	for k, v := range map[string]string{"KANSRIJK_DB_MAX_CONNS": "0", "KANSRIJK_DB_STATEMENT_TIMEOUT": "soon", "KANSRIJK_DB_IDLE_TX_TIMEOUT": "-1s"} {
		env = map[string]string{k: v}
		if _, err := limitsFromEnv(get); err == nil {
			t.Errorf("%s=%s accepted", k, v)
		}
	}
}

func mustQuery(t *testing.T, dsn string) url.Values {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
