package web

import "kansrijk/internal/i18n"

// Internal codes never reach users: the program's own work is recorded
// with "system" as its author (account.System: the demo loader, a
// background job, the command line); pages show it in words.

func init() {
	funcs["author"] = author
}

// author is who recorded something, for a page: the e-mail address of a
// person, or the program's own work in words.
func author(lang i18n.Lang, by string) string {
	if by == "system" || by == "" {
		return i18n.T(lang, "looks.author.system", nil)
	}
	return by
}
