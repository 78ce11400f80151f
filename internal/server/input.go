package server

import (
	"net/http"
	"sort"
	"strings"

	"kansrijk/internal/httpx"
	"kansrijk/internal/textnorm"
)

// refuseControlCharacters answers 400 invalid_text to a request whose
// path or query parameters hold a control character (after decoding:
// %00, %1b …), before any handler sees it; JSON bodies and forms are
// checked by httpx.DecodeJSON and the web UI's form parsing.
func refuseControlCharacters(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkURL(r); err != nil {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				httpx.WriteError(w, r, err)
			} else {
				http.Error(w, "400 invalid_text: the address holds a control character", http.StatusBadRequest)
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkURL refuses control characters and line breaks in the path and
// in every query parameter's name and value.
func checkURL(r *http.Request) error {
	if c, bad := textnorm.SingleLine(r.URL.Path); bad {
		return httpx.InvalidText("path", c)
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if c, bad := textnorm.SingleLine(k); bad {
			return httpx.InvalidText(httpx.SafeText(k), c)
		}
		for _, v := range q[k] {
			if c, bad := textnorm.SingleLine(v); bad {
				return httpx.InvalidText(k, c)
			}
		}
	}
	return nil
}
