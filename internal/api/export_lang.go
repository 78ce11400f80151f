package api

import (
	"context"
	"net/http"
	"reflect"
	"strings"

	"kansrijk/internal/apperr"
	"kansrijk/internal/export"
	"kansrijk/internal/i18n"
	"kansrijk/internal/org"
)

// Exports speak the reader's language, not the API's: CSV and XLSX get
// Dutch column headers by default (?lang=en: English), codes (statuses,
// stages, roles, outcomes, channels) in words and organisations by name.
// The JSON of the same routes keeps its keys and codes: they are the API's
// contract.

// Codes is the "language" of an export for programs: the JSON's keys as
// column headers and the codes as they are (lang=codes).
const Codes i18n.Lang = "codes"

// ExportLang reads the lang parameter of an export: nl (the default), en,
// or codes.
func ExportLang(r *http.Request) (i18n.Lang, error) {
	switch l := r.URL.Query().Get("lang"); l {
	case "", "nl":
		return i18n.NL, nil
	case "en":
		return i18n.EN, nil
	case string(Codes):
		return Codes, nil
	default:
		return i18n.NL, apperr.FieldErr(apperr.Invalid, "lang", "lang must be nl, en or codes, got %q", l)
	}
}

// codeColumns are the columns that hold codes, with the catalogue prefix
// of their words.
var codeColumns = map[string]string{
	"status":           "agreement.status.",
	"agreement_status": "agreement.status.",
	"stage":            "outreach.stage.",
	"actor_role":       "role.",
	"outcome":          "dpo.outcome.",
	"channel":          "dpo.channel.",
	"group":            "funnel.group.",
}

// orgColumns are the columns that hold an organisation's key.
var orgColumns = map[string]bool{"team": true, "actor_org": true, "key": true}

// Localize returns the table with the column headers of lang, the codes
// of codeColumns in words and the organisations of orgColumns by name
// (names: key → name; a key without a name stays). The table itself is
// not changed.
func Localize(t export.Table, lang i18n.Lang, names map[string]string) export.Table {
	if lang == Codes {
		return t
	}
	out := export.Table{Sheet: t.Sheet, Header: make([]string, len(t.Header)), Rows: make([][]any, len(t.Rows))}
	prefix := make([]string, len(t.Header))
	isOrg := make([]bool, len(t.Header))
	for i, h := range t.Header {
		out.Header[i] = columnLabel(lang, h)
		prefix[i] = codeColumns[h]
		isOrg[i] = orgColumns[h]
	}
	for r, row := range t.Rows {
		nr := make([]any, len(row))
		copy(nr, row)
		for i, v := range row {
			if i >= len(t.Header) {
				break
			}
			rv := reflect.ValueOf(v)
			if !rv.IsValid() || rv.Kind() != reflect.String {
				continue
			}
			s := rv.String()
			switch {
			case prefix[i] != "" && s != "" && i18n.Has(lang, prefix[i]+s):
				nr[i] = i18n.T(lang, prefix[i]+s, nil)
			case isOrg[i] && names[s] != "":
				nr[i] = names[s]
			}
		}
		out.Rows[r] = nr
	}
	return out
}

// columnLabel is the header of a column in lang: its catalogue entry
// (looks.col.<key>), a stage's name for a count per stage, "days in
// <stage>" for the days per stage, or the key.
func columnLabel(lang i18n.Lang, key string) string {
	if i18n.Has(lang, "looks.col."+key) {
		return i18n.T(lang, "looks.col."+key, nil)
	}
	if i18n.Has(lang, "outreach.stage."+key) {
		return i18n.T(lang, "outreach.stage."+key, nil)
	}
	if st, ok := strings.CutPrefix(key, "days_"); ok && i18n.Has(lang, "outreach.stage."+st) {
		return i18n.T(lang, "looks.col.days_in", map[string]any{"Stage": i18n.T(lang, "outreach.stage."+st, nil)})
	}
	return key
}

// orgNames maps every organisation's key to its name, for exports.
func orgNames(ctx context.Context, orgs org.Store) (map[string]string, error) {
	out := map[string]string{}
	if orgs == nil {
		return out, nil
	}
	list, err := orgs.Organisations(ctx, org.Filter{})
	if err != nil {
		return nil, err
	}
	for _, o := range list {
		out[o.Key] = o.Name
	}
	return out, nil
}
