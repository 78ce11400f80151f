package server

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestDeadlines(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if r, u, err := deadlines(get); err != nil || r != DefaultRequestTimeout || u != DefaultUploadTimeout {
		t.Fatalf("defaults: %s %s %v", r, u, err)
	}
	env = map[string]string{"KANSRIJK_REQUEST_TIMEOUT": "5s", "KANSRIJK_UPLOAD_TIMEOUT": "1m"}
	if r, u, err := deadlines(get); err != nil || r != 5*time.Second || u != time.Minute {
		t.Fatalf("from env: %s %s %v", r, u, err)
	}
	for _, v := range []string{"0s", "-1s", "forever", "10m"} {
		env = map[string]string{"KANSRIJK_REQUEST_TIMEOUT": v}
		if _, _, err := deadlines(get); err == nil {
			t.Errorf("KANSRIJK_REQUEST_TIMEOUT=%s accepted", v)
		}
	}
	for ct, want := range map[string]bool{"": false, "application/json": false, "application/x-www-form-urlencoded": false,
		"text/csv; charset=utf-8": true, "multipart/form-data; boundary=x": true, "application/pdf": true} {
		r := httptest.NewRequest("POST", "/x", strings.NewReader("x"))
		r.Header.Set("Content-Type", ct)
		if isUpload(r) != want {
			t.Errorf("%q: upload %t, want %t", ct, !want, want)
		}
	}
}
