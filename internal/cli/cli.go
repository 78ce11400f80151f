// Package cli is the kansrijk command line: serve, migrate, demo, user
// create, token create, version. Each subcommand parses its own flags and
// returns an error; Run turns errors into a message and an exit code.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"kansrijk/internal/store"
)

// Env is the outside world of a command: streams and environment.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, receives the server's address once it listens (tests).
	Ready func(addr string)
	// Executable is this program's path, for a command that starts it
	// again as a child (bench: the measured server); "" in tests.
	Executable string
}

// usageError is wrong use of the command line: exit code 2 with usage.
type usageError struct{ msg, usage string }

func (e *usageError) Error() string { return e.msg }

const usage = `kansrijk — early detection of families in poverty (Kind en Gezin ↔ OCMW)

Usage:
  kansrijk serve   [--db DSN] [--addr HOST:PORT] [--demo] [--backup-dir DIR] [--backup-interval D] [--backup-keep N]
  kansrijk migrate [--db DSN]
  kansrijk demo    [--db DSN]
  kansrijk user create --email E --role ROLE --org ORG [--name NAME] [--password-stdin] [--db DSN]
  kansrijk token create --email E [--label L] [--db DSN]
  kansrijk token revoke --id ID [--db DSN]
  kansrijk retention [--dry-run] [--db DSN]
  kansrijk report agreements [--as-of YYYY-MM-DD] [--known-at YYYY-MM-DD] [--region flanders|brussels|all] [--format text|csv|json] [--db DSN]
  kansrijk report parliament --as-of YYYY-MM-DD [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out DIR] [--db DSN]
  kansrijk audit witness --url BASE_URL --state FILE [--key VKEY]
  kansrijk audit keygen --out FILE
  kansrijk audit verify [--key VKEY] [--db DSN]
  kansrijk backup  --out FILE [--db DSN]
  kansrijk restore --from FILE --db DSN [--force] [--key VKEY]
  kansrijk import births FILE --clinic KEY [--accept-partial] [--db DSN]
  kansrijk bench   [--db DSN] [--scale tiny|small|full] [--out bench/results.json] [--only NAME,…] [--fresh [--skip-unreachable]] [--phase D] [--cpuprofile FILE] [--blockprofile FILE]
  kansrijk config check [--config FILE] [--db DSN] [--addr HOST:PORT] [--backup-dir DIR] …
  kansrijk healthcheck [--url http://127.0.0.1:8080/healthz] [--timeout 5s]
  kansrijk version

DSN: a file path or sqlite:PATH (SQLite), or postgres://… (PostgreSQL).
--db defaults to $KANSRIJK_DB, else ` + store.DefaultPath + `.
Configuration: flags > environment (KANSRIJK_*) > file (--config FILE, for
every command, or $KANSRIJK_CONFIG; KEY=value lines); kansrijk config check
lists every setting.
Roles: admin, team_lead, team_worker, ocmw_worker, ocmw_admin, clinic, dpo, analyst.
Organisations: opgroeien, ocmw-<NIS>, caw-brussel, team-<slug>, clinic-<slug>.
`

// Run runs the command line and returns the exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	err := run(ctx, args, env)
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(env.Stderr, "kansrijk: %s\n\n%s", ue.msg, ue.usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(env.Stdout, usage)
		return 0
	}
	fmt.Fprintf(env.Stderr, "kansrijk: %s\n", err)
	return 1
}

func run(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return &usageError{"no command given", usage}
	}
	// ops: --config FILE or KANSRIJK_CONFIG for every command; serve and
	// config check read it themselves (config.go).
	if args[0] != "serve" && args[0] != "config" && args[0] != "healthcheck" {
		var err error
		if args, env, err = withConfigFile(args, env); err != nil {
			return err
		}
		if len(args) == 0 {
			return &usageError{"no command given", usage}
		}
	}
	// The witness of the audit log (witness.go).
	if len(args) >= 2 && args[0] == "audit" && args[1] == "witness" {
		return auditWitness(ctx, args[2:], env)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], env)
	case "migrate":
		return migrate(ctx, args[1:], env)
	case "demo":
		return demoCmd(ctx, args[1:], env)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			return &usageError{"use: kansrijk user create …", usage}
		}
		return userCreate(ctx, args[2:], env)
	case "token":
		if len(args) >= 2 && args[1] == "create" {
			return tokenCreate(ctx, args[2:], env)
		}
		if len(args) >= 2 && args[1] == "revoke" {
			return tokenRevoke(ctx, args[2:], env)
		}
		return &usageError{"use: kansrijk token create … or kansrijk token revoke …", usage}
	case "report":
		if len(args) >= 2 && args[1] == "parliament" {
			return reportParliament(ctx, args[2:], env)
		}
		if len(args) < 2 || args[1] != "agreements" {
			return &usageError{"use: kansrijk report agreements … or kansrijk report parliament …", usage}
		}
		return reportAgreements(ctx, args[2:], env)
	case "retention":
		return retention(ctx, args[1:], env)
	case "audit":
		return audit(ctx, args[1:], env)
	// backup: online copies and verified restores (backup.go).
	case "backup":
		return backupCmd(ctx, args[1:], env)
	case "restore":
		return restoreCmd(ctx, args[1:], env)
	case "bench": // bench: the measuring harness (bench.go)
		return benchCmd(ctx, args[1:], env)
	// ops: configuration check and the container's health check (config.go, healthcheck.go).
	case "config":
		return configCmd(ctx, args[1:], env)
	case "healthcheck":
		return healthcheck(ctx, args[1:], env)
	// Area import: bulk birth imports (importcmd.go).
	case "import":
		return importCmd(ctx, args[1:], env)
	case "version", "--version", "-v":
		fmt.Fprintln(env.Stdout, "kansrijk", Version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	}
	return &usageError{fmt.Sprintf("unknown command %q", args[0]), usage}
}

// Version returns the module version and VCS revision, if known.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return strings.TrimSpace(v)
}

// flags returns a flag set that reports errors instead of exiting.
func flags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("kansrijk "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses flags and rejects stray arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error(), usage}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0)), usage}
	}
	return nil
}

func dbFlag(fs *flag.FlagSet, env Env) *string {
	def := env.Getenv("KANSRIJK_DB")
	if def == "" {
		def = store.DefaultPath
	}
	return fs.String("db", def, "database DSN")
}

func open(ctx context.Context, dsn string) (*store.DB, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	slog.Debug("database open", "dialect", db.Dialect(), "dsn", db.Redacted)
	return db, nil
}
