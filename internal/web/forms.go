package web

// The form pattern every form of Kansrijk follows (the birth form's):
//
//   - a summary of ALL problems above the form (template "formSummary",
//     partials/form.html): a heading, and each problem a link to its field;
//   - each message next to its field, the input marked aria-invalid and
//     described by the message (template "field" for a text input,
//     "fieldError" and fattrs for selects, text areas and groups);
//   - required fields marked visibly and with the required attribute;
//   - nothing lost of what was typed: handlers render the form again with
//     p.Form = r.PostForm (dates shown back as DD-MM-JJJJ).
//
// A handler turns an error of the domain or the store into the page's
// problems with p.formProblems(r, err, spec): spec maps the field names
// the domain uses ("parents[0].postcode") to the form's inputs
// ("p0_postcode") and their labels. Domain validation returns every
// problem at once as an apperr.List where it can (referral.NewReferral).

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kansrijk/internal/apperr"
	"kansrijk/internal/dates"
	"kansrijk/internal/i18n"
)

// formError is one problem of a submitted form: the id of its input (the
// summary links to it; empty for a problem of the whole form), the label
// of the field and the message, in the user's language.
type formError struct {
	Field, ID, Label, Message string
}

// formErrors are a form's problems, in the order of the form.
type formErrors []formError

// For returns the problem of the input name, or nil.
func (fe formErrors) For(name string) *formError {
	for i := range fe {
		if fe[i].Field == name && name != "" {
			return &fe[i]
		}
	}
	return nil
}

// fieldSpec is how a field the domain names appears in a form: the name of
// its input ("" for the same name) and the catalogue key of its label.
type fieldSpec struct {
	Input, Label string
	// Of, when set, is the key of the group the field belongs to, with
	// the argument N: "Ouder 2 — Naam".
	Of string
	N  int
	// ID, when set, is the id of the input (a page with several forms
	// whose inputs share names: "moment-on"); else inputID(Input).
	ID string
}

// formSpec maps the domain's field names to the form's inputs. A problem
// of a field not in the spec is shown in the summary without a link.
type formSpec map[string]fieldSpec

// inputID is the id of the input of a form field: its name, with any
// character but a-z, 0-9 and _ made "-" ("parents[0].name" →
// "parents-0-name", "current_password" stays).
func inputID(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// problemText is the message of a problem in lang: its catalogue key with
// its arguments, else "error.<code>", else its English message.
func problemText(lang i18n.Lang, e *apperr.Error) string {
	key := e.Key
	if key == "" {
		key = "error." + e.Code
	}
	if i18n.Has(lang, key) {
		return i18n.T(lang, key, e.Args)
	}
	return e.Message
}

// formProblems puts every problem of err on the page: the form's
// summary and the messages next to the fields. An internal error (no
// apperr) is shown as the page's error, logged, as withError does.
func (p *Page) formProblems(r *http.Request, err error, spec formSpec) *Page {
	problems := apperr.Problems(err)
	if problems == nil {
		return p.withError(r, err)
	}
	for _, e := range problems {
		fe := formError{Message: problemText(p.Lang, e)}
		if s, ok := spec[e.Field]; ok && e.Field != "" {
			fe.Field = s.Input
			if fe.Field == "" {
				fe.Field = e.Field
			}
			fe.ID, fe.Label = inputID(fe.Field), i18n.T(p.Lang, s.Label, nil)
			if s.ID != "" {
				fe.ID = s.ID
			}
			if s.Of != "" {
				fe.Label = i18n.T(p.Lang, s.Of, map[string]any{"N": s.N}) + " — " + fe.Label
			}
			if p.Errors.For(fe.Field) != nil {
				continue // one message per field: the first
			}
		}
		p.Errors = append(p.Errors, fe)
	}
	if len(problems) > 0 {
		p.ErrKey, p.Field = problems[0].Key, problems[0].Field
	}
	return p
}

// required returns the problem of a required input left empty.
func required(name string) *apperr.Error {
	return apperr.FieldErr(apperr.Invalid, name, "%s is required", name).WithKey("forms.error.required", nil)
}

// formDates reads the date inputs names of f as people type them
// (6/12/2026, 06-12-2026, 2026-12-06: package dates) and returns a copy of
// f with each date in ISO, what the domain takes, and the problems of the
// dates that are not dates (invalid_date, "error.date_format"), named by
// their input. An empty input stays empty.
func formDates(f url.Values, names ...string) (url.Values, []*apperr.Error) {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	var problems []*apperr.Error
	for _, n := range names {
		t, ok, err := dates.ParseField(n, f.Get(n))
		switch {
		case err != nil:
			e, _ := apperr.As(err)
			problems = append(problems, e)
		case ok:
			out.Set(n, t.Format("2006-01-02"))
		}
	}
	return out, problems
}

// fieldView is one input of the form pattern, for the template "field".
type fieldView struct {
	Page                                                    *Page
	Name, ID, Label, Type, Hint, Auto, Mode, Pattern, Class string
	Max                                                     int
	Required, Date                                          bool
	Value                                                   string
	Err                                                     *formError
}

// Describedby is the ids that describe the input: its hint and its error.
func (f fieldView) Describedby() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Err != nil {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// newField builds a fieldView from the options of the template function
// fld: "required", "date", "type=email", "max=200", "hint=key",
// "auto=email", "mode=numeric", "pattern=…", "class=short", "value=…" (the
// value when the form has none), "id=…".
func newField(p *Page, name, label string, opts ...string) fieldView {
	f := fieldView{Page: p, Name: name, ID: inputID(name), Label: label, Auto: "off"}
	def := ""
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "required":
			f.Required = true
		case "date":
			f.Date, f.Mode, f.Hint, f.Max = true, "numeric", "date.hint", 10
		case "type":
			f.Type = v
		case "max":
			f.Max, _ = strconv.Atoi(v)
		case "hint":
			f.Hint = v
		case "auto":
			f.Auto = v
		case "mode":
			f.Mode = v
		case "pattern":
			f.Pattern = v
		case "class":
			f.Class = v
		case "value":
			def = v
		case "id":
			f.ID = v
		}
	}
	f.Value = def
	if p.Form != nil {
		if vs, ok := p.Form[name]; ok && len(vs) > 0 {
			f.Value = vs[0]
		}
	}
	if f.Date {
		f.Value = showDate(f.Value)
	}
	f.Err = p.Errors.For(name)
	if f.Err != nil && f.Err.ID != "" {
		f.ID = f.Err.ID
	}
	return f
}

// showDate shows a date value as DD-MM-JJJJ when it is one, else as typed.
func showDate(s string) string {
	if t, ok, err := dates.Parse(s); ok && err == nil {
		return dates.Format(t)
	}
	return s
}

func init() {
	// fld is one text input of the form pattern: {{template "field" (fld $ "name" "label.key" "required" "max=200")}}.
	funcs["fld"] = newField
	// ferr is the field view of a custom control (select, text area,
	// group) for {{template "fieldError" (ferr $ "name")}}.
	funcs["ferr"] = func(p *Page, name string) fieldView { return newField(p, name, "") }
	// fattrs are the attributes of a custom control: its id, and when it
	// has a problem aria-invalid and aria-describedby (plus the hint ids
	// given).
	funcs["fattrs"] = func(p *Page, name string, hints ...string) template.HTMLAttr {
		id := inputID(name)
		ids := append([]string(nil), hints...)
		s := `id="` + template.HTMLEscapeString(id) + `"`
		if p.Errors.For(name) != nil {
			ids = append(ids, id+"-error")
			s += ` aria-invalid="true"`
		}
		if len(ids) > 0 {
			s += ` aria-describedby="` + template.HTMLEscapeString(strings.Join(ids, " ")) + `"`
		}
		return template.HTMLAttr(s)
	}
	// groupattrs are fattrs for a fieldset (a group of checkboxes or
	// radios): no aria-invalid, which a group does not take.
	funcs["groupattrs"] = func(p *Page, name string) template.HTMLAttr {
		id := inputID(name)
		s := `id="` + template.HTMLEscapeString(id) + `"`
		if p.Errors.For(name) != nil {
			s += ` aria-describedby="` + template.HTMLEscapeString(id) + `-error"`
		}
		return template.HTMLAttr(s)
	}
	// ariaFor marks a control that has its own id (a page with several
	// forms) as invalid and described by its message, when it has one.
	funcs["ariaFor"] = func(p *Page, name string, hints ...string) template.HTMLAttr {
		ids := append([]string(nil), hints...)
		s := ""
		if e := p.Errors.For(name); e != nil {
			ids = append(ids, e.ID+"-error")
			s = `aria-invalid="true" `
		}
		if len(ids) == 0 {
			return ""
		}
		return template.HTMLAttr(s + `aria-describedby="` + template.HTMLEscapeString(strings.Join(ids, " ")) + `"`)
	}
	funcs["inputID"] = inputID
	funcs["showDate"] = showDate
}

// outreachSpec maps the fields of the outreach forms to their inputs on a
// page with several forms (the municipality's, the campaigns'): the input
// is "<form>/<field>" (the templates' ferr and ariaFor), its id the
// form's prefix and the field ("moment-on", "task-due"; the edit form of
// contact 7: "contact-7-name").
func outreachSpec(lang i18n.Lang, form string) formSpec {
	prefix := strings.TrimSuffix(form, "-new")
	rename := map[string]string{"next_step": "next", "due_on": "due", "with_function": "with", "contact_id": "with", "audience_param": "province"}
	s := formSpec{}
	for _, f := range []string{"function", "name", "email", "phone", "on", "channel", "by", "with", "with_function", "contact_id",
		"summary", "next_step", "title", "due_on", "team", "kind", "partner", "subject", "audience", "audience_param", "municipality"} {
		in := f
		if f == "with_function" || f == "contact_id" {
			in = "with"
		}
		id := f
		if r, ok := rename[f]; ok {
			id = r
		}
		label := "outreach.field." + f
		if !i18n.Has(lang, label) {
			label = "field." + f
		}
		s[f] = fieldSpec{Input: form + "/" + in, Label: label, ID: prefix + "-" + id}
	}
	return s
}

// p0Lang is the language of the request's page.
func p0Lang(r *http.Request) i18n.Lang { return i18n.FromRequest(r) }

// outreachFieldNames puts the label of the field named in a problem's
// arguments ("Field") in the user's language, as withOutreachError does.
func outreachFieldNames(lang i18n.Lang, err error) error {
	ps := apperr.Problems(err)
	if ps == nil {
		return err
	}
	out := make([]*apperr.Error, len(ps))
	for i, e := range ps {
		out[i] = e
		if f, ok := e.Args["Field"].(string); ok {
			c := *e
			c.Args = map[string]any{}
			for k, v := range e.Args {
				c.Args[k] = v
			}
			c.Args["Field"] = fieldLabel(lang, f)
			out[i] = &c
		}
	}
	return apperr.Join(out)
}
