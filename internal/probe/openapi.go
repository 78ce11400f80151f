// Package probe turns the served OpenAPI document into the list of things
// to attack: every route with its path and query parameters, and for the
// write routes a sample JSON body built from the request schema. The
// security harness (internal/probe/security, `make security`) feeds them
// to sqlmap; the API fuzz target feeds them to the fuzzer as seeds. Both
// follow new routes without being edited, because both read the document.
package probe

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Param is a path or query parameter with a valid-looking sample value.
type Param struct {
	Name   string
	In     string // "path" or "query"
	Sample string
}

// Route is one operation of the API.
type Route struct {
	Method string // GET, POST, PUT, PATCH, DELETE
	Path   string // template, e.g. /api/v1/referrals/{id}
	Params []Param
	// JSON is true when the operation takes an application/json body;
	// Body is then a sample value of its schema (maps, slices, strings,
	// numbers, booleans).
	JSON bool
	Body any
}

// PathParams returns the route's path parameters in the order they appear
// in the template.
func (r Route) PathParams() []Param {
	var out []Param
	for _, p := range r.Params {
		if p.In == "path" {
			out = append(out, p)
		}
	}
	return out
}

// QueryParams returns the route's query parameters.
func (r Route) QueryParams() []Param {
	var out []Param
	for _, p := range r.Params {
		if p.In == "query" {
			out = append(out, p)
		}
	}
	return out
}

// String is "METHOD /path".
func (r Route) String() string { return r.Method + " " + r.Path }

// Write reports whether the method changes state.
func (r Route) Write() bool {
	switch r.Method {
	case "POST", "PUT", "PATCH", "DELETE":
		return true
	}
	return false
}

// URL fills the path template with values (by parameter name; a missing
// one is the parameter's sample) and appends the query parameters with
// their samples. mark, if not empty, is appended to every value (sqlmap's
// "*" injection marker).
func (r Route) URL(values map[string]string, mark string) string {
	path := r.Path
	for _, p := range r.PathParams() {
		v, ok := values[p.Name]
		if !ok {
			v = p.Sample
		}
		path = strings.Replace(path, "{"+p.Name+"}", url.PathEscape(v)+mark, 1)
	}
	var q []string
	for _, p := range r.QueryParams() {
		q = append(q, url.QueryEscape(p.Name)+"="+url.QueryEscape(p.Sample)+mark)
	}
	if len(q) > 0 {
		path += "?" + strings.Join(q, "&")
	}
	return path
}

var pathParam = regexp.MustCompile(`\{([^{}]+)\}`)

// Routes lists every operation of the OpenAPI document doc, sorted by path
// and method.
func Routes(doc []byte) ([]Route, error) {
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	paths, _ := d["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, fmt.Errorf("openapi: no paths")
	}
	g := &sampler{doc: d}
	var routes []Route
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			m := strings.ToUpper(method)
			switch m {
			case "GET", "POST", "PUT", "PATCH", "DELETE":
			default:
				continue
			}
			o, _ := op.(map[string]any)
			r := Route{Method: m, Path: path}
			declared := map[string]Param{}
			// Path-level parameters first, then the operation's own.
			for _, list := range []any{ops["parameters"], o["parameters"]} {
				ps, _ := list.([]any)
				for _, raw := range ps {
					p := g.resolve(raw)
					name, _ := p["name"].(string)
					in, _ := p["in"].(string)
					if name == "" || (in != "path" && in != "query") {
						continue
					}
					declared[in+":"+name] = Param{Name: name, In: in, Sample: g.scalar(name, p["schema"])}
				}
			}
			// Path parameters in template order; an undeclared one gets "1".
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				p, ok := declared["path:"+m[1]]
				if !ok {
					p = Param{Name: m[1], In: "path", Sample: "1"}
				}
				r.Params = append(r.Params, p)
			}
			var query []Param
			for k, p := range declared {
				if strings.HasPrefix(k, "query:") {
					query = append(query, p)
				}
			}
			sort.Slice(query, func(i, j int) bool { return query[i].Name < query[j].Name })
			r.Params = append(r.Params, query...)
			if rb := g.resolve(o["requestBody"]); rb != nil {
				content, _ := rb["content"].(map[string]any)
				if mt, ok := content["application/json"].(map[string]any); ok {
					r.JSON = true
					r.Body = g.value("", mt["schema"], 0)
					if ex, ok := mt["example"]; ok {
						r.Body = ex
					}
				}
			}
			routes = append(routes, r)
		}
	}
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].Path != routes[j].Path {
			return routes[i].Path < routes[j].Path
		}
		return routes[i].Method < routes[j].Method
	})
	return routes, nil
}

// sampler builds sample values from JSON schemas, following $ref.
type sampler struct{ doc map[string]any }

// resolve follows a local $ref ("#/components/…") and returns the object.
func (g *sampler) resolve(v any) map[string]any {
	for depth := 0; depth < 20; depth++ {
		m, _ := v.(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var cur any = g.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			obj, _ := cur.(map[string]any)
			cur = obj[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]
		}
		v = cur
	}
	return nil
}

// merged resolves a schema and folds allOf parts into one object.
func (g *sampler) merged(schema any) map[string]any {
	s := g.resolve(schema)
	if s == nil {
		return nil
	}
	all, ok := s["allOf"].([]any)
	if !ok {
		return s
	}
	out := map[string]any{}
	for _, part := range all {
		for k, v := range g.merged(part) {
			out[k] = v
		}
	}
	for k, v := range s {
		if k != "allOf" {
			out[k] = v
		}
	}
	return out
}

// scalar is a sample of a parameter as text.
func (g *sampler) scalar(name string, schema any) string {
	switch v := g.value(name, schema, 0).(type) {
	case string:
		return v
	case nil:
		return "1"
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// value builds a sample for schema: its first example, default or enum
// value, else one made from its type and format.
func (g *sampler) value(name string, schema any, depth int) any {
	s := g.merged(schema)
	if s == nil || depth > 8 {
		return nil
	}
	if ex, ok := s["examples"].([]any); ok && len(ex) > 0 {
		return ex[0]
	}
	if ex, ok := s["example"]; ok {
		return ex
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		for _, e := range enum {
			if e != "" { // "" as "the default": pick a real value
				return e
			}
		}
		return enum[0]
	}
	if d, ok := s["default"]; ok {
		return d
	}
	typ := s["type"]
	if ts, ok := typ.([]any); ok && len(ts) > 0 {
		typ = ts[0]
	}
	if _, ok := s["properties"]; ok && typ == nil {
		typ = "object"
	}
	if typ == nil {
		for _, key := range []string{"oneOf", "anyOf"} {
			if alts, ok := s[key].([]any); ok && len(alts) > 0 {
				return g.value(name, alts[0], depth+1)
			}
		}
	}
	switch typ {
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for k, p := range props {
			out[k] = g.value(k, p, depth+1)
		}
		return out
	case "array":
		v := g.value(name, s["items"], depth+1)
		if v == nil {
			return []any{}
		}
		return []any{v}
	case "integer", "number":
		if min, ok := s["minimum"].(float64); ok && min > 1 {
			return min
		}
		return 1
	case "boolean":
		return false
	case "string":
		switch s["format"] {
		case "date":
			return "2025-06-30"
		case "date-time":
			return "2025-06-30T10:00:00Z"
		case "email":
			return "probe@example.org"
		case "uri":
			return "https://example.org/hook"
		}
		return sampleByName(name)
	}
	return nil
}

// sampleByName guesses a plausible string for a field without example.
func sampleByName(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "nis"), n == "municipality":
		return "13016"
	case strings.Contains(n, "postcode"):
		return "2220"
	case strings.Contains(n, "email"):
		return "probe@example.org"
	case strings.Contains(n, "phone"):
		return "+3214000000"
	case strings.HasSuffix(n, "_at"), strings.Contains(n, "date"), n == "from", n == "to", n == "as_of", n == "on", n == "known_at":
		return "2025-06-30"
	case n == "team":
		return "team-demo-turnhout"
	}
	return "probe"
}
