package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/audit"
	"kansrijk/internal/birth"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/referral"
)

// The proof column of the family's view, with a fake store and a fake
// audit log (the real one is helper A's auditlog.Log, wired at merge).

type fakeAccessLog struct {
	referral.Store
	log     referral.AccessLog
	queries []referral.AccessLogQuery
}

func (f *fakeAccessLog) AccessLog(_ context.Context, q referral.AccessLogQuery) (referral.AccessLog, error) {
	f.queries = append(f.queries, q)
	return f.log, nil
}

type fakeProofs struct{ asked []int64 }

func (f *fakeProofs) LatestCheckpoint(context.Context) (audit.Checkpoint, error) {
	return audit.Checkpoint{}, nil
}
func (f *fakeProofs) Bundle(_ context.Context, leaf int64) ([]byte, error) {
	f.asked = append(f.asked, leaf)
	return []byte(`{"format":"kansrijk-audit-proof/v1","leaf_index":42}`), nil
}
func (f *fakeProofs) PublicKey() string { return "kansrijk/audit-log+0badc0de+PUBLICKEY" }

func proofUI(t *testing.T, proofs audit.Proofs) (*UI, *fakeAccessLog) {
	t.Helper()
	leaf := int64(42)
	at := time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC) // 2 July 00:30 in Brussels (summer time)
	store := &fakeAccessLog{log: referral.AccessLog{Code: "KR-ABCD-EFGH-JKLM", Status: referral.ReceiptStatus{Status: referral.Received, Recipient: "OCMW Hulshout"},
		Events: []referral.AccessEvent{
			{At: at, Organisation: "OCMW Hulshout", Function: "ocmw_worker", Action: "referral.read", Purpose: "follow_up", AgreementID: 4, Outcome: "ok", LeafIndex: &leaf},
			{At: at, Action: "referral.brand_new_action", Purpose: "something_new", Outcome: "denied"},
		}}}
	ui, err := New(Deps{Accounts: struct{ account.Store }{}, Orgs: struct{ org.Store }{}, Agreements: struct{ agreement.Store }{},
		Referrals: store, Outreach: struct{ outreach.Store }{}, Deprivation: struct{ deprivation.Store }{}, Births: struct{ birth.Store }{},
		Municipalities: municipality.MustLoad(), Now: time.Now, AuditProofs: proofs})
	if err != nil {
		t.Fatal(err)
	}
	return ui, store
}

func postForm(h http.HandlerFunc, path string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h(rec, req)
	return rec
}

func TestFamilyViewProofColumn(t *testing.T) {
	form := url.Values{"code": {"KR-ABCD-EFGH-JKLM"}, "postcode": {"2235"}}

	// Without an audit log: not sealed yet, no key.
	ui, _ := proofUI(t, nil)
	rec := postForm(ui.lookupReceiptStatus, "/ontvangstbewijs?lang=en", form)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "not sealed yet") || strings.Contains(body, "/ontvangstbewijs/bewijs") {
		t.Errorf("unwired: %d, %s", rec.Code, body)
	}

	proofs := &fakeProofs{}
	ui, store := proofUI(t, proofs)
	rec = postForm(ui.lookupReceiptStatus, "/ontvangstbewijs?lang=en", form)
	body = rec.Body.String()
	for _, want := range []string{
		`action="/ontvangstbewijs/bewijs?lang=en"`, `name="leaf" value="42"`, "Download proof", "kansrijk/audit-log&#43;0badc0de&#43;PUBLICKEY",
		"02-07-2026 00:30", "OCMW social worker", "Data looked at", "Contacting you", "#4",
		"Other action (referral.brand_new_action) (refused)", "something_new", "not sealed yet", // the line without a leaf
	} {
		if !strings.Contains(body, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	if q := store.queries[0]; q.Code != "KR-ABCD-EFGH-JKLM" || q.Postcode != "2235" || q.ClientAddr == "" {
		t.Errorf("query = %+v", q)
	}

	// The family's own line: the bundle; any other leaf: 404.
	rec = postForm(ui.downloadProof, "/ontvangstbewijs/bewijs", url.Values{"code": form["code"], "postcode": form["postcode"], "leaf": {"42"}})
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") ||
		!strings.Contains(rec.Body.String(), "kansrijk-audit-proof/v1") {
		t.Errorf("bundle: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	for _, leaf := range []string{"41", "x", ""} {
		rec = postForm(ui.downloadProof, "/ontvangstbewijs/bewijs", url.Values{"code": form["code"], "postcode": form["postcode"], "leaf": {leaf}})
		if rec.Code != 404 {
			t.Errorf("leaf %q: %d", leaf, rec.Code)
		}
	}
	if len(proofs.asked) != 1 || proofs.asked[0] != 42 {
		t.Errorf("bundles asked: %v", proofs.asked)
	}
	if last := store.queries[len(store.queries)-1]; !strings.Contains(last.Detail, "proof bundle") {
		t.Errorf("the download's look-up is not marked: %+v", last)
	}
}
