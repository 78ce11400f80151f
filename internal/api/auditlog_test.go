package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/api"
	"kansrijk/internal/audit"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// The public proof routes: the latest checkpoint verifies with the
// verifier key, and every inclusion and consistency proof they return
// checks with tlog against signed checkpoints. Bad ranges are 400
// invalid_input naming the parameter.
func TestAuditLogProofRoutes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		skey, vkey, err := auditlog.GenerateKey(auditlog.DefaultOrigin)
		if err != nil {
			t.Fatal(err)
		}
		lg, err := auditlog.New(db, auditlog.Config{PrivateKey: skey})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		(&api.API{AuditLog: lg}).Register(mux)
		get := func(target string, want int, v any) {
			t.Helper()
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
			if rec.Code != want {
				t.Fatalf("GET %s: %d, want %d: %s", target, rec.Code, want, rec.Body)
			}
			if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
				t.Fatal(err)
			}
		}
		var e map[string]map[string]string
		get("/api/v1/audit/checkpoints/latest", 404, &e)
		if e["error"]["code"] != "not_found" {
			t.Errorf("before the first checkpoint: %v", e)
		}

		type cp struct {
			Size      int64
			Root      string
			Note      string
			PublicKey string `json:"public_key"`
			Origin    string
		}
		var roots []cp
		for round, n := range []int{5, 12} {
			evs := make([]audit.Event, n)
			for i := range evs {
				evs[i] = audit.Event{ActorRole: "ocmw_worker", ActorOrg: "ocmw-13016", Channel: "session", Action: "referral.read",
					ObjectType: "referral", ObjectID: fmt.Sprint(round*100 + i), Outcome: audit.OK}
			}
			if err := db.AppendAuditEvents(ctx, evs...); err != nil {
				t.Fatal(err)
			}
			if _, err := lg.Sequence(ctx); err != nil {
				t.Fatal(err)
			}
			if _, _, err := lg.Sign(ctx); err != nil {
				t.Fatal(err)
			}
			var c cp
			get("/api/v1/audit/checkpoints/latest", 200, &c)
			roots = append(roots, c)
		}
		last := roots[1]
		if last.Size != 17 || last.Origin != auditlog.DefaultOrigin || last.PublicKey != vkey {
			t.Fatalf("latest checkpoint %+v", last)
		}
		// The verifier trusts only the key it got separately.
		checked := map[int64]tlog.Hash{}
		for _, c := range roots {
			got, err := auditlog.OpenCheckpoint([]byte(c.Note), vkey)
			if err != nil {
				t.Fatalf("checkpoint note: %v", err)
			}
			if base64.StdEncoding.EncodeToString(got.Root[:]) != c.Root || got.Size != c.Size {
				t.Fatalf("note %+v differs from the JSON %+v", got, c)
			}
			checked[got.Size] = got.Root
		}
		other, _, _ := auditlog.GenerateKey(auditlog.DefaultOrigin)
		otherV, _ := auditlog.VerifierKey(other)
		if _, err := auditlog.OpenCheckpoint([]byte(last.Note), otherV); err == nil {
			t.Error("the checkpoint verified with another key")
		}
		if _, err := note.NewVerifier(vkey); err != nil {
			t.Fatal(err)
		}
		decode := func(ss []string) []tlog.Hash {
			out := make([]tlog.Hash, len(ss))
			for i, s := range ss {
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil || len(b) != tlog.HashSize {
					t.Fatalf("hash %q", s)
				}
				copy(out[i][:], b)
			}
			return out
		}
		for size, root := range checked {
			for i := int64(0); i < size; i++ {
				var p struct {
					Index, Size int64
					LeafHash    string `json:"leaf_hash"`
					Proof       []string
				}
				get(fmt.Sprintf("/api/v1/audit/proof/inclusion?index=%d&size=%d", i, size), 200, &p)
				leaf := decode([]string{p.LeafHash})[0]
				if err := tlog.CheckRecord(decode(p.Proof), size, root, i, leaf); err != nil {
					t.Errorf("inclusion of %d in %d: %v", i, size, err)
				}
			}
		}
		var tp struct {
			Old, New int64
			Proof    []string
		}
		get("/api/v1/audit/proof/consistency?old=5&new=17", 200, &tp)
		if err := tlog.CheckTree(decode(tp.Proof), 17, checked[17], 5, checked[5]); err != nil {
			t.Errorf("consistency 5 → 17: %v", err)
		}
		for target, field := range map[string]string{
			"/api/v1/audit/proof/inclusion?index=0&size=18":  "size",
			"/api/v1/audit/proof/inclusion?index=17&size=17": "index",
			"/api/v1/audit/proof/inclusion?index=x&size=3":   "index",
			"/api/v1/audit/proof/inclusion?index=1":          "size",
			"/api/v1/audit/proof/consistency?old=0&new=3":    "old",
			"/api/v1/audit/proof/consistency?old=4&new=3":    "old",
			"/api/v1/audit/proof/consistency?old=1&new=18":   "new",
		} {
			var e struct {
				Error struct{ Code, Field string }
			}
			get(target, 400, &e)
			if e.Error.Code != "invalid_input" || e.Error.Field != field {
				t.Errorf("%s: %+v, want invalid_input on %s", target, e.Error, field)
			}
		}
	})
}
