package opendata

import (
	"encoding/json"
	"fmt"
	"strings"
)

// CheckDCAT checks a DCAT-AP JSON-LD document as DCAT returns it and the API serves it: it
// parses, every term and type is an absolute IRI or a compact IRI whose prefix its @context
// defines, and the dataset and its distributions have the properties DCAT-AP requires and
// recommends (titles and descriptions in Dutch and English, publisher, theme, temporal and
// spatial coverage, periodicity, licence, contact point, keywords, identifier; per
// distribution access and download URL below base, media type, format, conformsTo the schema
// and licence). It returns every problem found, none for a good document.
func CheckDCAT(b []byte, base string) (problems []string) {
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	ctx, ok := doc["@context"].(map[string]any)
	if !ok {
		return []string{"no @context object"}
	}
	for p, iri := range ctx {
		if s, _ := iri.(string); !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
			bad("prefix %s is not an IRI: %v", p, iri)
		}
	}
	defined := func(term string) bool {
		prefix, _, ok := strings.Cut(term, ":")
		return ok && ctx[prefix] != nil
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				switch {
				case k == "@context":
					continue
				case k == "@type":
					if s, _ := x.(string); !defined(s) {
						bad("%s: type %v has no prefix in the context", path, x)
					}
				case !strings.HasPrefix(k, "@") && !defined(k):
					bad("%s: term %q has no prefix in the context", path, k)
				}
				walk(path+"/"+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path, x)
			}
		}
	}
	walk("", doc)
	if doc["@type"] != "dcat:Dataset" {
		bad("@type %v, want dcat:Dataset", doc["@type"])
	}
	for _, p := range []string{"dct:title", "dct:description", "dct:publisher", "dcat:theme", "dct:temporal", "dct:spatial",
		"dct:accrualPeriodicity", "dct:license", "dcat:contactPoint", "dcat:distribution", "dcat:keyword", "dct:identifier"} {
		if doc[p] == nil {
			bad("the dataset has no %s", p)
		}
	}
	for _, p := range []string{"dct:title", "dct:description"} {
		langs := map[string]bool{}
		list, _ := doc[p].([]any)
		for _, x := range list {
			if m, ok := x.(map[string]any); ok {
				l, _ := m["@language"].(string)
				langs[l] = true
			}
		}
		if !langs["nl"] || !langs["en"] {
			bad("%s in %v, want nl and en", p, langs)
		}
	}
	if tmp, _ := doc["dct:temporal"].(map[string]any); tmp == nil || tmp["dcat:startDate"] == nil || tmp["dcat:endDate"] == nil {
		bad("temporal coverage without start and end: %v", doc["dct:temporal"])
	}
	id := func(m map[string]any, p string) string {
		r, _ := m[p].(map[string]any)
		s, _ := r["@id"].(string)
		return s
	}
	media := map[string]bool{}
	dists, _ := doc["dcat:distribution"].([]any)
	for _, d := range dists {
		d, _ := d.(map[string]any)
		if d["@type"] != "dcat:Distribution" {
			bad("distribution type %v", d["@type"])
		}
		for _, p := range []string{"dcat:accessURL", "dcat:downloadURL", "dcat:mediaType", "dct:format", "dct:conformsTo", "dct:license"} {
			if d[p] == nil {
				bad("distribution %v has no %s", d["@id"], p)
			}
		}
		if !strings.HasPrefix(id(d, "dcat:downloadURL"), base+StatisticsPath) || id(d, "dct:conformsTo") != base+SchemaPath ||
			!strings.HasPrefix(id(d, "dcat:accessURL"), base+"/") {
			bad("distribution %v: URLs %q %q %q", d["@id"], id(d, "dcat:accessURL"), id(d, "dcat:downloadURL"), id(d, "dct:conformsTo"))
		}
		media[id(d, "dcat:mediaType")] = true
	}
	if !media["https://www.iana.org/assignments/media-types/application/json"] || !media["https://www.iana.org/assignments/media-types/text/csv"] {
		bad("distributions' media types %v, want JSON and CSV", media)
	}
	return problems
}
