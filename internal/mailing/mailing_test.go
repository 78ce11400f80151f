package mailing

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/outreach"
)

var hulshout = Recipient{ContactID: 7, MunicipalityNIS: "13016", Municipality: "Hulshout", Province: "Antwerpen",
	Function: outreach.GeneralDirector, Name: "An Peeters", Email: "an.peeters@hulshout.test", Team: "team-noord", TeamName: "Lokaal team Noord"}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, code, field string
		line                   int
	}{
		{"Unknown", "Beste {{contact_naam}},\n\nUw {{gemeent}} …", CodeUnknownField, "gemeent", 3},
		{"UnknownWithSpaces", "{{ burgemeester }}", CodeUnknownField, "burgemeester", 1},
		{"Unclosed", "Beste {{contact_naam},\n", CodeTemplateSyntax, "", 1},
		{"UnclosedOnLine", "Beste {{contact_naam\n}}", CodeTemplateSyntax, "", 1},
		{"StrayClose", "regel\nBeste contact_naam}}", CodeTemplateSyntax, "", 2},
		{"Empty", "{{}}", CodeTemplateSyntax, "", 1},
		{"Expression", "{{ .Name }}", CodeTemplateSyntax, "", 1},
		{"Nested", "{{ {{gemeente}} }}", CodeTemplateSyntax, "", 1},
		{"TripleBrace", "{{{gemeente}}}", CodeTemplateSyntax, "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(PartBody, tc.src)
			e, ok := apperr.As(err)
			if !ok || e.Code != tc.code || e.Field != "body" {
				t.Fatalf("Parse(%q) = %v, want code %s on field body", tc.src, err, tc.code)
			}
			if e.Args["Line"] != tc.line {
				t.Errorf("line %v, want %d", e.Args["Line"], tc.line)
			}
			if tc.field != "" && (e.Args["Field"] != tc.field || !strings.Contains(e.Message, "{{"+tc.field+"}}")) {
				t.Errorf("error does not name the field %q: %+v", tc.field, e)
			}
			if tc.code == CodeTemplateSyntax && e.Args["Detail"] == "" {
				t.Errorf("no Dutch detail: %+v", e)
			}
		})
	}
}

func TestRenderFillsEveryField(t *testing.T) {
	for _, tpl := range Templates {
		t.Run(tpl.ID, func(t *testing.T) {
			d, err := Request{Template: tpl.ID}.Draft()
			if err != nil {
				t.Fatal(err)
			}
			m, err := d.Render(hulshout, "Sara Janssens", "https://kansrijk.test/")
			if err != nil {
				t.Fatal(err)
			}
			all := m.Subject + "\n" + m.Body
			if strings.Contains(all, "{{") || strings.Contains(all, "}}") {
				t.Errorf("a merge field was left:\n%s", all)
			}
			if m.To != hulshout.Email || !strings.Contains(m.Body, "Sara Janssens") || !strings.Contains(all, "Hulshout") ||
				!strings.Contains(m.Body, "https://kansrijk.test/outreach/municipalities/13016/factsheet") || !strings.HasSuffix(m.Body, Footer) {
				t.Errorf("message:\n%s\n%s", m.Subject, m.Body)
			}
			if strings.Contains(tpl.Body, "{{contact_naam}}") && !strings.Contains(m.Body, "Geachte An Peeters,") {
				t.Errorf("no salutation with the contact's name:\n%s", m.Body)
			}
		})
	}
}

func TestRenderIsStrict(t *testing.T) {
	d, err := NewDraft("", "Voor {{gemeente}}", "Groeten van {{team}} ({{afzender}})")
	if err != nil {
		t.Fatal(err)
	}
	noTeam := hulshout
	noTeam.TeamName = ""
	_, err = d.Render(noTeam, "Sara", "https://kansrijk.test")
	if e, ok := apperr.As(err); !ok || e.Code != CodeEmptyField || e.Args["Field"] != FieldTeam || !strings.Contains(e.Message, "Hulshout") {
		t.Fatalf("empty team: %v", err)
	}
	if _, err := d.Render(hulshout, "", "https://kansrijk.test"); !apperr.Is(err, CodeEmptyField) {
		t.Fatalf("empty sender: %v", err)
	}
	// A field that is not used may be empty.
	d, _ = NewDraft("", "Voor {{gemeente}}", "Beste")
	if _, err := d.Render(noTeam, "", "https://kansrijk.test"); err != nil {
		t.Fatal(err)
	}
}

func TestNewDraftChecks(t *testing.T) {
	for _, tc := range []struct{ subject, body, field string }{
		{"", "tekst", "subject"},
		{"twee\nregels", "tekst", "subject"},
		{strings.Repeat("a", MaxSubject+1), "tekst", "subject"},
		{"onderwerp", "  ", "body"},
		{"onderwerp", strings.Repeat("a", MaxBody+1), "body"},
		{"{{gemeente", "tekst", "subject"},
	} {
		_, err := NewDraft("", tc.subject, tc.body)
		if e, ok := apperr.As(err); !ok || e.Field != tc.field {
			t.Errorf("NewDraft(%.20q, %.20q) = %v, want an error on %s", tc.subject, tc.body, err, tc.field)
		}
	}
	if _, err := (Request{Template: "bestaat-niet"}).Draft(); !apperr.Is(err, CodeUnknownTemplate) {
		t.Errorf("unknown template: %v", err)
	}
	// The user's own subject wins over the template's; the body stays the template's.
	d, err := Request{Template: "uitnodiging", Subject: "Eigen onderwerp {{gemeente}}"}.Draft()
	if err != nil || d.RawSubject != "Eigen onderwerp {{gemeente}}" || !strings.Contains(d.RawBody, "infosessie") {
		t.Errorf("draft %+v %v", d, err)
	}
}

func TestParseForm(t *testing.T) {
	v := url.Values{"team": {"team-noord"}, "stage": {"not_informed,informed"}, "nis": {"13016, 12014", "13016"},
		"function": {"general_director", "", "general_director"}, "template": {" informatie "}, "idempotency_key": {"abcdefgh12"}}
	r, err := ParseForm(v)
	if err != nil {
		t.Fatal(err)
	}
	if r.Filter.Team != "team-noord" || len(r.Filter.Stages) != 2 || !slices.Equal(r.Municipalities, []string{"13016", "12014"}) ||
		!slices.Equal(r.Functions, []outreach.Function{outreach.GeneralDirector}) || r.Template != "informatie" || !r.FilterGiven() {
		t.Fatalf("request %+v", r)
	}
	if _, err := ParseForm(url.Values{"function": {"burgemeester"}}); err == nil {
		t.Error("unknown function accepted")
	}
	if _, err := ParseForm(url.Values{"stage": {"bijna"}}); err == nil {
		t.Error("unknown stage accepted")
	}
	if (Request{Municipalities: []string{"13016"}}).FilterGiven() {
		t.Error("a list alone counts as a filter")
	}
}

func TestIdempotencyKey(t *testing.T) {
	for key, ok := range map[string]bool{"": false, "short": false, "0123456789abcdef": true, "met spatie 12345": false, strings.Repeat("a", 101): false, "a-b_c-d_e": true} {
		if err := CheckIdempotencyKey(key); (err == nil) != ok {
			t.Errorf("CheckIdempotencyKey(%q) = %v", key, err)
		}
	}
}

// No merge field can carry data about a family: the fields are fixed and
// none of them is filled from a referral.
func TestFieldsHoldNoFamilyData(t *testing.T) {
	v := Values(hulshout, "Sara", "https://kansrijk.test")
	if len(v) != len(Fields) {
		t.Fatalf("%d values for %d fields", len(v), len(Fields))
	}
	for _, f := range Fields {
		if _, ok := v[f]; !ok {
			t.Errorf("field %s has no value", f)
		}
	}
	for _, f := range outreach.Functions {
		if FunctionLabel(f) == "" {
			t.Errorf("function %s has no label", f)
		}
	}
}
