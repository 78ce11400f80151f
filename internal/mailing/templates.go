package mailing

import (
	"strings"

	"kansrijk/internal/outreach"
)

// Template is a built-in Dutch mailing: a subject and a plain-text body
// with merge fields. The user may edit both before sending.
type Template struct {
	ID      string `json:"id"`
	Title   string `json:"title"` // Dutch, for the choice on the form
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// Templates are the built-in templates, in the order of the outreach:
// first information, an invitation, a follow-up.
var Templates = []Template{
	{
		ID:      "informatie",
		Title:   "Eerste informatie: het decreet en de samenwerkingsovereenkomst",
		Subject: "Samenwerken rond kansarmoede: Kind en Gezin en het OCMW van {{gemeente}}",
		Body: `Geachte {{contact_naam}},

Wij richten ons tot u als {{contact_functie}} van {{gemeente}}.

Sinds het decreet van 4 februari 2022 kunnen de lokale teams van Kind en Gezin gezinnen die in armoede leven of dreigen te leven, met hun uitdrukkelijke toestemming doorverwijzen naar het OCMW van hun gemeente. Zo krijgen gezinnen sneller de steun en de rechten waar ze recht op hebben, en gaan we onderbescherming tegen.

Daarvoor sluit het lokaal bestuur een lokale samenwerkingsovereenkomst met Opgroeien (en, in de praktijk, een verwerkingsovereenkomst). Die legt vast welke gegevens gedeeld worden (enkel naam en contactgegevens van de ouders), aan wie, waarom en wat het gezin mag verwachten. De modeltekst werd samen met de VVSG opgesteld; de goedkeuring gebeurt door de raad voor maatschappelijk welzijn.

Wat dit voor {{gemeente}} betekent, leest u op de factsheet:
{{factsheet_link}}

{{team}} stelt de samenwerking graag persoonlijk aan u voor. Mogen we een moment afspreken?

Met vriendelijke groeten,
{{afzender}}
{{team}}, Kind en Gezin`,
	},
	{
		ID:      "uitnodiging",
		Title:   "Uitnodiging voor een infosessie of webinar",
		Subject: "Uitnodiging: infosessie over de samenwerking tussen Kind en Gezin en het OCMW",
		Body: `Geachte {{contact_naam}},

Graag nodigen we u als {{contact_functie}} van {{gemeente}} uit voor een infosessie over de lokale samenwerking tussen Kind en Gezin en het OCMW, op basis van het decreet van 4 februari 2022.

Op de sessie lichten we toe:
- hoe een doorverwijzing verloopt, altijd met de uitdrukkelijke toestemming van het gezin;
- welke gegevens gedeeld worden en welke niet;
- wat de samenwerkingsovereenkomst inhoudt en hoe uw bestuur ze kan goedkeuren en ondertekenen;
- hoe andere lokale besturen het aanpakken.

Laat ons weten of u of een collega deelneemt; we bezorgen u dan het praktische verloop.

Een overzicht voor {{gemeente}} vindt u alvast op:
{{factsheet_link}}

Met vriendelijke groeten,
{{afzender}}
{{team}}, Kind en Gezin`,
	},
	{
		ID:      "opvolging",
		Title:   "Opvolging: wat uw lokaal bestuur mist",
		Subject: "{{gemeente}}: gezinnen die Kind en Gezin nog niet kan doorverwijzen",
		Body: `Geachte {{contact_naam}},

Zolang er voor {{gemeente}} geen samenwerkingsovereenkomst van kracht is, kan {{team}} gezinnen met een ondersteuningsnood niet doorverwijzen naar uw OCMW, ook niet als het gezin daar zelf toestemming voor geeft. Die gezinnen lopen zo het risico rechten mis te lopen, zoals een verhoogde tegemoetkoming, een sociaal tarief of een toeslag in het Groeipakket.

Hoeveel doorverwijzingen de voorbije maanden niet konden gebeuren, ziet u anoniem op de factsheet van uw gemeente, naast cijfers over kansarmoede:
{{factsheet_link}}

De stappen naar een overeenkomst zijn beperkt: een goedkeuring door de raad voor maatschappelijk welzijn en de ondertekening. Wij helpen u daar graag bij.

Kunnen we hierover even praten?

Met vriendelijke groeten,
{{afzender}}
{{team}}, Kind en Gezin`,
	},
}

// TemplateByID returns a built-in template.
func TemplateByID(id string) (Template, bool) {
	for _, t := range Templates {
		if t.ID == strings.TrimSpace(id) {
			return t, true
		}
	}
	return Template{}, false
}

// FunctionLabel is a contact's function as a mailing names it, in Dutch
// and in lower case, to stand in a sentence.
func FunctionLabel(f outreach.Function) string {
	switch f {
	case outreach.GeneralDirector:
		return "algemeen directeur"
	case outreach.CouncilChair:
		return "voorzitter van de raad voor maatschappelijk welzijn"
	case outreach.HeadSocialService:
		return "diensthoofd van de sociale dienst"
	case outreach.PovertyOfficer:
		return "beleidsmedewerker armoedebestrijding"
	case outreach.OtherFunction:
		return "contactpersoon"
	}
	return ""
}
