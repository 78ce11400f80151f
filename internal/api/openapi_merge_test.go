package api

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

func TestMergeOpenAPI(t *testing.T) {
	main := `{"openapi":"3.1.0","tags":[{"name":"a"}],"paths":{"/x":{}},"components":{"schemas":{"X":{}}}}`
	fsys := fstest.MapFS{
		"openapi.json":   {Data: []byte(main)},
		"openapi/b.json": {Data: []byte(`{"tags":[{"name":"b"}],"paths":{"/y":{}},"components":{"schemas":{"Y":{}},"parameters":{"P":{}}}}`)},
	}
	b, err := mergeOpenAPI(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tags       []struct{ Name string }
		Paths      map[string]any
		Components map[string]map[string]any
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Tags) != 2 || doc.Paths["/y"] == nil || doc.Paths["/x"] == nil || doc.Components["schemas"]["Y"] == nil || doc.Components["parameters"]["P"] == nil {
		t.Errorf("merged document = %s", b)
	}
	for name, frag := range map[string]string{
		"path":   `{"paths":{"/x":{}}}`,
		"schema": `{"components":{"schemas":{"X":{}}}}`,
		"tag":    `{"tags":[{"name":"a"}]}`,
	} {
		fsys := fstest.MapFS{"openapi.json": {Data: []byte(main)}, "openapi/dup.json": {Data: []byte(frag)}}
		if _, err := mergeOpenAPI(fsys); err == nil || !strings.Contains(err.Error(), "twice") {
			t.Errorf("duplicate %s: err = %v", name, err)
		}
	}
}
