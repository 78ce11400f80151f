package httpx

import (
	"testing"

	"kansrijk/internal/apperr"
)

func TestCheckText(t *testing.T) {
	type parent struct {
		Name  string `json:"name"`
		Notes string `json:"notes,omitempty"`
	}
	type body struct {
		Parents []parent          `json:"parents"`
		Extra   map[string]string `json:"extra"`
		Ptr     *string           `json:"ptr"`
		Skip    string            `json:"-"`
		Raw     []byte            `json:"raw"`
		Any     any               `json:"any"`
	}
	ok := "line one\nline two\r\n\ttabbed"
	good := body{Parents: []parent{{Name: "An", Notes: ok}}, Extra: map[string]string{"k": ok}, Ptr: &ok, Skip: "\x00", Raw: []byte{0}}
	if err := CheckText(&good); err != nil {
		t.Fatalf("good body: %v", err)
	}
	bad := "a\x00b"
	for field, b := range map[string]body{
		"parents[1].notes": {Parents: []parent{{Name: "An"}, {Notes: "x\x1by"}}},
		"extra.k":          {Extra: map[string]string{"k": bad}},
		"ptr":              {Ptr: &bad},
		"any.deep[0]":      {Any: map[string]any{"deep": []any{"\x7f\x01"}}},
	} {
		err := CheckText(&b)
		e, isApp := apperr.As(err)
		if !isApp || e.Code != apperr.InvalidText || e.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}

func TestSafeText(t *testing.T) {
	for in, want := range map[string]string{
		"plain <b>":       "plain <b>",
		"nul\x00":         `nul\x00`,
		"esc\x1b[31m":     `esc\x1b[31m`,
		"bidi\u202eevil":  `bidi\u202eevil`,
		"sep\u2028x":      `sep\u2028x`,
		"bad\xffbyte":     `bad\xffbyte`,
		"zoë \uFFFD kept": "zoë \uFFFD kept",
	} {
		if got := SafeText(in); got != want {
			t.Errorf("SafeText(%q) = %q, want %q", in, got, want)
		}
	}
}
