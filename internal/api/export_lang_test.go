package api_test

import (
	"context"
	"slices"
	"testing"

	"kansrijk/internal/api"
	"kansrijk/internal/export"
	"kansrijk/internal/i18n"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
)

// localized gives rows (a header and string cells, as the JSON says them)
// as an export shows them in lang: its column headers, codes in words,
// teams by name.
func localized(t *testing.T, db *store.DB, lang i18n.Lang, rows [][]string) [][]string {
	t.Helper()
	list, err := db.Organisations(context.Background(), org.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, o := range list {
		names[o.Key] = o.Name
	}
	tab := export.Table{Header: rows[0]}
	for _, r := range rows[1:] {
		cells := make([]any, len(r))
		for i, c := range r {
			cells[i] = c
		}
		tab.Rows = append(tab.Rows, cells)
	}
	tab = api.Localize(tab, lang, names)
	out := [][]string{tab.Header}
	for _, r := range tab.Rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = c.(string)
		}
		out = append(out, cells)
	}
	return out
}

// TestExportHeaders: exports have Dutch column headers by default and
// English ones with lang=en, codes in words and teams by name.
func TestExportHeaders(t *testing.T) {
	tab := export.Table{Header: []string{"nis", "name", "status", "team", "stage", "days_drafting", "actor_role", "mystery"},
		Rows: [][]any{{"13016", "Hulshout", "draft", "team-noord", "drafting", 12, "team_worker", "x"}}}
	names := map[string]string{"team-noord": "Team Noorderkempen"}
	for _, c := range []struct {
		lang   i18n.Lang
		header []string
		row    []any
	}{
		{i18n.NL, []string{"NIS-code", "Naam", "Status", "Lokaal team", "Fase", "Dagen in fase overeenkomst in opmaak", "Rol", "mystery"},
			[]any{"13016", "Hulshout", "overeenkomst in opmaak", "Team Noorderkempen", "overeenkomst in opmaak", 12, "Medewerker lokaal team", "x"}},
		{i18n.EN, []string{"NIS code", "Name", "Status", "Local team", "Stage", "Days in stage agreement being drafted", "Role", "mystery"},
			[]any{"13016", "Hulshout", "agreement being drafted", "Team Noorderkempen", "agreement being drafted", 12, "Local team worker", "x"}},
	} {
		got := api.Localize(tab, c.lang, names)
		if !slices.Equal(got.Header, c.header) {
			t.Errorf("%s header %q, want %q", c.lang, got.Header, c.header)
		}
		if !slices.Equal(got.Rows[0], c.row) {
			t.Errorf("%s row %q, want %q", c.lang, got.Rows[0], c.row)
		}
	}
	if tab.Header[0] != "nis" || tab.Rows[0][2] != "draft" {
		t.Errorf("Localize changed its argument: %v", tab)
	}
}
