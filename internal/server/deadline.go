package server

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"os"
	"time"
)

// Request time limits: every request's context ends after RequestTimeout
// (uploads of files: UploadTimeout), so that a request stuck on the
// database (a lock, a full pool) ends as 503 unavailable instead of
// hanging. Both stay below the server's write timeout, so that the answer
// can still be written.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultUploadTimeout  = 110 * time.Second
)

// deadlines reads KANSRIJK_REQUEST_TIMEOUT and KANSRIJK_UPLOAD_TIMEOUT (Go
// durations such as 30s).
func deadlines(getenv func(string) string) (request, upload time.Duration, err error) {
	request, upload = DefaultRequestTimeout, DefaultUploadTimeout
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"KANSRIJK_REQUEST_TIMEOUT", &request}, {"KANSRIJK_UPLOAD_TIMEOUT", &upload}} {
		v := getenv(d.name)
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t <= 0 || t > 115*time.Second {
			return 0, 0, fmt.Errorf("%s must be a duration between 1s and 115s, got %q", d.name, v)
		}
		*d.dst = t
	}
	return request, upload, nil
}

// withDeadline gives every request a context deadline: upload for bodies
// that are files (multipart forms, CSV, PDF, anything not JSON or a plain
// form), request for the rest.
func withDeadline(request, upload time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := request
		if isUpload(r) {
			d = upload
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func isUpload(r *http.Request) bool {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		return false
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "", "application/json", "application/x-www-form-urlencoded":
		return false
	}
	return true
}

// requestDeadlinesFromEnv is deadlines on the process environment.
func requestDeadlinesFromEnv() (time.Duration, time.Duration, error) { return deadlines(os.Getenv) }
