package paperwork

import (
	"strings"
	"testing"
	"time"

	"kansrijk/internal/birth"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/i18n"
	"kansrijk/internal/referral"
)

func trNL(k string) string { return i18n.T(i18n.NL, k, nil) }

// TestSubjectExportPDF: the family's names in UTF-8, every part of the
// dossier, the access history without workers' names.
func TestSubjectExportPDF(t *testing.T) {
	at := time.Date(2026, 3, 9, 10, 30, 0, 0, time.UTC)
	sent := at.Add(time.Hour)
	idx := int64(41)
	d := gdpr.Dossier{
		Request: gdpr.Request{ID: 7, Org: "opgroeien", Kind: gdpr.Access, ReceivedOn: "2026-03-09", DueOn: "2026-04-09",
			Found: gdpr.Found{ReceiptCodes: []string{"KR-ABCD-EFGH-JKMN"}}, Actions: []gdpr.Action{{Kind: gdpr.Rectification, ObjectType: "referral", ObjectID: 3, Field: "phone", Applied: true, RecordedAt: at}}},
		GeneratedAt: at,
		Referrals: []referral.Referral{{ID: 3, Status: referral.Sent, Team: "team-noord", Recipient: "ocmw-13016", ReceiptCode: "KR-ABCD-EFGH-JKMN",
			Parents:  []referral.Parent{{Name: "Zoë Ağaoğlu-Jérôme", Street: "Kerkstraat", Number: "12", Postcode: "2235", Phone: "+32 470 12 34 56"}},
			Criteria: []string{"income"}, Needs: []string{"housing"}, CreatedAt: at, SentAt: &sent,
			Consents: []referral.Consent{{Parent: 0, Method: "verbal", RecordedAt: at}}}},
		BirthNotifications: []birth.Notification{{Summary: birth.Summary{ID: 9, Status: birth.New, Clinic: "clinic-zonnedal", ChildBirthDate: "2026-03-01", CreatedAt: at},
			Mother: &birth.Parent{Name: "Zoë Ağaoğlu-Jérôme", Street: "Kerkstraat", Number: "12", Postcode: "2235"}}},
		AccessHistory: []gdpr.AccessEvent{{At: sent, Action: "referral.read", Organisation: "ocmw-13016", Function: "ocmw_worker", ObjectType: "referral", ObjectID: "3",
			Purpose: "follow_up", AgreementID: 4, Outcome: "ok", LeafIndex: &idx}},
	}
	pdf, err := SubjectExportPDF(d, "nl-BE", trNL)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := pdfText(t, pdf)
	for _, want := range []string{"Inzage in de persoonsgegevens van een gezin", "Zoë Ağaoğlu-Jérôme", "Kerkstraat 12", "KR-ABCD-EFGH-JKMN",
		"Doorverwijzing 3", "Geboortemelding 9", "Criteria", "income", "Telefoon", "ocmw-13016 (ocmw_worker)", "referral.read", "follow_up", "Rectificatie (art. 16)"} {
		if !strings.Contains(text, want) {
			t.Errorf("export lacks %q:\n%s", want, text)
		}
	}
	empty, err := SubjectExportPDF(gdpr.Dossier{Request: gdpr.Request{ID: 8, Kind: gdpr.Access}, GeneratedAt: at}, "nl-BE", trNL)
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := pdfText(t, empty); !strings.Contains(text, "geen gegevens over dit gezin") || !strings.Contains(text, "Geen toegangen geregistreerd") {
		t.Errorf("empty export:\n%s", text)
	}
}

func TestProcessingRecordPDF(t *testing.T) {
	rec := gdpr.BuildRecord(gdpr.DefaultConfig(), time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), []gdpr.Recipient{{AgreementID: 4, Version: 2,
		Organisation: "ocmw-13016", OrganisationName: "OCMW Hulshout", MunicipalityNIS: "13016", Municipality: "Hulshout", InForceSince: "2023-04-01", RetentionDays: 120}})
	pdf, err := ProcessingRecordPDF(rec, time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), "nl-BE", trNL)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := pdfText(t, pdf)
	for _, want := range []string{"Register van verwerkingsactiviteiten", "Opgroeien regie", "Doorverwijzing van gezinnen naar het OCMW",
		"OCMW Hulshout", "Hulshout (NIS 13016)", "Overeenkomst 4 v2", "Bewaartermijn 120 dagen", "6 maanden na het eerste contact", "Geen."} {
		if !strings.Contains(text, want) {
			t.Errorf("record lacks %q:\n%s", want, text)
		}
	}
}
