// Package i18n holds the translation catalogues of the web UI: Dutch
// (nl-BE) first, English second. Messages are looked up by key; arguments
// fill {Name} placeholders.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Lang is a supported UI language.
type Lang string

// The supported languages; Dutch is the default.
const (
	NL Lang = "nl"
	EN Lang = "en"
)

// Langs lists the supported languages in order of preference.
var Langs = []Lang{NL, EN}

// The catalogues are catalog/<lang>.json plus any number of
// catalog/<area>.<lang>.json (one per domain area, so that areas can grow
// apart); a key defined twice for one language is a programming error.
//
//go:embed catalog/*.json
var files embed.FS

var catalogs = map[Lang]map[string]string{}

func init() {
	for _, l := range Langs {
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

// T translates key into lang, filling {Name} placeholders from args.
// A missing key shows as the key itself, so that it is noticed.
func T(lang Lang, key string, args map[string]any) string {
	s, ok := catalogs[lang][key]
	if !ok {
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
