// Package paperwork generates the two documents of a local cooperation
// between a local team of Kind en Gezin and an OCMW (CAW Brussel for a
// Brussels municipality), in Dutch, as PDF: the cooperation agreement
// (lokale samenwerkingsovereenkomst) and the processing agreement
// (verwerkingsovereenkomst).
//
// The legal text lives in versioned, embedded templates
// (templates/<version>/*.txt, text/template with a small line markup, see
// parseBlocks); a new legal text is a new folder, and agreements that
// refer to an older template version keep rendering with their own text.
// Output is deterministic: the same input gives the same bytes.
package paperwork

import (
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/dates"
)

// TemplateVersion is the current template version. Keep it equal to
// store.TemplateVersion (a test checks this).
const TemplateVersion = "2026.1"

// Input holds the parties and content of the documents, filled by the
// caller from an agreement.
type Input struct {
	AgreementID      int64
	TeamName         string // "Lokaal team Kind en Gezin …"
	RecipientName    string // "OCMW Hulshout" or "CAW Brussel"
	MunicipalityName string
	MunicipalityNIS  string
	// Version holds the parameters: retention days, status feedback,
	// first-contact target, information text, protocol reference, DPO
	// advice date, publication URL and the template version ("" is the
	// current TemplateVersion).
	Version agreement.Version
	// Signatures fill the signature blocks by function; may be empty
	// (blank blocks to sign by hand).
	Signatures  []agreement.Signature
	GeneratedOn time.Time // printed in the footer and used as the PDF creation date
}

// CooperationAgreement renders the lokale samenwerkingsovereenkomst.
func CooperationAgreement(in Input) ([]byte, error) {
	return generate(in, func(s templateSet) *template.Template { return s.cooperation })
}

// ProcessingAgreement renders the verwerkingsovereenkomst.
func ProcessingAgreement(in Input) ([]byte, error) {
	return generate(in, func(s templateSet) *template.Template { return s.processing })
}

// data is what the templates see. Single-line fields have their
// whitespace collapsed so that they cannot break the line markup.
type data struct {
	AgreementID      int64
	TeamName         string
	RecipientName    string
	MunicipalityName string
	MunicipalityNIS  string
	// CAW is true when the recipient is CAW Brussel instead of an OCMW.
	CAW bool

	ParameterVersion  int
	RetentionDays     int
	StatusFeedback    bool
	FirstContactDays  int
	InformationText   string // multi-line: use {{quote .InformationText}}
	ProtocolReference string // "" when none
	DPOAdviceOn       string // Dutch date ("12 maart 2026") or ""
	PublicationURL    string // "" when none

	TemplateVersion string
	GeneratedOn     string // Dutch date
}

func generate(in Input, pick func(templateSet) *template.Template) ([]byte, error) {
	if err := validate(in); err != nil {
		return nil, err
	}
	sets, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	set, version, err := lookup(sets, in.Version.TemplateVersion)
	if err != nil {
		return nil, err
	}
	d := newData(in, version)
	src, err := execute(pick(set), d)
	if err != nil {
		return nil, err
	}
	blocks, err := parseBlocks(src)
	if err != nil {
		return nil, err
	}
	return render(blocks, d, in.Signatures, in.GeneratedOn)
}

func validate(in Input) error {
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"team name", in.TeamName}, {"recipient name", in.RecipientName},
		{"municipality name", in.MunicipalityName}, {"municipality NIS code", in.MunicipalityNIS},
		{"information text", in.Version.InformationText},
	} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("paperwork: missing %s", strings.Join(missing, ", "))
	}
	if in.Version.RetentionDays <= 0 {
		return errors.New("paperwork: retention days must be positive")
	}
	if in.Version.FirstContactDays < 0 {
		return errors.New("paperwork: first-contact days must not be negative")
	}
	if in.GeneratedOn.IsZero() {
		return errors.New("paperwork: generation date is required (it makes the output deterministic)")
	}
	return nil
}

func newData(in Input, version string) data {
	recipient := oneLine(in.RecipientName)
	upper := strings.ToUpper(recipient)
	return data{
		AgreementID:       in.AgreementID,
		TeamName:          oneLine(in.TeamName),
		RecipientName:     recipient,
		MunicipalityName:  oneLine(in.MunicipalityName),
		MunicipalityNIS:   oneLine(in.MunicipalityNIS),
		CAW:               strings.HasPrefix(upper, "CAW") || strings.Contains(upper, "CENTRUM ALGEMEEN WELZIJNSWERK"),
		ParameterVersion:  in.Version.Version,
		RetentionDays:     in.Version.RetentionDays,
		StatusFeedback:    in.Version.StatusFeedback,
		FirstContactDays:  in.Version.FirstContactDays,
		InformationText:   in.Version.InformationText,
		ProtocolReference: oneLine(in.Version.ProtocolReference),
		DPOAdviceOn:       dutchDateString(oneLine(in.Version.DPOAdviceOn)),
		PublicationURL:    oneLine(in.Version.PublicationURL),
		TemplateVersion:   version,
		GeneratedOn:       dutchDate(in.GeneratedOn.In(brussels)),
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// dutchDate formats t as "9 februari 2018".
func dutchDate(t time.Time) string { return dates.Long(t) }

// dutchDateString formats a YYYY-MM-DD date the Dutch way; anything else
// is returned as given.
func dutchDateString(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return dutchDate(t)
}

var brussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()
