// Package i18n holds the translation catalogues of the web UI: Dutch
// (nl-BE) first, English second. Messages are looked up by key; arguments
// fill {Name} placeholders.
//
// The pages families see (the receipt and their own view of who accessed
// their data) also speak the languages families speak (PublicLangs):
// French, Arabic, Turkish, Polish and Romanian have only the keys those
// pages use (catalog/family.<lang>.json), and fall back to Dutch for any
// other key, so staff pages need no seven catalogues.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
)

// Lang is a supported UI language.
type Lang string

// The supported languages; Dutch is the default.
const (
	NL Lang = "nl"
	EN Lang = "en"
)

// Langs lists the supported languages of the staff UI in order of preference.
var Langs = []Lang{NL, EN}

// The further languages of the pages families see.
const (
	FR Lang = "fr"
	AR Lang = "ar" // written right to left
	TR Lang = "tr"
	PL Lang = "pl"
	RO Lang = "ro"
)

// PublicLangs are the languages of the pages families see (the receipt,
// the family's view), in the order the language switch shows them.
var PublicLangs = []Lang{NL, FR, EN, AR, TR, PL, RO}

// ParsePublic returns the public language for a code ("fr", "ar-MA"),
// and false when it is none of PublicLangs.
func ParsePublic(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	for _, l := range PublicLangs {
		if string(l) == s {
			return l, true
		}
	}
	return NL, false
}

// PublicFromRequest picks the language of a page families see: the
// "lang" query parameter, else the "lang" cookie, else Dutch.
func PublicFromRequest(r *http.Request) Lang {
	if l, ok := ParsePublic(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil {
		if l, ok := ParsePublic(c.Value); ok {
			return l
		}
	}
	return NL
}

// Dir is the writing direction of lang: "rtl" for Arabic, else "ltr".
func Dir(l Lang) string {
	if l == AR {
		return "rtl"
	}
	return "ltr"
}

// HTMLLang is the value of the lang attribute for l (Dutch as in Belgium).
func HTMLLang(l Lang) string {
	if l == NL {
		return "nl-BE"
	}
	return string(l)
}

// Name is the language's own name, for a language switch.
func Name(l Lang) string {
	return map[Lang]string{NL: "Nederlands", FR: "Français", EN: "English", AR: "العربية", TR: "Türkçe", PL: "Polski", RO: "Română"}[l]
}

// The catalogues are catalog/<lang>.json plus any number of
// catalog/<area>.<lang>.json (one per domain area, so that areas can grow
// apart); a key defined twice for one language is a programming error.
//
//go:embed catalog/*.json
var files embed.FS

var catalogs = map[Lang]map[string]string{}

func init() {
	for _, l := range PublicLangs {
		catalogs[l] = map[string]string{}
	}
	entries, err := files.ReadDir("catalog")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".json")
		l := Lang(name[strings.LastIndexByte(name, '.')+1:])
		into, ok := catalogs[l]
		if !ok {
			panic(fmt.Sprintf("i18n: catalogue %s: unknown language %q", e.Name(), l))
		}
		b, err := files.ReadFile("catalog/" + e.Name())
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: catalogue %s: %v", e.Name(), err))
		}
		for k, v := range m {
			if _, dup := into[k]; dup {
				panic(fmt.Sprintf("i18n: catalogue %s: key %q defined twice", e.Name(), k))
			}
			into[k] = v
		}
	}
}

// Parse returns the language for a code, defaulting to Dutch.
func Parse(s string) Lang {
	if strings.HasPrefix(strings.ToLower(s), "en") {
		return EN
	}
	return NL
}

// FromRequest picks the language: the "lang" cookie, else Dutch. (The
// UI is Dutch first: the browser's Accept-Language is deliberately not
// followed, so that every user sees the same terms unless they switch.)
func FromRequest(r *http.Request) Lang {
	if c, err := r.Cookie("lang"); err == nil {
		return Parse(c.Value)
	}
	return NL
}

// missing, when set, hears of every key looked up in a catalogue that
// lacks it (tests of the family pages install it with RecordMissing).
var missing atomic.Pointer[func(Lang, string)]

// RecordMissing calls f for every key T looks up in a language whose
// catalogue lacks it, until stop is called. For tests.
func RecordMissing(f func(lang Lang, key string)) (stop func()) {
	missing.Store(&f)
	return func() { missing.Store(nil) }
}

// T translates key into lang, filling {Name} placeholders from args.
// A key missing in lang falls back to Dutch; one missing in Dutch too
// shows as the key itself, so that it is noticed.
func T(lang Lang, key string, args map[string]any) string {
	s, ok := catalogs[lang][key]
	if !ok {
		if f := missing.Load(); f != nil {
			(*f)(lang, key)
		}
		if s, ok = catalogs[NL][key]; !ok {
			return key
		}
	}
	for k, v := range args {
		s = strings.ReplaceAll(s, "{"+k+"}", fmt.Sprint(v))
	}
	return s
}

// Has reports whether the catalogue of lang holds key.
func Has(lang Lang, key string) bool { _, ok := catalogs[lang][key]; return ok }

// Keys returns the sorted keys of a catalogue (for tests).
func Keys(lang Lang) []string {
	var out []string
	for k := range catalogs[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
