package web_test

import (
	"testing"

	"kansrijk/internal/i18n"
)

// TestOneNamePerStage: an outreach stage that is an agreement status has
// the status's name on every page (the funnel, the outreach overview, the
// mailing, Wie tekende?), in both languages; the legend of the map may use
// the short name of a status.
func TestOneNamePerStage(t *testing.T) {
	pairs := map[string]string{"signed_up": "interested", "drafting": "draft", "approved": "approved", "signed": "signed", "active": "active", "ended": "ended"}
	for _, lang := range []i18n.Lang{i18n.NL, i18n.EN} {
		for stage, status := range pairs {
			names := map[string]bool{i18n.T(lang, "agreement.status."+status, nil): true}
			if i18n.Has(lang, "agreement.status_short."+status) {
				names[i18n.T(lang, "agreement.status_short."+status, nil)] = true
			}
			for _, prefix := range []string{"funnel.stage.", "outreach.stage.", "mailing.stage."} {
				if got := i18n.T(lang, prefix+stage, nil); !names[got] {
					t.Errorf("%s: %s%s is %q, the status %s is called %v", lang, prefix, stage, got, status, names)
				}
			}
		}
	}
}
