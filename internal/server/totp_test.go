package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestSecondFactorDemoNotice: the login page says that the demo asks no
// second factor (serve --demo sets it), and says nothing otherwise.
func TestSecondFactorDemoNotice(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	if len(db.SecondFactorRoles) != 0 {
		t.Fatalf("server.New requires a second factor of %v", db.SecondFactorRoles)
	}
	get := func() string {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /login: %d", rec.Code)
		}
		b, _ := io.ReadAll(rec.Body)
		return string(b)
	}
	if strings.Contains(get(), "second-factor-demo") {
		t.Error("the notice without the demo")
	}
	s.Web.SecondFactorDemo = true
	if body := get(); !strings.Contains(body, `id="second-factor-demo"`) || !strings.Contains(body, "alleen e-mailadres en wachtwoord") {
		t.Error("no notice in the demo")
	}
}
