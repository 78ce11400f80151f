package store

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestJSONStrings: the fast split of a parents' array agrees with
// encoding/json, escapes and spacing included.
func TestJSONStrings(t *testing.T) {
	for _, in := range []string{`[]`, `[""]`, `["",""]`, `["Anna Peeters"]`, `["Anna","Bram"]`, `["Anna", "Bram"]`,
		`["Ann\"a","Bram"]`, `["a\\\\","b"]`, `["Zoë","Łukasz"]`, `["a\",\"b"]`, `["x\u0041"]`} {
		got, err := jsonStrings(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		want := []string{}
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) || got == nil {
			t.Errorf("jsonStrings(%s) = %q, want %q", in, got, want)
		}
	}
	if _, err := jsonStrings(`["a"`); err == nil {
		t.Error("a broken array decoded")
	}
}
