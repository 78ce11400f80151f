package httpx

import (
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"kansrijk/internal/apperr"
	"kansrijk/internal/textnorm"
)

// InvalidText is the error for the control character c in field.
func InvalidText(field string, c rune) *apperr.Error { return invalidText(field, c) }

func invalidText(field string, c rune) *apperr.Error {
	return apperr.FieldErr(apperr.InvalidText, field, "field %q holds the control character %U: remove it", field, c).
		WithKey("error.invalid_text", map[string]any{"Field": field})
}

// CheckText refuses every string in v (structs, pointers, slices, arrays,
// maps and interfaces, at any depth) that holds a control character (see
// textnorm.ControlChar), naming the field by its JSON path. DecodeJSON
// calls it on every body it decodes.
func CheckText(v any) error {
	return checkValue(reflect.ValueOf(v), "", 0)
}

func checkValue(v reflect.Value, path string, depth int) error {
	if depth > 32 || !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if c, bad := textnorm.ControlChar(v.String()); bad {
			return invalidText(path, c)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkValue(v.Elem(), path, depth+1)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == "-" {
				continue
			} else if tag != "" {
				name = tag
			}
			p := name
			if f.Anonymous && f.Tag.Get("json") == "" {
				p = path // embedded: its fields are the outer object's
			} else if path != "" {
				p = path + "." + name
			}
			if err := checkValue(v.Field(i), p, depth+1); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // []byte: binary, not text
		}
		for i := range v.Len() {
			if err := checkValue(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			p := fmt.Sprint(k)
			if path != "" {
				p = path + "." + p
			}
			if err := checkValue(k, p, depth+1); err != nil {
				return err
			}
			if err := checkValue(v.MapIndex(k), p, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckForm refuses a parsed form (r.PostForm and the text fields of a
// multipart form) with a control character in any value; the web UI
// checks every POST with it before the handler runs. Uploaded files are
// checked by their parsers.
func CheckForm(r *http.Request) error {
	check := func(vals map[string][]string) error {
		keys := make([]string, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if c, bad := textnorm.ControlChar(k); bad {
				return invalidText(SafeText(k), c)
			}
			for _, s := range vals[k] {
				if c, bad := textnorm.ControlChar(s); bad {
					return invalidText(k, c)
				}
			}
		}
		return nil
	}
	if err := check(r.PostForm); err != nil {
		return err
	}
	if r.MultipartForm != nil {
		return check(r.MultipartForm.Value)
	}
	return nil
}

// SafeText returns s for echoing in an error: every control character
// (C0, DEL, C1, line and paragraph separators, bidirectional controls) and
// every invalid byte is written as a Go escape (\x00, \u202e), so that an
// echoed value can neither break a log line nor hide text.
func SafeText(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == 0xFFFD && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) || r == 0x2028 || r == 0x2029 ||
			(r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0xFEFF:
			q := fmt.Sprintf("%+q", string(r))
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
