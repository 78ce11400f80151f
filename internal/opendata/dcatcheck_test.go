package opendata

import (
	"encoding/json"
	"strings"
	"testing"
)

// CheckDCAT checks a DCAT-AP JSON-LD document as served: it parses, every compact IRI uses a
// prefix of its @context, and the dataset and its distributions have the required and
// recommended properties.
func CheckDCAT(t *testing.T, b []byte, base string) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	ctx, ok := doc["@context"].(map[string]any)
	if !ok {
		t.Fatal("no @context object")
	}
	for p, iri := range ctx {
		if s, _ := iri.(string); !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
			t.Errorf("prefix %s is not an IRI: %v", p, iri)
		}
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "@context" {
					continue
				}
				if !strings.HasPrefix(k, "@") {
					prefix, _, ok := strings.Cut(k, ":")
					if !ok || ctx[prefix] == nil {
						t.Errorf("%s: term %q has no prefix in the context", path, k)
					}
				}
				if k == "@type" {
					if s, _ := x.(string); ctx[strings.SplitN(s, ":", 2)[0]] == nil {
						t.Errorf("%s: type %v has no prefix in the context", path, x)
					}
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
		t.Errorf("@type %v", doc["@type"])
	}
	for _, p := range []string{"dct:title", "dct:description", "dct:publisher", "dcat:theme", "dct:temporal", "dct:spatial",
		"dct:accrualPeriodicity", "dct:license", "dcat:contactPoint", "dcat:distribution", "dcat:keyword", "dct:identifier"} {
		if doc[p] == nil {
			t.Errorf("dataset has no %s", p)
		}
	}
	for _, p := range []string{"dct:title", "dct:description"} {
		langs := map[string]bool{}
		for _, x := range doc[p].([]any) {
			langs[x.(map[string]any)["@language"].(string)] = true
		}
		if !langs["nl"] || !langs["en"] {
			t.Errorf("%s in %v, want nl and en", p, langs)
		}
	}
	tmp := doc["dct:temporal"].(map[string]any)
	if tmp["dcat:startDate"] == nil || tmp["dcat:endDate"] == nil {
		t.Errorf("temporal %v", tmp)
	}
	dists := doc["dcat:distribution"].([]any)
	media := map[string]bool{}
	for _, d := range dists {
		d := d.(map[string]any)
		if d["@type"] != "dcat:Distribution" {
			t.Errorf("distribution type %v", d["@type"])
		}
		for _, p := range []string{"dcat:accessURL", "dcat:downloadURL", "dcat:mediaType", "dct:format", "dct:conformsTo", "dct:license"} {
			if d[p] == nil {
				t.Errorf("distribution %v has no %s", d["@id"], p)
			}
		}
		id := func(p string) string { return d[p].(map[string]any)["@id"].(string) }
		if !strings.HasPrefix(id("dcat:downloadURL"), base+StatisticsPath) || id("dct:conformsTo") != base+SchemaPath {
			t.Errorf("distribution URLs %v %v", id("dcat:downloadURL"), id("dct:conformsTo"))
		}
		media[id("dcat:mediaType")] = true
	}
	if !media["https://www.iana.org/assignments/media-types/application/json"] || !media["https://www.iana.org/assignments/media-types/text/csv"] {
		t.Errorf("media types %v", media)
	}
}
