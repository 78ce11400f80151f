package mailing

import (
	"net/url"
	"strings"
	"testing"

	"kansrijk/internal/apperr"
)

// FuzzNewDraft: the template language either parses a subject and body or
// answers an error with a stable code; a parsed draft merges for a
// recipient with every field filled, and the merged text keeps no "{{".
func FuzzNewDraft(f *testing.F) {
	f.Add("Informatie voor {{gemeente}}", "Beste {{contact_naam}},\n\nZie {{factsheet_link}}.\n{{afzender}}")
	f.Add("{{", "}}")
	f.Add("{{ gemeente }}", "{{onbekend}}")
	f.Add("a}}b", "{{gemeente\n}}")
	f.Add("{{{{gemeente}}}}", "{{}}")
	f.Fuzz(func(t *testing.T, subject, body string) {
		d, err := NewDraft("", subject, body)
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Code == "" {
				t.Fatalf("NewDraft(%q, %q): error without a code: %v", subject, body, err)
			}
			return
		}
		r := Recipient{Name: "Fictieve Contactpersoon", Email: "contact@example.org", Municipality: "Hulshout", MunicipalityNIS: "13016",
			Province: "Antwerpen", Function: "general_director", Team: "team-noord", TeamName: "Lokaal team Noord"}
		msg, err := d.Render(r, "Afzender", "http://localhost:8080")
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Code == "" {
				t.Fatalf("Render: error without a code: %v", err)
			}
			return
		}
		if strings.ContainsAny(msg.Subject, "\r\n") {
			t.Fatalf("subject %q spans lines", msg.Subject)
		}
		// Field values hold no braces, so a merged text that still has
		// "{{" or "}}" let a broken field through.
		// Subject and body apart: "{" + "{" of the two is no field.
		for _, out := range []string{msg.Subject, msg.Body} {
			if strings.Contains(out, "{{") || strings.Contains(out, "}}") {
				t.Fatalf("merged text keeps braces: %q", out)
			}
		}
	})
}

// FuzzParseForm: any query string gives a request or a coded error.
func FuzzParseForm(f *testing.F) {
	f.Add("province=Antwerpen&team=team-noord&stage=not_informed,informed&min_days_since_contact=30&nis=13016&function=general_director&template=informatie&idempotency_key=abcdefgh12")
	f.Add("stage=&min_days_since_contact=-1&nis=1")
	f.Add("province=%00&function=%ff")
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		r, err := ParseForm(v)
		if err == nil {
			err = r.Normalize()
		}
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Code == "" {
				t.Fatalf("ParseForm(%q): error without a code: %v", query, err)
			}
		}
	})
}
