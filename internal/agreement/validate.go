package agreement

// The checks of a step and of a new version that need no database, each
// reporting every problem at once (an apperr.List in the order of the
// form, each naming its field), as the form pattern asks (issue 12). The
// store runs them before its checks against the agreement's history;
// the web runs them too, so that a form with a mistyped date still hears
// about its other problems.

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/dates"
)

// The longest texts of a step and of a version, in bytes.
const (
	MaxNote              = 2000
	MaxReason            = 2000
	MaxCouncilReference  = 200
	MaxSignatoryName     = 200
	MaxInformationText   = 8000
	MaxProtocolReference = 200
	MaxPublicationURL    = 500
)

// The ranges of a version's numbers.
const (
	MinRetentionDays    = 1
	MaxRetentionDays    = 3650
	MinFirstContactDays = 1
	MaxFirstContactDays = 365
)

// SignatureField is the field name of a signature's input in problems:
// "signatures.council_chair.signed_on" (part "signed_on" or "name"), or
// "signatures.council_chair" for the signature as a whole.
func SignatureField(function, part string) string {
	if part == "" {
		return "signatures." + function
	}
	return "signatures." + function + "." + part
}

func tooLong(field, s string, max int) *apperr.Error {
	if len(s) <= max {
		return nil
	}
	return apperr.FieldErr(apperr.Invalid, field, "%s is too long (at most %d characters)", field, max).WithKey("error.too_long", nil)
}

// day reads a date field as people type it (dates.Parse: 6/12/2026,
// 06-12-2026, 2026-12-06); bad reports a value that is not a date.
func day(field, s string, add func(*apperr.Error)) (t time.Time, bad bool) {
	t, _, err := dates.ParseField(field, s)
	if err != nil {
		e, _ := apperr.As(err)
		add(e)
		return time.Time{}, true
	}
	return t, false
}

// CheckEvent checks the fields of a step with status: the dates (as
// people type them), the texts' lengths and what the status needs (the
// council's decision for approved, one dated signature per function for
// signed, a reason for ended). It returns the step's details and its
// effective date (def when none is given nor follows from the details),
// or every problem at once.
func CheckEvent(status Status, in NewEvent, def time.Time) (EventDetail, time.Time, error) {
	var d EventDetail
	var ps []*apperr.Error
	add := func(e *apperr.Error) {
		if e != nil {
			ps = append(ps, e)
		}
	}
	on, badOn := day("effective_on", in.EffectiveOn, add)
	var signedBefore time.Time // the last signature, when the step is dated before it
	switch status {
	case Approved:
		dec, badDec := day("council_decision_on", in.CouncilDecisionOn, add)
		if dec.IsZero() {
			dec = on
		}
		if dec.IsZero() && !badDec && !badOn {
			add(apperr.FieldErr(apperr.Invalid, "council_decision_on", "the date of the OCMW council decision is required").WithKey("error.council_date_required", nil))
		}
		ref := strings.TrimSpace(in.CouncilReference)
		if ref == "" {
			add(apperr.FieldErr(apperr.Invalid, "council_reference", "the reference of the OCMW council decision is required").WithKey("error.council_reference_required", nil))
		}
		add(tooLong("council_reference", ref, MaxCouncilReference))
		if on.IsZero() {
			on = dec
		}
		if !dec.IsZero() {
			d.CouncilDecisionOn = dec.Format(time.DateOnly)
		}
		d.CouncilReference = ref
	case Signed:
		var last time.Time
		for _, f := range SignatoryFunctions {
			i := slices.IndexFunc(in.Signatures, func(s Signature) bool { return s.Function == f })
			if i < 0 {
				add(apperr.FieldErr(apperr.Invalid, SignatureField(f, ""), "the signature of the %s is missing", strings.ReplaceAll(f, "_", " ")).
					WithKey("error.signature_missing", map[string]any{"Function": f}))
				continue
			}
			s := in.Signatures[i]
			name := strings.TrimSpace(s.Name)
			add(tooLong(SignatureField(f, "name"), name, MaxSignatoryName))
			sd, _, err := dates.Parse(s.SignedOn)
			if err != nil || sd.IsZero() {
				add(apperr.FieldErr(apperr.InvalidDate, SignatureField(f, "signed_on"), "the signature date of the %s must be a date (DD-MM-YYYY or YYYY-MM-DD)", strings.ReplaceAll(f, "_", " ")).
					WithKey("error.signature_date", map[string]any{"Function": f}))
				continue
			}
			if sd.After(last) {
				last = sd
			}
			d.Signatures = append(d.Signatures, Signature{Function: f, Name: name, SignedOn: sd.Format(time.DateOnly)})
		}
		if len(in.Signatures) != len(SignatoryFunctions) && len(d.Signatures) == len(SignatoryFunctions) {
			add(apperr.FieldErr(apperr.Invalid, "signatures", "give exactly one signature per function: administrator_general, council_chair, general_director").
				WithKey("error.signature_functions", nil))
		}
		if on.IsZero() && !badOn {
			on = last
		}
		if on.Before(last) {
			signedBefore = last
		}
	case Ended:
		if strings.TrimSpace(in.Reason) == "" {
			add(apperr.FieldErr(apperr.Invalid, "reason", "a reason is required to end an agreement").WithKey("error.reason_required", nil))
		}
	}
	if status == Ended || status == Withdrawn || status == Suspended {
		d.Reason = strings.TrimSpace(in.Reason)
	}
	add(tooLong("reason", strings.TrimSpace(in.Reason), MaxReason))
	add(tooLong("note", strings.TrimSpace(in.Note), MaxNote))
	if len(ps) > 0 {
		return d, on, apperr.Join(ps)
	}
	// Across fields, once each field is right: a conflict with the
	// history, not an input mistake.
	if !signedBefore.IsZero() {
		return d, on, apperr.FieldErr(apperr.InvalidTransition, "effective_on", "the agreement cannot be signed before its last signature (%s)", signedBefore.Format(time.DateOnly)).
			WithKey("error.signed_before_signature", map[string]any{"Date": dates.Format(signedBefore)})
	}
	if on.IsZero() {
		on = def
	}
	return d, on, nil
}

// Check checks a change of the parameters, every problem at once: the
// numbers in their ranges, the information text not emptied, the texts'
// lengths, the publication an http(s) URL and the DPO's advice a date
// (as people type it, written back as YYYY-MM-DD). Nil fields are not
// changed and not checked.
func (up *VersionUpdate) Check() error {
	var ps []*apperr.Error
	add := func(e *apperr.Error) {
		if e != nil {
			ps = append(ps, e)
		}
	}
	rng := func(field string, n *int, min, max int) {
		if n != nil && (*n < min || *n > max) {
			add(apperr.FieldErr(apperr.Invalid, field, "%s must be between %d and %d", field, min, max).
				WithKey("error.range", map[string]any{"Min": min, "Max": max}))
		}
	}
	rng("retention_days", up.RetentionDays, MinRetentionDays, MaxRetentionDays)
	rng("first_contact_days", up.FirstContactDays, MinFirstContactDays, MaxFirstContactDays)
	if up.InformationText != nil {
		s := strings.TrimSpace(*up.InformationText)
		if s == "" {
			add(apperr.FieldErr(apperr.Invalid, "information_text", "the information text for families cannot be empty").WithKey("error.info_text_required", nil))
		}
		add(tooLong("information_text", s, MaxInformationText))
	}
	if up.ProtocolReference != nil {
		add(tooLong("protocol_reference", strings.TrimSpace(*up.ProtocolReference), MaxProtocolReference))
	}
	if up.DPOAdviceOn != nil {
		if t, bad := day("dpo_advice_on", *up.DPOAdviceOn, add); !bad {
			s := ""
			if !t.IsZero() {
				s = t.Format(time.DateOnly)
			}
			up.DPOAdviceOn = &s
		}
	}
	if up.PublicationURL != nil {
		s := strings.TrimSpace(*up.PublicationURL)
		if e := tooLong("publication_url", s, MaxPublicationURL); e != nil {
			add(e)
		} else if s != "" {
			if u, err := url.Parse(s); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				add(apperr.FieldErr(apperr.Invalid, "publication_url", "publication_url must be an http(s) URL").WithKey("error.invalid_url", nil))
			}
		}
	}
	return apperr.Join(ps)
}
