package api_test

// Identity through the real server (server.New, bearer tokens): no token
// for another user, users created without a password but with a one-time
// link, service accounts of one's own organisation only, one's own
// password change (issue 10, defects 1 and 12).

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

type idFixture struct {
	db    *store.DB
	srv   http.Handler
	users *storetest.Accounts
}

func (f *idFixture) do(t *testing.T, method, target, token, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader([]byte(body)))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %q: %v", method, target, rec.Body.String(), err)
		}
	}
	return rec.Code, out
}

func newIDFixture(t *testing.T, db *store.DB) *idFixture {
	t.Helper()
	srv, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return &idFixture{db: db, srv: srv, users: storetest.Users(t, db, "example.test",
		storetest.U{Name: "admin", Role: "admin", Org: "opgroeien"},
		storetest.U{Name: "dpo", Role: "dpo", Org: "opgroeien"},
		storetest.U{Name: "ocmwadmin", Role: "ocmw_admin", Org: "ocmw-13016"},
		storetest.U{Name: "ocmwworker", Role: "ocmw_worker", Org: "ocmw-13016"},
		storetest.U{Name: "otheradmin", Role: "ocmw_admin", Org: "ocmw-11002"},
	)}
}

func TestAPITokenOnlyForOneself(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newIDFixture(t, db)
		f.users.Create(t)
		for _, tc := range []struct{ who, victim string }{
			{"admin", "ocmwworker"}, {"admin", "dpo"}, {"ocmwadmin", "ocmwworker"}, {"ocmwadmin", "otheradmin"},
		} {
			t.Run(tc.who+"_for_"+tc.victim, func(t *testing.T) {
				victim := f.users.User(t, tc.victim)
				tok := f.users.Token(t, tc.who)
				before := MustCountTokens(t, db, victim.ID)
				code, body := f.do(t, "POST", "/api/v1/tokens", tok, `{"email": "`+victim.Email+`", "label": "impersonate"}`)
				if code != 403 || errCode(body) != "forbidden" || body["token"] != nil {
					t.Fatalf("token for %s: %d %v", tc.victim, code, body)
				}
				if n := MustCountTokens(t, db, victim.ID); n != before {
					t.Errorf("%s has %d tokens, had %d", tc.victim, n, before)
				}
			})
		}
		t.Run("OwnToken", func(t *testing.T) {
			code, body := f.do(t, "POST", "/api/v1/tokens", f.users.Token(t, "admin"), `{"label": "own"}`)
			if code != 201 || !strings.HasPrefix(body["token"].(string), "krt_") || body["email"] != f.users.Email(t, "admin") {
				t.Fatalf("own token: %d %v", code, body)
			}
		})
	})
}

func MustCountTokens(t *testing.T, db *store.DB, userID int64) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(t.Context(), `SELECT count(*) FROM api_tokens WHERE user_id = $1`, userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAPIUsersGetLinksNotPasswords(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newIDFixture(t, db)
		f.users.Create(t)
		admin := f.users.Token(t, "ocmwadmin")
		code, body := f.do(t, "POST", "/api/v1/users", admin, `{"email": "nieuw@ocmw.example.test", "role": "ocmw_worker", "organisation": "ocmw-13016", "password": "gekozen-door-de-beheerder"}`)
		if code != 403 || errCode(body) != "forbidden" {
			t.Fatalf("admin chooses password: %d %v", code, body)
		}
		code, body = f.do(t, "POST", "/api/v1/users", admin, `{"email": "nieuw@ocmw.example.test", "name": "Nieuw", "role": "ocmw_worker", "organisation": "ocmw-13016"}`)
		link, _ := body["password_link"].(map[string]any)
		if code != 201 || link == nil || !strings.HasPrefix(link["path"].(string), "/wachtwoord/krp_") || body["email"] != "nieuw@ocmw.example.test" {
			t.Fatalf("create user: %d %v", code, body)
		}
		id := int64(body["id"].(float64))
		t.Run("Reset", func(t *testing.T) {
			code, body := f.do(t, "POST", "/api/v1/users/"+strconv.FormatInt(id, 10)+"/password-reset", admin, "")
			if code != 201 || body["password_link"] == nil {
				t.Fatalf("reset: %d %v", code, body)
			}
			code, body = f.do(t, "POST", "/api/v1/users/"+strconv.FormatInt(id, 10)+"/password-reset", f.users.Token(t, "otheradmin"), "")
			if code != 404 || errCode(body) != "not_found" {
				t.Fatalf("reset by another OCMW: %d %v", code, body)
			}
		})
		t.Run("OtherOrganisationsAddressSameAnswer", func(t *testing.T) {
			_, own := f.do(t, "POST", "/api/v1/users", admin, `{"email": "`+f.users.Email(t, "ocmwworker")+`", "role": "ocmw_worker", "organisation": "ocmw-13016"}`)
			code, other := f.do(t, "POST", "/api/v1/users", admin, `{"email": "`+f.users.Email(t, "dpo")+`", "role": "ocmw_worker", "organisation": "ocmw-13016"}`)
			norm := func(m map[string]any, email string) string {
				b, _ := json.Marshal(m)
				return strings.ReplaceAll(string(b), email, "ADDR")
			}
			if code != 409 || norm(own, f.users.Email(t, "ocmwworker")) != norm(other, f.users.Email(t, "dpo")) {
				t.Errorf("own organisation's address: %v\nanother's: %d %v", own, code, other)
			}
		})
	})
}

func TestAPIServiceAccounts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newIDFixture(t, db)
		code, body := f.do(t, "POST", "/api/v1/service-accounts", f.users.Token(t, "admin"), `{"name": "x", "organisation": "ocmw-13016"}`)
		if code != 403 {
			t.Fatalf("Opgroeien creates an OCMW's service account: %d %v", code, body)
		}
		code, body = f.do(t, "POST", "/api/v1/service-accounts", f.users.Token(t, "ocmwadmin"), `{"name": "Dossiersoftware"}`)
		sa, _ := body["service_account"].(map[string]any)
		if code != 201 || sa == nil || sa["organisation"] != "ocmw-13016" || sa["role"] != "ocmw_worker" {
			t.Fatalf("create: %d %v", code, body)
		}
		secret := body["token"].(string)
		id := strconv.FormatInt(int64(sa["id"].(float64)), 10)

		code, body = f.do(t, "GET", "/api/v1/me", secret, "")
		if code != 200 {
			t.Fatalf("me as service account: %d %v", code, body)
		}
		evs, err := db.AuditEvents(t.Context(), audit.Filter{Action: audit.ServiceAccountCreate})
		if err != nil || len(evs) != 1 || evs[0].Channel != "token" || evs[0].TokenID == 0 {
			t.Errorf("service_account.create events: %+v, %v", evs, err)
		}
		// The service account's own actions are marked.
		if code, body := f.do(t, "POST", "/api/v1/tokens", secret, `{"label": "rotated"}`); code != 201 {
			t.Fatalf("own token of the service account: %d %v", code, body)
		}
		evs, err = db.AuditEvents(t.Context(), audit.Filter{Action: audit.TokenCreate, Limit: 1})
		if err != nil || len(evs) != 1 || !evs[0].ActorService || evs[0].Channel != "token" || evs[0].TokenID == 0 {
			t.Errorf("token.create by the service account: %+v, %v", evs, err)
		}

		code, body = f.do(t, "GET", "/api/v1/service-accounts", f.users.Token(t, "otheradmin"), "")
		if code != 200 || body["count"].(float64) != 0 {
			t.Errorf("another OCMW's list: %d %v", code, body)
		}
		code, body = f.do(t, "GET", "/api/v1/service-accounts", f.users.Token(t, "ocmwworker"), "")
		if code != 403 {
			t.Errorf("worker lists: %d %v", code, body)
		}
		if code, _ := f.do(t, "POST", "/api/v1/service-accounts/"+id+"/tokens", f.users.Token(t, "otheradmin"), `{"label":"x"}`); code != 404 {
			t.Errorf("another OCMW adds a token: %d", code)
		}
		code, body = f.do(t, "POST", "/api/v1/service-accounts/"+id+"/tokens", f.users.Token(t, "ocmwadmin"), `{"label":"tweede"}`)
		if code != 201 || !strings.HasPrefix(body["token"].(string), "krt_") {
			t.Errorf("add token: %d %v", code, body)
		}
		if code, _ := f.do(t, "DELETE", "/api/v1/service-accounts/"+id, f.users.Token(t, "otheradmin"), ""); code != 404 {
			t.Errorf("another OCMW revokes: %d", code)
		}
		if code, _ := f.do(t, "DELETE", "/api/v1/service-accounts/"+id, f.users.Token(t, "ocmwadmin"), ""); code != 204 {
			t.Errorf("revoke: %d", code)
		}
		if code, _ := f.do(t, "GET", "/api/v1/me", secret, ""); code != 401 {
			t.Errorf("revoked service account's token: %d", code)
		}
	})
}

func TestAPIChangeOwnPassword(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newIDFixture(t, db)
		tok := f.users.Token(t, "dpo")
		code, body := f.do(t, "PUT", "/api/v1/me/password", tok, `{"current_password": "wrong-wrong-wrong", "password": "een-nieuw-wachtwoord"}`)
		if code != 400 || errCode(body) != "current_password_wrong" {
			t.Fatalf("wrong current: %d %v", code, body)
		}
		code, body = f.do(t, "PUT", "/api/v1/me/password", tok, `{"current_password": "`+storetest.Password+`", "password": "qwertyuiop123"}`)
		if code != 400 || errCode(body) != account.CodePasswordCommon {
			t.Fatalf("common: %d %v", code, body)
		}
		if code, body := f.do(t, "PUT", "/api/v1/me/password", tok, `{"current_password": "`+storetest.Password+`", "password": "een-nieuw-wachtwoord"}`); code != 204 {
			t.Fatalf("change: %d %v", code, body)
		}
		if _, err := db.Login(t.Context(), f.users.Email(t, "dpo"), "een-nieuw-wachtwoord", "192.0.2.1", ""); err != nil {
			t.Errorf("login with the new password: %v", err)
		}
	})
}
