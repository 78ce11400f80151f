package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The catalogues of the further public languages hold only keys that
// Dutch has, all the same keys, with the same placeholders as Dutch.
func TestPublicCataloguesAgree(t *testing.T) {
	ph := regexp.MustCompile(`\{\w+\}`)
	want := Keys(FR)
	if len(want) < 100 {
		t.Fatalf("French catalogue has %d keys", len(want))
	}
	for _, l := range PublicLangs {
		if l == NL || l == EN {
			continue
		}
		if got := Keys(l); !slices.Equal(got, want) {
			t.Errorf("%s keys differ from fr: %d vs %d", l, len(got), len(want))
		}
		for _, k := range Keys(l) {
			if k == "_review" {
				continue
			}
			if !Has(NL, k) || !Has(EN, k) {
				t.Errorf("%s: key %q is not in nl and en", l, k)
				continue
			}
			a, b := ph.FindAllString(T(NL, k, nil), -1), ph.FindAllString(T(l, k, nil), -1)
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Errorf("%s %q: placeholders %v, Dutch has %v", l, k, b, a)
			}
		}
	}
}

func TestParsePublicAndDir(t *testing.T) {
	for in, want := range map[string]Lang{"fr": FR, "ar-MA": AR, "TR": TR, "pl_PL": PL, "ro": RO, "nl-BE": NL, "en": EN} {
		if got, ok := ParsePublic(in); !ok || got != want {
			t.Errorf("ParsePublic(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParsePublic("de"); ok {
		t.Error("de is not a public language")
	}
	if Dir(AR) != "rtl" || Dir(FR) != "ltr" || HTMLLang(NL) != "nl-BE" || HTMLLang(TR) != "tr" {
		t.Error("Dir/HTMLLang")
	}
	// Staff pages read a public language's cookie as Dutch.
	if Parse("fr") != NL || Parse("ar") != NL {
		t.Error("Parse of a public language")
	}
	var missing []string
	stop := RecordMissing(func(l Lang, k string) { missing = append(missing, string(l)+" "+k) })
	T(AR, "family.intro", nil)
	T(AR, "nav.users", nil) // a staff key: Dutch, and reported
	stop()
	if !slices.Equal(missing, []string{"ar nav.users"}) {
		t.Errorf("missing = %v", missing)
	}
}

// Every key of the family pages' areas (the receipt, the status page,
// the family's view and its labels of actions, purposes and functions)
// is in every public language, also those no rendering test reaches
// (actions of other areas, rare purposes).
func TestPublicLanguagesHaveEveryFamilyKey(t *testing.T) {
	// receipt.code_text is no longer used (family.receipt_code_text replaced it).
	staffOnly := map[string]bool{"receipt.back": true, "receipt.print_hint": true, "family.receipt_langs": true, "receipt.code_text": true}
	prefixes := []string{"receipt.", "receipt_status.", "family.", "accesslog.", "role."}
	n := 0
	for _, k := range Keys(NL) {
		if staffOnly[k] || !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(k, p) }) {
			continue
		}
		n++
		for _, l := range PublicLangs {
			if !Has(l, k) {
				t.Errorf("%s lacks %q", l, k)
			}
		}
	}
	if n < 90 {
		t.Errorf("only %d family keys found", n)
	}
}
