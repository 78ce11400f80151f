package api_test

import (
	"fmt"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

type versionJSON struct {
	Version       int    `json:"version"`
	RetentionDays int    `json:"retention_days"`
	State         string `json:"state"`
	BasedOn       int    `json:"based_on"`
	DecidedBy     string `json:"decided_by"`
	DecisionNote  string `json:"decision_note"`
}

// A change to a draft applies at once (201); a change to an agreement in
// force is proposed (202) and applies only when the OCMW's admin approves
// it; the team lead, Opgroeien's admin and other organisations cannot.
func TestAgreementVersionApprovalAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		a := f.create(t, "admin", "team-noord", "13016", "draft", "2023-06-01")
		versions := fmt.Sprintf("/api/v1/agreements/%d/versions", a.ID)
		const route = "/api/v1/agreements/{id}/versions"
		var v versionJSON
		f.call(t, "POST", versions, route, "lead", map[string]any{"retention_days": 120}, 201, &v)
		if v.State != "applied" || v.Version != 2 {
			t.Fatalf("draft change = %+v", v)
		}
		f.walk(t, a.ID, "approved", "2023-09-01", "signed", "2023-10-01", "active", "2023-11-01")
		f.call(t, "POST", versions, route, "lead", map[string]any{"retention_days": 3650, "information_text": "Een andere tekst"}, 202, &v)
		if v.State != "proposed" || v.Version != 3 || v.BasedOn != 2 || v.RetentionDays != 3650 {
			t.Fatalf("proposal = %+v", v)
		}
		var ag struct {
			Version  versionJSON  `json:"version"`
			Proposed *versionJSON `json:"proposed_version"`
		}
		f.call(t, "GET", fmt.Sprintf("/api/v1/agreements/%d", a.ID), "/api/v1/agreements/{id}", "ocmwadmin", nil, 200, &ag)
		if ag.Version.Version != 2 || ag.Version.RetentionDays != 120 || ag.Proposed == nil || ag.Proposed.Version != 3 {
			t.Fatalf("agreement: in force %+v, proposed %+v", ag.Version, ag.Proposed)
		}
		var gate struct {
			AgreementVersion int `json:"agreement_version"`
		}
		f.call(t, "GET", "/api/v1/gate?team=team-noord&municipality=13016&on=2025-06-02", "/api/v1/gate", "lead", nil, 200, &gate)
		if gate.AgreementVersion != 2 {
			t.Errorf("gate uses version %d before approval, want 2", gate.AgreementVersion)
		}
		approve := fmt.Sprintf("/api/v1/agreements/%d/versions/3/approve", a.ID)
		const approveRoute = "/api/v1/agreements/{id}/versions/{v}/approve"
		f.wantErr(t, f.do(t, "POST", approve, "lead", []byte(`{}`)), "POST", approveRoute, 403, "forbidden")
		f.wantErr(t, f.do(t, "POST", approve, "admin", []byte(`{}`)), "POST", approveRoute, 403, "forbidden")
		f.wantErr(t, f.do(t, "POST", approve, "leadzuid", []byte(`{}`)), "POST", approveRoute, 404, "not_found")
		f.wantErr(t, f.do(t, "POST", approve, "analyst", []byte(`{}`)), "POST", approveRoute, 403, "forbidden")
		f.wantErr(t, f.do(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/versions/9/approve", a.ID), "ocmwadmin", []byte(`{}`)), "POST", approveRoute, 404, "not_found")
		f.call(t, "POST", approve, approveRoute, "ocmwadmin", map[string]string{"note": "RMW 2025/12"}, 200, &v)
		if v.State != "applied" || v.DecidedBy != f.users.Email(t, "ocmwadmin") || v.DecisionNote != "RMW 2025/12" {
			t.Fatalf("approved = %+v", v)
		}
		f.wantErr(t, f.do(t, "POST", approve, "ocmwadmin", []byte(`{}`)), "POST", approveRoute, 409, "invalid_state")
		f.call(t, "GET", "/api/v1/gate?team=team-noord&municipality=13016&on=2025-06-02", "/api/v1/gate", "lead", nil, 200, &gate)
		if gate.AgreementVersion != 3 {
			t.Errorf("gate uses version %d after approval, want 3", gate.AgreementVersion)
		}
		// A rejected proposal leaves the version in force.
		f.call(t, "POST", versions, route, "admin", map[string]any{"status_feedback": false}, 202, &v)
		const rejectRoute = "/api/v1/agreements/{id}/versions/{v}/reject"
		f.call(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/versions/%d/reject", a.ID, v.Version), rejectRoute, "ocmwadmin", map[string]string{"note": "niet besproken"}, 200, &v)
		if v.State != "rejected" {
			t.Fatalf("rejected = %+v", v)
		}
		f.call(t, "GET", fmt.Sprintf("/api/v1/agreements/%d/versions/3", a.ID), "/api/v1/agreements/{id}/versions/{v}", "lead", nil, 200, &v)
		if v.Version != 3 || v.State != "applied" {
			t.Errorf("version 3 = %+v", v)
		}
		f.wantErr(t, f.do(t, "GET", fmt.Sprintf("/api/v1/agreements/%d/versions/3", a.ID), "leadzuid", nil), "GET", "/api/v1/agreements/{id}/versions/{v}", 404, "not_found")
		if n := countAudit(t, db, a.ID); n < 8 { // create, version, 3 steps, propose, approve, propose, reject
			t.Errorf("%d audit events, want at least 8", n)
		}
	})
}
