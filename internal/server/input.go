package server

import (
	"fmt"
	"html"
	"mime"
	"net/http"
	"sort"
	"strings"

	"kansrijk/internal/apperr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/i18n"
	"kansrijk/internal/textnorm"
)

// maxFormBody is the largest url-encoded form body (as the web UI's).
const maxFormBody = 1 << 20

// refuseControlCharacters answers 400 invalid_text to a request whose
// path or query parameters (after decoding: %00, %1b …), or whose
// url-encoded form fields (the sign-in form included) hold a control
// character, before any handler sees it. JSON bodies are checked by
// httpx.DecodeJSON, multipart forms by the web UI's form parsing.
func refuseControlCharacters(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := checkURL(r)
		if err == nil && r.Method == http.MethodPost && isURLEncoded(r) {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
			if perr := r.ParseForm(); perr != nil {
				http.Error(w, "413 body_too_large: the form is larger than 1 MiB", http.StatusRequestEntityTooLarge)
				return
			}
			err = httpx.CheckForm(r)
		}
		if err != nil {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				httpx.WriteError(w, r, err)
				return
			}
			// A page: a short one in the visitor's language.
			e, _ := apperr.As(err)
			lang := i18n.FromRequest(r)
			msg := i18n.T(lang, "error.invalid_text", map[string]any{"Field": e.Field})
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "<!doctype html>\n<html lang=%q><title>Kansrijk</title><main><h1>400 invalid_text</h1><p role=\"alert\">%s</p><p><a href=\"/\">Kansrijk</a></p></main></html>\n",
				string(lang), html.EscapeString(msg))
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

func isURLEncoded(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded"
}
