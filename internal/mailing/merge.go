package mailing

import (
	"slices"
	"strings"
	"unicode/utf8"

	"kansrijk/internal/apperr"
)

// Stable error codes of mailings (API clients build on them).
const (
	CodeTemplateSyntax   = "template_syntax"
	CodeUnknownField     = "merge_field_unknown"
	CodeEmptyField       = "merge_field_empty"
	CodeUnknownTemplate  = "unknown_template"
	CodeNoRecipients     = "no_recipients"
	CodeMailDisabled     = "mail_disabled"
	CodeIdempotencyKey   = "idempotency_key_invalid"
	CodeIdempotencyReuse = "idempotency_key_reused"
	CodeSendFailed       = "mail_send_failed"
)

// The merge fields. A template names them as {{gemeente}}, with or
// without spaces inside the braces. They describe the local government,
// its contact person, the local team and the sender: nothing about a
// family can be merged into a mailing.
const (
	FieldMunicipality    = "gemeente"
	FieldProvince        = "provincie"
	FieldContactName     = "contact_naam"
	FieldContactFunction = "contact_functie"
	FieldTeam            = "team"
	FieldSender          = "afzender"
	FieldFactsheetLink   = "factsheet_link"
)

// Fields lists the merge fields in the order the form explains them.
var Fields = []string{FieldMunicipality, FieldProvince, FieldContactName, FieldContactFunction, FieldTeam, FieldSender, FieldFactsheetLink}

// Limits of the editable texts (characters).
const (
	MaxSubject = 300
	MaxBody    = 20000
)

// Part names the text a template error is in, in Dutch for the message.
type Part string

// The two parts of a message.
const (
	PartSubject Part = "subject"
	PartBody    Part = "body"
)

func (p Part) dutch() string {
	if p == PartSubject {
		return "het onderwerp"
	}
	return "de tekst"
}

func (p Part) english() string {
	if p == PartSubject {
		return "the subject"
	}
	return "the text"
}

// segment is literal text, or a merge field when field is set.
type segment struct {
	text  string
	field string
}

// Text is a parsed subject or body: literal text and merge fields.
type Text struct {
	part     Part
	segments []segment
}

// Fields returns the merge fields the text uses, each once, in order.
func (t Text) Fields() []string {
	var out []string
	for _, s := range t.segments {
		if s.field != "" && !slices.Contains(out, s.field) {
			out = append(out, s.field)
		}
	}
	return out
}

func lineOf(src string, offset int) int { return strings.Count(src[:offset], "\n") + 1 }

// syntaxErr reports a broken merge field: en for the API, nl for the UI.
func syntaxErr(part Part, line int, en, nl string) error {
	return apperr.FieldErr(CodeTemplateSyntax, string(part), "%s, line %d: %s", part, line, en).
		WithKey("error.mailing.template_syntax", map[string]any{"Part": part.dutch(), "PartEN": part.english(), "Line": line, "Detail": nl, "DetailEN": en})
}

// Parse reads a subject or body. A merge field is {{name}} with a known
// name (Fields); anything else between double braces, a "{{" without its
// "}}" or a "}}" without its "{{" is an error naming the part and line.
func Parse(part Part, src string) (Text, error) {
	t := Text{part: part}
	rest, offset := src, 0
	for {
		open, close := strings.Index(rest, "{{"), strings.Index(rest, "}}")
		if close >= 0 && (open < 0 || close < open) {
			return t, syntaxErr(part, lineOf(src, offset+close), "'}}' without '{{'", "'}}' zonder '{{' ervoor")
		}
		if open < 0 {
			if rest != "" {
				t.segments = append(t.segments, segment{text: rest})
			}
			return t, nil
		}
		if open > 0 {
			t.segments = append(t.segments, segment{text: rest[:open]})
		}
		inner := rest[open+2:]
		end := strings.Index(inner, "}}")
		if next := strings.Index(inner, "{{"); end < 0 || (next >= 0 && next < end) || strings.ContainsAny(inner[:max(end, 0)], "\n") {
			return t, syntaxErr(part, lineOf(src, offset+open), "'{{' without '}}' on the same line", "'{{' zonder '}}' erna op dezelfde regel")
		}
		name := strings.TrimSpace(inner[:end])
		if !validName(name) {
			field := "{{" + inner[:end] + "}}"
			return t, syntaxErr(part, lineOf(src, offset+open), "'"+field+"' is not a merge field name (letters, digits and _ only)",
				"'"+field+"' is geen geldige naam van een samenvoegveld (enkel letters, cijfers en _)")
		}
		if !slices.Contains(Fields, name) {
			return t, apperr.FieldErr(CodeUnknownField, string(part), "unknown merge field {{%s}} in the %s, line %d; known fields: %s",
				name, part, lineOf(src, offset+open), strings.Join(Fields, ", ")).
				WithKey("error.mailing.unknown_field", map[string]any{"Field": name, "Part": part.dutch(), "PartEN": part.english(), "Line": lineOf(src, offset+open),
					"Known": strings.Join(Fields, ", ")})
		}
		t.segments = append(t.segments, segment{field: name})
		consumed := open + 2 + end + 2
		rest, offset = rest[consumed:], offset+consumed
	}
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Execute fills in the merge fields. Every field it uses must have a
// non-empty value: an empty one is an error naming the field and the
// recipient's municipality (who), never a silent gap in a message.
func (t Text) Execute(values map[string]string, who string) (string, error) {
	var b strings.Builder
	for _, s := range t.segments {
		if s.field == "" {
			b.WriteString(s.text)
			continue
		}
		v := strings.TrimSpace(values[s.field])
		if v == "" {
			return "", apperr.FieldErr(CodeEmptyField, string(t.part), "merge field {{%s}} has no value for %s", s.field, who).
				WithKey("error.mailing.empty_field", map[string]any{"Field": s.field, "Who": who})
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// Draft is a checked subject and body, ready to be merged per recipient.
type Draft struct {
	Template string // the built-in template it started from; "" for none
	Subject  Text
	Body     Text
	// Raw are the texts as the user wrote them.
	RawSubject, RawBody string
}

// NewDraft checks a subject (one line, at most MaxSubject characters) and
// a body (at most MaxBody characters), both required, and parses them.
func NewDraft(template, subject, body string) (Draft, error) {
	d := Draft{Template: template, RawSubject: strings.TrimSpace(subject), RawBody: strings.ReplaceAll(strings.TrimSpace(body), "\r\n", "\n")}
	switch {
	case d.RawSubject == "":
		return d, apperr.FieldErr(apperr.Invalid, "subject", "the subject is required").WithKey("error.mailing.subject_required", nil)
	case strings.ContainsAny(d.RawSubject, "\r\n"):
		return d, apperr.FieldErr(apperr.Invalid, "subject", "the subject is one line").WithKey("error.mailing.subject_one_line", nil)
	case utf8.RuneCountInString(d.RawSubject) > MaxSubject:
		return d, apperr.FieldErr(apperr.Invalid, "subject", "the subject is longer than %d characters", MaxSubject).
			WithKey("error.mailing.too_long", map[string]any{"Part": PartSubject.dutch(), "PartEN": PartSubject.english(), "Max": MaxSubject})
	case d.RawBody == "":
		return d, apperr.FieldErr(apperr.Invalid, "body", "the message text is required").WithKey("error.mailing.body_required", nil)
	case utf8.RuneCountInString(d.RawBody) > MaxBody:
		return d, apperr.FieldErr(apperr.Invalid, "body", "the message text is longer than %d characters", MaxBody).
			WithKey("error.mailing.too_long", map[string]any{"Part": PartBody.dutch(), "PartEN": PartBody.english(), "Max": MaxBody})
	}
	var err error
	if d.Subject, err = Parse(PartSubject, d.RawSubject); err != nil {
		return d, err
	}
	if d.Body, err = Parse(PartBody, d.RawBody); err != nil {
		return d, err
	}
	return d, nil
}

// Render merges the draft for one recipient.
func (d Draft) Render(r Recipient, sender, baseURL string) (Message, error) {
	v := Values(r, sender, baseURL)
	who := r.Municipality
	if r.Name != "" {
		who = r.Name + " (" + r.Municipality + ")"
	}
	subject, err := d.Subject.Execute(v, who)
	if err != nil {
		return Message{}, err
	}
	if strings.ContainsAny(subject, "\r\n") {
		return Message{}, apperr.FieldErr(apperr.Invalid, "subject", "the subject is one line").WithKey("error.mailing.subject_one_line", nil)
	}
	body, err := d.Body.Execute(v, who)
	if err != nil {
		return Message{}, err
	}
	return Message{To: r.Email, Subject: subject, Body: body + Footer, ContactID: r.ContactID, MunicipalityNIS: r.MunicipalityNIS}, nil
}

// Footer closes every mailing: where it comes from, and no personal data
// of families.
const Footer = "\n\n--\nVerstuurd met Kansrijk, het platform van Opgroeien voor de samenwerking tussen de lokale teams van Kind en Gezin en de OCMW's.\n" +
	"Dit bericht bevat geen persoonsgegevens van gezinnen.\n"

// FactsheetPath is the page of a municipality's factsheet.
func FactsheetPath(nis string) string { return "/outreach/municipalities/" + nis + "/factsheet" }

// Values returns the merge fields for a recipient.
func Values(r Recipient, sender, baseURL string) map[string]string {
	return map[string]string{
		FieldMunicipality:    r.Municipality,
		FieldProvince:        r.Province,
		FieldContactName:     r.Name,
		FieldContactFunction: FunctionLabel(r.Function),
		FieldTeam:            r.TeamName,
		FieldSender:          sender,
		FieldFactsheetLink:   strings.TrimRight(baseURL, "/") + FactsheetPath(r.MunicipalityNIS),
	}
}
