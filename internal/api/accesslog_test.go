package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// fakeProofs stands in for the audit log (helper A's auditlog.Log).
type fakeProofs struct{ sealed bool }

func (f fakeProofs) LatestCheckpoint(context.Context) (audit.Checkpoint, error) {
	if !f.sealed {
		return audit.Checkpoint{}, apperr.New(apperr.NotFound, "no checkpoint yet")
	}
	return audit.Checkpoint{Origin: "kansrijk/audit-log", Size: 7, Root: "cm9vdA==", Time: time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC),
		Note: "kansrijk/audit-log\n7\ncm9vdA==\n", PublicKey: "kansrijk/audit-log+12345678+AAAA"}, nil
}
func (fakeProofs) Bundle(context.Context, int64) ([]byte, error) { return []byte(`{}`), nil }
func (fakeProofs) PublicKey() string                             { return "kansrijk/audit-log+12345678+AAAA" }

// accessLogWorld: two families of Hulshout (postcodes 2235 and 2230) sent
// to its OCMW, which read them.
func accessLogWorld(t *testing.T, db *store.DB) (srv *server.Server, a, b referral.Referral) {
	t.Helper()
	ctx := context.Background()
	sys := account.System("test")
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016"},
		From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "draft", EffectiveOn: "2023-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	sig := []agreement.Signature{{Function: "administrator_general", Name: "A. G.", SignedOn: "2023-03-01"},
		{Function: "council_chair", Name: "V. R.", SignedOn: "2023-03-01"}, {Function: "general_director", Name: "D. A.", SignedOn: "2023-03-01"}}
	for _, ev := range []agreement.NewEvent{{Status: "approved", EffectiveOn: "2023-02-01", CouncilReference: "RMW/1", CouncilDecisionOn: "2023-02-01"},
		{Status: "signed", EffectiveOn: "2023-03-01", Signatures: sig}, {Status: "active", EffectiveOn: "2023-04-01"}} {
		if _, err := db.AddEvent(ctx, sys, ag.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
	users := storetest.Users(t, db, "example.org",
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord"}, storetest.U{Name: "ocmw", Role: "ocmw_worker", Org: "ocmw-13016"})
	users.Create(t)
	family := func(postcode string) referral.Referral {
		r, err := db.CreateReferral(ctx, users.Actor(t, "worker"), referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
			Name: "Fictieve Ouder", Street: "Teststraat", Number: "1", Postcode: postcode, MunicipalityNIS: parentNIS(postcode), Email: "ouder@example.org"}},
			Criteria: []string{"income", "housing"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddConsent(ctx, users.Actor(t, "worker"), r.ID, referral.NewConsent{Method: "signed",
			Informed: []string{"data", "recipient", "purpose", "processing", "expectations"}}); err != nil {
			t.Fatal(err)
		}
		if r, err = db.Send(ctx, users.Actor(t, "worker"), r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Referral(ctx, users.Actor(t, "ocmw"), r.ID); err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b = family("2235"), family("2230")
	srv, err = server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return srv, a, b
}

func postAccessLog(t *testing.T, url, body, addr string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/api/v1/public/access-log", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestPublicAccessLog(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		srv, a, b := accessLogWorld(t, db)
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)

		// Before an audit log is wired: checkpoint null, leaf indexes null.
		status, _, body := postAccessLog(t, ts.URL, `{"receipt_code": "`+strings.ToLower(a.ReceiptCode)+`", "postcode": "2235"}`, "")
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"events", "checkpoint", "deletion_due"} {
			if _, ok := got[k]; !ok {
				t.Errorf("no %q in %s", k, body)
			}
		}
		if string(got["checkpoint"]) != "null" || string(got["deletion_due"]) != "null" {
			t.Errorf("checkpoint %s, deletion_due %s", got["checkpoint"], got["deletion_due"])
		}
		var events []map[string]any
		_ = json.Unmarshal(got["events"], &events)
		if len(events) < 4 {
			t.Fatalf("events = %v", events)
		}
		for _, e := range events {
			for _, k := range []string{"at", "organisation", "function", "action", "purpose", "agreement_id", "leaf_index"} {
				if _, ok := e[k]; !ok {
					t.Errorf("event without %q: %v", k, e)
				}
			}
		}
		if strings.Contains(body, "@example.org") || strings.Contains(body, "Fictieve") || strings.Contains(body, b.ReceiptCode) {
			t.Errorf("the answer shows an e-mail address, a name or another family's code: %s", body)
		}
		last := events[len(events)-1]
		if last["organisation"] != "OCMW Hulshout" || last["function"] != "ocmw_worker" || last["action"] != "referral.read" || last["purpose"] != "follow_up" {
			t.Errorf("last event = %v", last)
		}

		// Wired: the latest checkpoint is in the answer.
		srv.API.AuditProofs = fakeProofs{sealed: true}
		_, _, body = postAccessLog(t, ts.URL, `{"receipt_code": "`+a.ReceiptCode+`", "postcode": "2235"}`, "")
		if !strings.Contains(body, `"public_key":"kansrijk/audit-log+12345678+AAAA"`) || !strings.Contains(body, `"size":7`) {
			t.Errorf("checkpoint not in %s", body)
		}

		// Wrong postcode, another family's postcode, unknown code: the same 404.
		var bodies []string
		for _, in := range []string{
			`{"receipt_code": "` + a.ReceiptCode + `", "postcode": "2230"}`,
			`{"receipt_code": "KR-AAAA-BBBB-CCCC", "postcode": "2235"}`,
			`{"receipt_code": "` + b.ReceiptCode + `", "postcode": "9999"}`,
		} {
			status, _, body := postAccessLog(t, ts.URL, in, "")
			if status != 404 {
				t.Errorf("%s: %d", in, status)
			}
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			_ = json.Unmarshal([]byte(body), &e)
			if e.Error.Code != "not_found" {
				t.Errorf("%s: %s", in, body)
			}
			bodies = append(bodies, e.Error.Code+" "+e.Error.Message)
		}
		if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
			t.Errorf("different 404 answers: %q", bodies)
		}
		// Unknown fields are refused as in every JSON body.
		if status, _, _ := postAccessLog(t, ts.URL, `{"receipt_code": "x", "postcode": "1", "name": "x"}`, ""); status != 400 {
			t.Errorf("unknown field: %d", status)
		}
		// Wrong postcodes for one code: 429 with Retry-After.
		var h http.Header
		for range 10 {
			status, h, body = postAccessLog(t, ts.URL, `{"receipt_code": "`+b.ReceiptCode+`", "postcode": "1000"}`, "")
		}
		if status != 429 || h.Get("Retry-After") == "" || !strings.Contains(body, "too_many_attempts") {
			t.Errorf("after 11 wrong postcodes: %d, Retry-After %q, %s", status, h.Get("Retry-After"), body)
		}
	})
}

// parentNIS is where a parent with the postcode lives: 2230 is Herselt's,
// 2235 Hulshout's (a postcode must belong to the parent's municipality).
func parentNIS(postcode string) string {
	if postcode == "2230" {
		return "13013"
	}
	return "13016"
}
