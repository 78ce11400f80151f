package web

import (
	"testing"

	"kansrijk/internal/i18n"
)

func TestAuthorsInWords(t *testing.T) {
	for _, c := range []struct {
		lang             i18n.Lang
		by, source, want string
	}{
		{i18n.NL, "an@example.org", "job:retention", "an@example.org"},
		{i18n.NL, "system", "demo", "Demogegevens (kansrijk demo of kansrijk serve --demo)"},
		{i18n.EN, "system", "demo", "Demo data (kansrijk demo or kansrijk serve --demo)"},
		{i18n.NL, "system", "job:retention", "Dagelijkse taak: bewaartermijnen"},
		{i18n.EN, "system", "job:births", "Daily job: follow-up of birth notifications"},
		{i18n.NL, "system", "job:onbekend", "Een dagelijkse taak van Kansrijk"},
		{i18n.NL, "system", "cli:retention", "Opdrachtregel: kansrijk retention"},
		{i18n.EN, "system", "cli:import", "Command line: kansrijk import"},
		{i18n.NL, "system", "migration:00023", "Databasemigratie 00023"},
		{i18n.NL, "system", "cli:<script>", "Kansrijk zelf (demogegevens, een geplande taak of de opdrachtregel)"},
		{i18n.NL, "system", "", "Kansrijk zelf (demogegevens, een geplande taak of de opdrachtregel)"},
		{i18n.NL, "", "", "Kansrijk zelf (demogegevens, een geplande taak of de opdrachtregel)"},
	} {
		if got := author(c.lang, c.by, c.source); got != c.want {
			t.Errorf("author(%s, %q, %q) = %q, want %q", c.lang, c.by, c.source, got, c.want)
		}
	}
	// Older templates call it without a source.
	if got := author(i18n.EN, "system"); got != "Kansrijk itself (demo data, a scheduled job or the command line)" {
		t.Errorf("author without source = %q", got)
	}
}
