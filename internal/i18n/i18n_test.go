package i18n

import (
	"slices"
	"strings"
	"testing"
)

func TestCataloguesHaveSameKeys(t *testing.T) {
	nl, en := Keys(NL), Keys(EN)
	for _, k := range nl {
		if !slices.Contains(en, k) {
			t.Errorf("key %q is in nl but not in en", k)
		}
	}
	for _, k := range en {
		if !slices.Contains(nl, k) {
			t.Errorf("key %q is in en but not in nl", k)
		}
	}
}

func TestT(t *testing.T) {
	if got := T(NL, "error.unknown_org", map[string]any{"Org": "x"}); got == "error.unknown_org" || !strings.Contains(got, "x") {
		t.Errorf("T = %q", got)
	}
	if got := T(EN, "no.such.key", nil); got != "no.such.key" {
		t.Errorf("missing key = %q", got)
	}
	if Parse("en-GB") != EN || Parse("nl-BE") != NL || Parse("") != NL {
		t.Error("Parse")
	}
}
