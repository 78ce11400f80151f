package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"

	"kansrijk/internal/config"
)

// configArg returns the value of --config (or -config) in args, "" when
// absent: serve must read the file before its flags get their defaults.
func configArg(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		for _, p := range []string{"--config", "-config"} {
			if a == p && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(a, p+"="); ok {
				return v
			}
		}
	}
	return ""
}

// loadConfig reads the configuration file named in args or by
// KANSRIJK_CONFIG and returns env reading the file below the environment
// (see package config); env is unchanged when there is no file.
func loadConfig(args []string, env Env) (Env, config.Config, error) {
	c, err := config.Load(configArg(args), env.Getenv)
	if err != nil {
		return env, c, err
	}
	if len(c.File) > 0 {
		env.Getenv = c.Getenv
	}
	return env, c, nil
}

// configFlag declares --config, whose value loadConfig has read already.
func configFlag(fs *flag.FlagSet, env Env) *string {
	return fs.String("config", env.Getenv(config.FileEnv), "configuration file of KEY=value lines (see kansrijk config check)")
}

// addrFlag is serve's --addr, by default KANSRIJK_ADDR or 127.0.0.1:8080.
func addrFlag(fs *flag.FlagSet, env Env) *string {
	def := env.Getenv("KANSRIJK_ADDR")
	if def == "" {
		def = "127.0.0.1:8080"
	}
	return fs.String("addr", def, "listen address HOST:PORT")
}

// configCmd is `kansrijk config check`: validate every setting and print
// the effective configuration with secrets masked.
func configCmd(_ context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "check" {
		return &usageError{"use: kansrijk config check [--config FILE]", usage}
	}
	args = args[1:]
	fenv, cfg, err := loadConfig(args, env)
	if err != nil {
		return err
	}
	fs := flags("config check", fenv)
	configFlag(fs, fenv)
	dbFlag(fs, fenv)
	addrFlag(fs, fenv)
	addBackupFlags(fs, fenv)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.Flags = map[string]string{}
	fs.Visit(func(f *flag.Flag) {
		for _, s := range config.Settings {
			if s.Flag != "" && s.Flag == f.Name {
				cfg.Flags[s.Key] = f.Value.String()
			}
		}
	})
	if p := configArg(args); p != "" {
		fmt.Fprintf(env.Stdout, "Configuration file: %s\n", p)
	} else if p := env.Getenv(config.FileEnv); p != "" {
		fmt.Fprintf(env.Stdout, "Configuration file: %s (%s)\n", p, config.FileEnv)
	} else {
		fmt.Fprintln(env.Stdout, "Configuration file: none")
	}
	fmt.Fprintln(env.Stdout, "Effective configuration (flags > environment > file > default; secrets masked):")
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	for _, l := range cfg.Effective() {
		v := l.Value
		if v == "" {
			v = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t(%s)\n", l.Key, v, l.Source)
	}
	tw.Flush()
	problems := cfg.Check()
	if len(problems) == 0 {
		fmt.Fprintln(env.Stdout, "OK: the configuration is valid.")
		return nil
	}
	fmt.Fprintf(env.Stderr, "%d problem(s) in the configuration:\n", len(problems))
	for _, p := range problems {
		fmt.Fprintf(env.Stderr, "  - %s\n", p)
	}
	return errors.New("the configuration is not valid")
}

// withConfigFile gives every other command the configuration file too:
// it takes --config FILE out of args and, when a file is named there or
// by KANSRIJK_CONFIG, reads the file below the environment (also for the
// packages that read the process environment themselves).
func withConfigFile(args []string, env Env) ([]string, Env, error) {
	path := configArg(args)
	if path != "" {
		rest := make([]string, 0, len(args))
		for i := 0; i < len(args); i++ {
			switch a := args[i]; {
			case a == "--":
				rest = append(rest, args[i:]...)
				i = len(args)
			case a == "--config" || a == "-config":
				i++
			case strings.HasPrefix(a, "--config=") || strings.HasPrefix(a, "-config="):
			default:
				rest = append(rest, a)
			}
		}
		args = rest
	}
	c, err := config.Load(path, env.Getenv)
	if err != nil || len(c.File) == 0 {
		return args, env, err
	}
	if err := c.Export(); err != nil {
		return args, env, err
	}
	env.Getenv = c.Getenv
	slog.SetDefault(Logger(env.Stderr, env.Getenv))
	return args, env, nil
}
