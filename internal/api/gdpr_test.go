package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kansrijk/internal/audit"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// gdprPDFText extracts a PDF's text with pdftotext, whitespace collapsed.
func gdprPDFText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestSubjectRequestAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		id := f.sent(t)
		ref := f.must(t, "GET", refPath(id, ""), "/api/v1/referrals/{id}", "team_worker/own", "", http.StatusOK).object(t)
		code := ref["receipt_code"].(string)

		// Only a DPO.
		body := fmt.Sprintf(`{"type": "access", "received_on": "2025-05-31", "receipt_code": %q}`, strings.ToLower(code))
		for _, who := range []string{"admin", "team_worker/own", "ocmw_worker/own"} {
			if r := f.do(t, "POST", "/api/v1/subject-requests", who, body); r.Code != http.StatusForbidden {
				t.Errorf("%s registers a request: %s", who, r)
			}
		}
		if r := f.do(t, "POST", "/api/v1/subject-requests", "dpo/opgroeien", `{"type": "access"}`); r.Code != http.StatusBadRequest {
			t.Errorf("a request without lookup: %s", r)
		}
		created := f.must(t, "POST", "/api/v1/subject-requests", "/api/v1/subject-requests", "dpo/opgroeien", body, http.StatusCreated)
		var req struct {
			ID    int64  `json:"id"`
			DueOn string `json:"due_on"`
			Open  bool   `json:"open"`
			Found struct {
				ReceiptCodes []string `json:"receipt_codes"`
				Referrals    []int64  `json:"referrals"`
			} `json:"found"`
		}
		if err := json.Unmarshal(created.Body, &req); err != nil {
			t.Fatal(err)
		}
		if req.DueOn != "2025-06-30" || !req.Open || len(req.Found.Referrals) != 1 || req.Found.Referrals[0] != id || req.Found.ReceiptCodes[0] != code {
			t.Fatalf("created = %s", created)
		}
		base := fmt.Sprintf("/api/v1/subject-requests/%d", req.ID)
		f.must(t, "GET", base, "/api/v1/subject-requests/{id}", "dpo/opgroeien", "", http.StatusOK)
		// Another organisation's DPO: the 404 of a missing request.
		for _, who := range []string{"dpo/own", "dpo/other"} {
			if r := f.do(t, "GET", base, who, ""); r.Code != http.StatusNotFound {
				t.Errorf("%s reads Opgroeien's request: %s", who, r)
			}
		}

		// The export: the parents' data, the assessment and the access history.
		exp := f.must(t, "GET", base+"/export.json", "/api/v1/subject-requests/{id}/export.json", "dpo/opgroeien", "", http.StatusOK)
		for _, want := range []string{`"An Peeters"`, `"employment"`, `"referral.send"`, `"subject_request.create"`, `"team-noord"`} {
			if !strings.Contains(string(exp.Body), want) {
				t.Errorf("export lacks %s", want)
			}
		}
		if cd := exp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
			t.Errorf("export Content-Disposition = %q", cd)
		}
		pdf := f.do(t, "GET", base+"/export.pdf", "dpo/opgroeien", "")
		if pdf.Code != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("export.pdf: %d %s", pdf.Code, pdf.Header.Get("Content-Type"))
		}
		text := gdprPDFText(t, pdf.Body)
		for _, want := range []string{"Inzage in de persoonsgegevens", "An Peeters", "Kerkstraat 12", code, "referral.read", "ocmw-13016"} {
			if !strings.Contains(text, want) {
				t.Errorf("export PDF lacks %q:\n%s", want, text)
			}
		}
		if evs, _ := db.AuditEvents(context.Background(), audit.Filter{Action: "subject_request.export", ReceiptCode: code}); len(evs) != 2 {
			t.Errorf("export events = %d, want one per export", len(evs))
		}

		// Rectification of the parent's phone, visible to the team.
		rect := fmt.Sprintf(`{"object_type": "referral", "object_id": %d, "parent": 0, "field": "phone", "value": "+32 470 99 88 77"}`, id)
		f.must(t, "POST", base+"/rectifications", "/api/v1/subject-requests/{id}/rectifications", "dpo/opgroeien", rect, http.StatusCreated)
		after := f.must(t, "GET", refPath(id, ""), "/api/v1/referrals/{id}", "team_worker/own", "", http.StatusOK).object(t)
		if p := after["parents"].([]any)[0].(map[string]any); p["phone"] != "+32 470 99 88 77" {
			t.Errorf("phone after rectification = %v", p["phone"])
		}
		if r := f.do(t, "POST", base+"/rectifications", "dpo/opgroeien", `{"object_type": "referral", "object_id": 999, "field": "phone", "value": "+32 470 99 88 77"}`); r.Code != http.StatusBadRequest {
			t.Errorf("rectify a referral not found: %s", r)
		}
		// Objection: the sent referral stays.
		obj := f.must(t, "POST", base+"/objections", "/api/v1/subject-requests/{id}/objections", "dpo/opgroeien", `{"note": "per brief"}`, http.StatusCreated)
		if !strings.Contains(string(obj.Body), `"type":"objection"`) || strings.Contains(string(obj.Body), "withdrawn_referrals") {
			t.Errorf("objection = %s", obj)
		}
		// Answered: gone from the open list.
		f.must(t, "POST", base+"/answer", "/api/v1/subject-requests/{id}/answer", "dpo/opgroeien", `{"answered_on": "2025-06-02"}`, http.StatusOK)
		open := f.must(t, "GET", "/api/v1/subject-requests?open=true", "/api/v1/subject-requests", "dpo/opgroeien", "", http.StatusOK)
		if strings.Contains(string(open.Body), fmt.Sprintf(`"id":%d,`, req.ID)) {
			t.Errorf("answered request listed as open: %s", open)
		}
		all := f.must(t, "GET", "/api/v1/subject-requests", "/api/v1/subject-requests", "dpo/opgroeien", "", http.StatusOK)
		if !strings.Contains(string(all.Body), `"answered_on":"2025-06-02"`) {
			t.Errorf("list = %s", all)
		}
	})
}

func TestProcessingRecordAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		for _, who := range []string{"team_worker/own", "ocmw_admin/own", "analyst"} {
			if r := f.do(t, "GET", "/api/v1/processing-record", who, ""); r.Code != http.StatusForbidden {
				t.Errorf("%s reads the record: %s", who, r)
			}
		}
		type record struct {
			Transfers  string `json:"transfers"`
			Recipients []struct {
				AgreementID      int64  `json:"agreement_id"`
				OrganisationName string `json:"organisation_name"`
				Municipality     string `json:"municipality"`
				RetentionDays    int    `json:"retention_days"`
			} `json:"recipients"`
		}
		read := func(who string) record {
			r := f.must(t, "GET", "/api/v1/processing-record", "/api/v1/processing-record", who, "", http.StatusOK)
			var rec record
			if err := json.Unmarshal(r.Body, &rec); err != nil {
				t.Fatal(err)
			}
			return rec
		}
		before := read("dpo/opgroeien")
		if len(before.Recipients) != 2 || before.Transfers != "none" {
			t.Fatalf("before = %+v", before)
		}
		// A new agreement in force appears with its retention.
		ag := refActiveAgreement(t, db, "team-noord", "12014", "2024")
		after := read("admin")
		var found bool
		for _, r := range after.Recipients {
			if r.AgreementID == ag {
				found = r.RetentionDays == 90 && r.Municipality == "Heist-op-den-Berg" && strings.Contains(r.OrganisationName, "Heist-op-den-Berg")
			}
		}
		if len(after.Recipients) != 3 || !found {
			t.Fatalf("after = %+v (agreement %d)", after, ag)
		}
		pdf := f.do(t, "GET", "/api/v1/processing-record?format=pdf", "dpo/own", "")
		if pdf.Code != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("pdf: %s", pdf)
		}
		text := gdprPDFText(t, pdf.Body)
		for _, want := range []string{"Register van verwerkingsactiviteiten", "Heist-op-den-Berg (NIS 12014)", fmt.Sprintf("Overeenkomst %d v1", ag), "Bewaartermijn 90 dagen", "Doorgiften naar derde landen", "Geen."} {
			if !strings.Contains(text, want) {
				t.Errorf("record PDF lacks %q:\n%s", want, text)
			}
		}
		en := gdprPDFText(t, f.do(t, "GET", "/api/v1/processing-record?format=pdf&lang=en", "admin", "").Body)
		if !strings.Contains(en, "Record of processing activities") && !strings.Contains(en, "record of processing activities") {
			t.Errorf("English record PDF:\n%s", en)
		}
	})
}
