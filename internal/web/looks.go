package web

import (
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/i18n"
)

// Internal codes never reach users: the program's own work is recorded
// with "system" as its author and, since issue 12, a source saying what
// it was (account.Program: the demo loader, a daily job, a command of the
// command line, a migration); pages show it in words.

func init() {
	funcs["author"] = author
}

// author is who recorded something, for a page: the e-mail address of a
// person, or the program's own work in words — what it was when the
// source is known (the optional third argument, e.g. "job:retention"),
// else the generic text of older rows.
func author(lang i18n.Lang, by string, source ...string) string {
	if by != account.SystemEmail && by != "" {
		return by
	}
	if len(source) > 0 && source[0] != "" {
		if s := authorSource(lang, source[0]); s != "" {
			return s
		}
	}
	return i18n.T(lang, "looks.author.system", nil)
}

// authorSource is a source ("demo", "job:retention", "cli:import",
// "migration:00023") in words, or "" when it is not one of these.
func authorSource(lang i18n.Lang, source string) string {
	kind, name, _ := strings.Cut(source, ":")
	switch kind {
	case account.SourceDemo:
		return i18n.T(lang, "authors.source.demo", nil)
	case account.SourceJob:
		if key := "authors.job." + name; name != "" && i18n.Has(lang, key) {
			return i18n.T(lang, "authors.source.job", map[string]any{"Job": i18n.T(lang, key, nil)})
		}
		return i18n.T(lang, "authors.source.job_unnamed", nil)
	case account.SourceCLI:
		if validCommand(name) {
			return i18n.T(lang, "authors.source.cli", map[string]any{"Command": name})
		}
	case account.SourceMigration:
		if validCommand(name) {
			return i18n.T(lang, "authors.source.migration", map[string]any{"Name": name})
		}
	case account.SourceTest:
		return i18n.T(lang, "authors.source.test", nil)
	}
	return ""
}

// validCommand reports whether name reads as a command or migration
// name (letters, digits, spaces and dashes), safe to show as it is.
func validCommand(name string) bool {
	if name == "" || len(name) > 60 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == ' ' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
