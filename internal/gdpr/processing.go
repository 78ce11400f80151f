package gdpr

import (
	"time"

	"kansrijk/internal/birth"
)

// The record of processing activities (GDPR art. 30(1)) for Kansrijk's own
// processing, generated, never typed: the controller and its DPO from
// Config, the activities from what the code does, and the recipients of
// referrals from the agreements — every OCMW (or CAW Brussel) with an
// agreement in force on the day, with the retention period of the
// agreement's version in force. Texts are stable keys (purposes, data
// categories, data subjects, security measures), translated by the page
// and the PDF (i18n area gdpr, "gdpr.rpa.<key>").

// Config is the part of the record that comes from configuration.
type Config struct {
	ControllerName    string `json:"controller"`
	ControllerAddress string `json:"controller_address"`
	DPOContact        string `json:"dpo_contact"`
	// Births: the retention of the parents' data of a birth notification.
	Births birth.Policy `json:"-"`
}

// DefaultConfig is Opgroeien as the controller.
func DefaultConfig() Config {
	return Config{
		ControllerName:    "Opgroeien regie",
		ControllerAddress: "Hallepoortlaan 27, 1060 Brussel",
		DPOContact:        "dpo@opgroeien.be",
		Births:            birth.Policy{EscalateAfterDays: birth.DefaultEscalateAfterDays, RetentionMonths: birth.DefaultRetentionMonths},
	}
}

// Recipient is an OCMW (or CAW Brussel) that receives referrals under an
// agreement in force, with the agreement's version in force.
type Recipient struct {
	AgreementID       int64  `json:"agreement_id"`
	Version           int    `json:"version"`
	Organisation      string `json:"organisation"`
	OrganisationName  string `json:"organisation_name"`
	MunicipalityNIS   string `json:"municipality_nis"`
	Municipality      string `json:"municipality"`
	Team              string `json:"team"`
	InForceSince      string `json:"in_force_since,omitempty"`
	RetentionDays     int    `json:"retention_days"`
	ProtocolReference string `json:"protocol_reference,omitempty"`
}

// Activity is one processing activity.
type Activity struct {
	Key            string   `json:"key"`
	LegalBasis     []string `json:"legal_basis"`
	Purposes       []string `json:"purposes"`
	DataCategories []string `json:"data_categories"`
	DataSubjects   []string `json:"data_subjects"`
	// Recipients are categories; the named OCMWs are Record.Recipients.
	Recipients []string `json:"recipient_categories"`
	// Retention is a key; RetentionN its number (days or months) where
	// the period is one for the whole activity.
	Retention  string `json:"retention"`
	RetentionN int    `json:"retention_n,omitempty"`
}

// Record is the record of processing activities on a day.
type Record struct {
	On         string      `json:"on"`
	Controller Config      `json:"controller"`
	Activities []Activity  `json:"activities"`
	Recipients []Recipient `json:"recipients"`
	// Transfers to third countries or international organisations: none.
	Transfers string   `json:"transfers"`
	Security  []string `json:"security_measures"`
}

// BuildRecord assembles the record from configuration and the recipients
// found in the agreements.
func BuildRecord(cfg Config, on time.Time, recipients []Recipient) Record {
	if recipients == nil {
		recipients = []Recipient{}
	}
	return Record{
		On:         on.Format(time.DateOnly),
		Controller: cfg,
		Activities: []Activity{
			{Key: "referral", LegalBasis: []string{"consent", "decree_2022"},
				Purposes:       []string{"referral", "follow_up", "status_feedback"},
				DataCategories: []string{"identification", "address", "contact", "consent", "assessment", "contact_attempts", "outcome"},
				DataSubjects:   []string{"parents"},
				Recipients:     []string{"ocmw_in_force"},
				Retention:      "per_agreement"},
			{Key: "birth_notification", LegalBasis: []string{"public_task", "decree_2022"},
				Purposes:       []string{"early_support"},
				DataCategories: []string{"identification", "address", "contact", "language", "birth_date"},
				DataSubjects:   []string{"parents", "children"},
				Recipients:     []string{"local_team"},
				Retention:      "birth_months", RetentionN: cfg.Births.RetentionMonths},
			{Key: "outreach", LegalBasis: []string{"public_task"},
				Purposes:       []string{"outreach"},
				DataCategories: []string{"contact_person"},
				DataSubjects:   []string{"contact_persons"},
				Recipients:     []string{"none"},
				Retention:      "while_relevant"},
			{Key: "accounts_audit", LegalBasis: []string{"legal_obligation", "public_task"},
				Purposes:       []string{"security", "accountability", "subject_requests"},
				DataCategories: []string{"account", "audit"},
				DataSubjects:   []string{"staff", "parents"},
				Recipients:     []string{"dpo", "family_own"},
				Retention:      "audit_append_only"},
		},
		Recipients: recipients,
		Transfers:  "none",
		Security:   []string{"role_scope", "audit_every_access", "merkle_log", "minimal_data", "retention_deletion", "passwords", "sessions_csrf", "tls", "separate_assessment"},
	}
}
