package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
)

// OpenAPIDocument is the OpenAPI 3.1 description of every /api/v1 route:
// openapi.json plus the fragments in openapi/*.json (one per domain area,
// each with its own paths, tags and components), merged once at start.
var OpenAPIDocument []byte

//go:embed openapi.json openapi
var openAPIFiles embed.FS

func init() {
	doc, err := mergeOpenAPI(openAPIFiles)
	if err != nil {
		panic(err)
	}
	OpenAPIDocument = doc
}

// mergeOpenAPI merges the fragments into the main document. A path,
// component or tag defined twice is an error.
func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	read := func(name string) (map[string]any, error) {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("openapi: %s: %w", name, err)
		}
		return m, nil
	}
	doc, err := read("openapi.json")
	if err != nil {
		return nil, err
	}
	frags, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sub := func(m map[string]any, key string) map[string]any {
		v, _ := m[key].(map[string]any)
		if v == nil {
			v = map[string]any{}
			m[key] = v
		}
		return v
	}
	for _, name := range frags {
		f, err := read(name)
		if err != nil {
			return nil, err
		}
		merge := func(into, from map[string]any, what string) error {
			for k, v := range from {
				if _, dup := into[k]; dup {
					return fmt.Errorf("openapi: %s: %s %q defined twice", name, what, k)
				}
				into[k] = v
			}
			return nil
		}
		if err := merge(sub(doc, "paths"), sub(f, "paths"), "path"); err != nil {
			return nil, err
		}
		for kind, v := range sub(f, "components") {
			m, _ := v.(map[string]any)
			if err := merge(sub(sub(doc, "components"), kind), m, kind); err != nil {
				return nil, err
			}
		}
		if tags, ok := f["tags"].([]any); ok {
			have, _ := doc["tags"].([]any)
			for _, t := range tags {
				for _, h := range have {
					if h.(map[string]any)["name"] == t.(map[string]any)["name"] {
						return nil, fmt.Errorf("openapi: %s: tag %v defined twice", name, t.(map[string]any)["name"])
					}
				}
				have = append(have, t)
			}
			doc["tags"] = have
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err := w.Write(OpenAPIDocument)
	return err
}
