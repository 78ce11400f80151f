package opendata

import (
	_ "embed"
	"time"
)

// SchemaJSON is the JSON Schema (draft 2020-12) of the answer, served at SchemaPath.
//
//go:embed schema.json
var SchemaJSON []byte

// The public paths of the open statistics.
const (
	StatisticsPath = "/api/v1/public/statistics"
	SchemaPath     = "/api/v1/public/statistics/schema.json"
	DCATPath       = "/api/v1/public/statistics/dcat.jsonld"
	PagePath       = "/statistieken"
)

// The licence, theme and frequency the metadata names: the Flemish model licence for free
// re-use, and the EU vocabularies of data themes (population and society) and frequencies.
const (
	License     = "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"
	Theme       = "http://publications.europa.eu/resource/authority/data-theme/SOCI"
	Periodicity = "http://publications.europa.eu/resource/authority/frequency/QUARTERLY"
	ContactMail = "mailto:info@opgroeien.be"
)

// DCAT returns the DCAT-AP (2.x/3) description of the data set as JSON-LD: one dcat:Dataset
// with its title and description in Dutch and English, publisher, theme, keywords, temporal
// coverage (from First to the last published month last), spatial coverage (the Flemish
// Region), accrual periodicity, licence, contact point and conformsTo the schema, and one
// dcat:Distribution per format (JSON, CSV). base is the absolute URL of the site
// ("https://kansrijk.example"), without a trailing slash.
func DCAT(base string, last time.Time) map[string]any {
	end := time.Date(last.Year(), last.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	dataset := base + DCATPath + "#dataset"
	lang := func(nl, en string) []map[string]string {
		return []map[string]string{{"@value": nl, "@language": "nl"}, {"@value": en, "@language": "en"}}
	}
	ref := func(id string) map[string]string { return map[string]string{"@id": id} }
	license := map[string]any{"@id": License, "@type": "dct:LicenseDocument", "dct:title": "Modellicentie Gratis Hergebruik v1.0"}
	dist := func(id, format, media, title string) map[string]any {
		return map[string]any{
			"@id":              base + DCATPath + "#" + id,
			"@type":            "dcat:Distribution",
			"dct:title":        lang("Open statistieken Kansrijk ("+title+")", "Kansrijk open statistics ("+title+")"),
			"dcat:accessURL":   ref(base + PagePath),
			"dcat:downloadURL": ref(base + StatisticsPath + map[string]string{"JSON": "", "CSV": "?format=csv"}[format]),
			"dcat:mediaType":   ref("https://www.iana.org/assignments/media-types/" + media),
			"dct:format":       ref("http://publications.europa.eu/resource/authority/file-type/" + format),
			"dct:conformsTo":   ref(base + SchemaPath),
			"dct:license":      license,
		}
	}
	return map[string]any{
		"@context": map[string]string{
			"dcat":   "http://www.w3.org/ns/dcat#",
			"dct":    "http://purl.org/dc/terms/",
			"foaf":   "http://xmlns.com/foaf/0.1/",
			"vcard":  "http://www.w3.org/2006/vcard/ns#",
			"locn":   "http://www.w3.org/ns/locn#",
			"adms":   "http://www.w3.org/ns/adms#",
			"xsd":    "http://www.w3.org/2001/XMLSchema#",
			"dcatap": "http://data.europa.eu/r5r/",
		},
		"@id":   dataset,
		"@type": "dcat:Dataset",
		"dct:title": lang("Open statistieken Kansrijk: doorverwijzingen van gezinnen in armoede naar het OCMW",
			"Kansrijk open statistics: referrals of families in poverty to the OCMW"),
		"dct:description": lang(
			"Per gemeente en maand: de samenwerkingsovereenkomsten die van kracht zijn, de doorverwijzingen die de lokale teams van Kind en Gezin met toestemming naar het OCMW stuurden, hoeveel gezinnen het OCMW bereikte en welke rechten werden geopend. Aantallen van gezinnen worden per afgelopen kalenderkwartaal beschermd: 1 tot 4 wordt '<5', een aantal waaruit een klein aantal af te leiden is wordt 'x', en elk getoond aantal is afgerond op een veelvoud van 5.",
			"Per municipality and month: the cooperation agreements in force, the referrals Kind en Gezin's local teams sent to the OCMW with consent, how many families the OCMW reached and which rights were opened. Counts of families are protected per ended calendar quarter: 1 to 4 is shown as '<5', a count from which a small one could be derived as 'x', and every shown count is rounded to a multiple of 5."),
		"dct:identifier": base + DCATPath + "#dataset",
		"dct:publisher": map[string]any{
			"@id":       "https://www.opgroeien.be",
			"@type":     "foaf:Agent",
			"foaf:name": lang("Opgroeien regie", "Opgroeien (Growing Up agency)"),
		},
		"dcat:contactPoint": map[string]any{
			"@type":          "vcard:Organization",
			"vcard:fn":       "Opgroeien – Kansrijk",
			"vcard:hasEmail": ref(ContactMail),
		},
		"dcat:theme": ref(Theme),
		"dcat:keyword": append(append(lang("armoede", "poverty"), lang("OCMW", "public social welfare centre")...),
			lang("doorverwijzing", "referral")...),
		"dct:temporal": map[string]any{
			"@type":          "dct:PeriodOfTime",
			"dcat:startDate": map[string]string{"@value": First.Format(time.DateOnly), "@type": "xsd:date"},
			"dcat:endDate":   map[string]string{"@value": end.Format(time.DateOnly), "@type": "xsd:date"},
		},
		"dct:spatial": map[string]any{
			"@type":               "dct:Location",
			"locn:geographicName": lang("Vlaams Gewest", "Flemish Region"),
			"dct:identifier":      "NIS " + FlandersNIS,
		},
		"dct:accrualPeriodicity": ref(Periodicity),
		"dct:license":            license,
		"dct:accessRights":       ref("http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
		"dct:language":           []map[string]string{ref("http://publications.europa.eu/resource/authority/language/NLD"), ref("http://publications.europa.eu/resource/authority/language/ENG")},
		"dct:conformsTo":         ref(base + SchemaPath),
		"dcat:landingPage":       ref(base + PagePath),
		"dcat:distribution": []map[string]any{
			dist("json", "JSON", "application/json", "JSON"),
			dist("csv", "CSV", "text/csv", "CSV"),
		},
	}
}
