package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"kansrijk/internal/demo"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/jobs"
	"kansrijk/internal/notify"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
)

func serve(ctx context.Context, args []string, env Env) error {
	// Area ops: the configuration file (--config or KANSRIJK_CONFIG) lies
	// below the environment, which lies below the flags (config.go).
	env, cfg, err := loadConfig(args, env)
	if err != nil {
		return err
	}
	fs := flags("serve", env)
	configFlag(fs, env)
	dsn := dbFlag(fs, env)
	addr := addrFlag(fs, env)
	withDemo := fs.Bool("demo", false, "load demo data into an empty database")
	backupSettings := addBackupFlags(fs, env) // area backup: scheduled backups (backup.go)
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return &usageError{fmt.Sprintf("invalid --addr %q: want HOST:PORT", *addr), usage}
	}
	if len(cfg.File) > 0 {
		// Packages that read the process environment themselves (request
		// deadlines, database limits, DPO alerts) see the file too.
		if err := cfg.Export(); err != nil {
			return err
		}
		slog.SetDefault(Logger(env.Stderr, env.Getenv))
	}
	for _, p := range cfg.Check() {
		slog.Warn("configuration", "problem", p.Error())
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	closeDB := sync.OnceValue(db.Close)
	defer closeDB()
	// Area ops: background work ends when serve stops it, after the
	// requests in flight, not at the signal (shutdown.go).
	bgctx := context.WithoutCancel(ctx)
	if *withDemo {
		empty, err := demo.IsEmpty(ctx, db)
		if err != nil {
			return err
		}
		if empty {
			fmt.Fprintln(env.Stdout, "Loading demo data…")
			if err := demo.Load(ctx, db); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(env.Stdout, "The database is not empty: demo data not loaded (the demo accounts exist only if it was loaded before).")
		}
	}
	srv, err := server.New(db)
	if err != nil {
		return err
	}
	// Area gdpr: the record of processing activities states the births' retention in force.
	if births, err := jobs.BirthPolicyFromEnv(env.Getenv); err == nil {
		rpa := gdpr.DefaultConfig()
		rpa.Births = births
		srv.API.GDPRConfig, srv.Web.GDPRConfig = &rpa, &rpa
	}
	// The verifiable access log: sequencing, checkpoints, daily check (audit.go).
	auditLog, stopAudit, err := startAuditLog(bgctx, db, env, *dsn, *withDemo)
	if err != nil {
		return err
	}
	defer stopAudit()
	srv.UseAuditLog(auditLog)
	// Area mailing: outreach mailings use the same SMTP settings as the notices.
	mailCfg, err := notify.ConfigFromEnv(env.Getenv)
	if err != nil {
		return err
	}
	srv.UseMail(mailCfg)
	metricsAccess, err := server.ParseMetricsAccess(env.Getenv("KANSRIJK_METRICS_TOKEN"), env.Getenv("KANSRIJK_METRICS_ALLOW"))
	if err != nil {
		return err
	}
	srv.SetMetricsAccess(metricsAccess)
	// Area sso: single sign-on with OpenID Connect (sso.go).
	if err := startSSO(ctx, srv, env.Getenv); err != nil {
		return err
	}
	// Area ops: the public address and proxies (cookies, HSTS, client
	// addresses) and how a stop drains (shutdown.go).
	shutdown, err := shutdownFromEnv(env.Getenv)
	if err != nil {
		return err
	}
	srv.SetShutdown(shutdown)
	transport, err := httpx.NewTransport(env.Getenv("KANSRIJK_BASE_URL"), env.Getenv("KANSRIJK_TRUSTED_PROXIES"))
	if err != nil {
		return err
	}
	srv.SetTransport(transport)
	if v := env.Getenv("KANSRIJK_PASSWORD_CHECKS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return fmt.Errorf("KANSRIJK_PASSWORD_CHECKS: want a number from 1 to 64, got %q", v)
		}
		store.SetPasswordChecks(n)
	}
	// A soft memory limit, unless GOMEMLIMIT sets one: the garbage of
	// finished password checks (64 MiB each) is collected before the heap
	// grows past the checks in flight and some room for the rest.
	if env.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(store.PasswordChecks())*store.PasswordCheckMemory + 32<<20)
	}
	// Identity: links in password e-mails, and the sessions' idle timeout.
	db.BaseURL = mailCfg.BaseURL
	if v := env.Getenv("KANSRIJK_SESSION_IDLE_MINUTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 24*60 {
			return fmt.Errorf("KANSRIJK_SESSION_IDLE_MINUTES=%q: want whole minutes from 1 to 1440", v)
		}
		db.SessionIdle = time.Duration(n) * time.Minute
	}
	stopBackground, err := startBackground(bgctx, db, env)
	if err != nil {
		return err
	}
	defer stopBackground()
	// Area backup: the scheduled backups (backup.go).
	stopBackups, err := startBackups(bgctx, db, *dsn, backupSettings)
	if err != nil {
		return err
	}
	defer stopBackups()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + displayAddr(ln.Addr().String())
	fmt.Fprintf(env.Stdout, "Kansrijk %s listening on %s (database: %s %s)\n", Version(), url, db.Dialect(), db.Redacted)
	if *withDemo {
		fmt.Fprintf(env.Stdout, "\nDemo accounts (password %q), sign in at %s/login:\n", demo.Password, url)
		for _, a := range append(demo.Accounts[:len(demo.Accounts):len(demo.Accounts)], demo.ExtraAccounts...) {
			fmt.Fprintf(env.Stdout, "  %-12s %-32s %s\n", a.Role, a.Email, a.Org)
		}
		// The family's view: receipt codes and postcodes to try it with.
		if codes, err := demo.FamilyCodes(ctx, db); err == nil && len(codes) > 0 {
			fmt.Fprintf(env.Stdout, "\nDemo families (receipt code and postcode), see who accessed their data at %s/ontvangstbewijs:\n", url)
			for _, c := range codes {
				fmt.Fprintf(env.Stdout, "  %-18s %s  (%s)\n", c.Code, c.Postcode, c.Status)
			}
		}
		fmt.Fprintln(env.Stdout)
	}
	fmt.Fprintln(env.Stdout, "Press Ctrl-C to stop.")
	if env.Ready != nil {
		env.Ready(ln.Addr().String())
	}
	err = srv.Serve(ctx, ln) // area ops: drains, then waits for requests in flight (server/transport.go)
	slog.Info("shutdown: stopping background jobs (outbox, daily jobs) at a safe point")
	stopBackground() // outbox deliverer and daily jobs: wait for them
	stopBackups()    // area backup: a running scheduled backup ends first
	slog.Info("shutdown: background jobs stopped; signing the final audit checkpoint")
	stopAudit() // the last events into the tree, under a signed checkpoint
	logFinalCheckpoint(auditLog)
	if cerr := closeDB(); cerr != nil {
		slog.Error("shutdown: closing the database", "error", cerr)
		err = errors.Join(err, cerr)
	} else {
		slog.Info("shutdown: database closed")
	}
	fmt.Fprintln(env.Stdout, "Stopped.")
	return err
}

func displayAddr(a string) string {
	host, port, _ := net.SplitHostPort(a)
	if host == "127.0.0.1" || host == "::1" || host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}
