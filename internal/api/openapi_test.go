package api

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"kansrijk/internal/municipality"
)

// loadOpenAPI parses the embedded document with kin-openapi and validates
// it. kin-openapi turns on its OpenAPI 3.1 rules (JSON Schema 2020-12:
// type arrays with "null", examples, webhooks, …) by itself when the
// document says "openapi": "3.1.x"; the options make it stricter than its
// defaults: unknown schema formats are errors, and every problem is
// reported at once rather than the first.
func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(OpenAPIDocument)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(),
		openapi3.EnableSchemaFormatValidation(),
		openapi3.EnableSchemaPatternValidation(),
		openapi3.EnableSchemaDefaultsValidation(),
		openapi3.EnableExamplesValidation(),
		openapi3.ProhibitExtensionsWithRef(),
		openapi3.EnableMultiError(),
	); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3.1 document:\n%v", err)
	}
	return doc
}

func TestOpenAPIValid(t *testing.T) {
	doc := loadOpenAPI(t)
	if doc.Info == nil || doc.Info.Title != "Kansrijk API" || doc.Info.Version == "" || doc.Info.Description == "" {
		t.Errorf("info must have title %q, a version and a description: %+v", "Kansrijk API", doc.Info)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/" {
		t.Errorf("servers = %v, want one with url /", doc.Servers)
	}
	bearer := doc.Components.SecuritySchemes["bearer"]
	if bearer == nil || bearer.Value == nil || bearer.Value.Type != "http" || !strings.EqualFold(bearer.Value.Scheme, "bearer") {
		t.Errorf("components.securitySchemes.bearer must be an http bearer scheme")
	}
	errSchema := doc.Components.Schemas["Error"]
	if errSchema == nil || errSchema.Value == nil {
		t.Fatal("components.schemas.Error is missing")
	}
	// The error shape of httpx.WriteError.
	inner := errSchema.Value.Properties["error"]
	if inner == nil || !slices.Equal(errSchema.Value.Required, []string{"error"}) ||
		!slices.Equal(inner.Value.Required, []string{"code", "message"}) || inner.Value.Properties["field"] == nil {
		t.Errorf(`Error must be {"error": {"code", "message", "field"?}}`)
	}
}

// normRoute turns a ServeMux pattern path into an OpenAPI path template:
// "{rest...}" becomes "{rest}" and a trailing "{$}" goes.
func normRoute(path string) string {
	path = strings.TrimSuffix(path, "{$}")
	return strings.ReplaceAll(path, "...}", "}")
}

// TestOpenAPICoversEveryRoute checks both ways that the document describes
// exactly the routes that Register adds: a new route fails this test until
// it is documented, a documented route that is gone fails it too.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	a := &API{}
	a.Register(http.NewServeMux())
	routes := a.Routes()
	if len(routes) == 0 {
		t.Fatal("Register added no routes")
	}
	registered := map[string]bool{}
	for _, r := range routes {
		key := strings.ToUpper(r.Method) + " " + normRoute(r.Path)
		if registered[key] {
			t.Errorf("route %s registered twice", key)
		}
		registered[key] = true
		item := doc.Paths.Value(normRoute(r.Path))
		if item == nil || item.GetOperation(strings.ToUpper(r.Method)) == nil {
			t.Errorf("registered route %s is not in openapi.json: document it (path, parameters, body, responses)", key)
		}
	}
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/api/v1/") {
			t.Errorf("documented path %s is outside /api/v1", path)
		}
		for method := range item.Operations() {
			if key := method + " " + path; !registered[key] {
				t.Errorf("documented operation %s is not a registered route", key)
			}
		}
	}
}

// TestOpenAPIOperations checks what every operation must have: an
// operationId, tags that are declared, a 2xx answer, security declared,
// and error answers in the shape of the Error schema.
func TestOpenAPIOperations(t *testing.T) {
	doc := loadOpenAPI(t)
	errSchema := doc.Components.Schemas["Error"].Value
	tags := map[string]bool{}
	for _, tg := range doc.Tags {
		tags[tg.Name] = true
	}
	public := map[string]bool{"GET /api/v1/municipalities": true, "GET /api/v1/openapi.json": true}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", name)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %q is also used by %s", name, op.OperationID, other)
			}
			ids[op.OperationID] = name
			if len(op.Tags) == 0 {
				t.Errorf("%s: no tag", name)
			}
			for _, tg := range op.Tags {
				if !tags[tg] {
					t.Errorf("%s: tag %q is not declared in tags", name, tg)
				}
			}
			if op.Summary == "" {
				t.Errorf("%s: no summary", name)
			}
			// Security: explicit on every operation; none on the public ones.
			switch {
			case op.Security == nil:
				t.Errorf("%s: no security requirement declared", name)
			case public[name] && len(*op.Security) != 0:
				t.Errorf("%s is public: want security [], got %v", name, *op.Security)
			case !public[name] && !slices.ContainsFunc(*op.Security, func(r openapi3.SecurityRequirement) bool { _, ok := r["bearer"]; return ok }):
				t.Errorf("%s: bearer is not among its security requirements", name)
			}
			if op.Responses == nil {
				t.Errorf("%s: no responses", name)
				continue
			}
			var ok2xx, errRef bool
			for code, resp := range op.Responses.Map() {
				if resp.Value == nil {
					t.Errorf("%s %s: unresolved response", name, code)
					continue
				}
				switch code[0] {
				case '2':
					ok2xx = true
				case '4', '5':
					mt := resp.Value.Content.Get("application/json")
					if mt == nil || mt.Schema == nil {
						t.Errorf("%s %s: error response without an application/json schema", name, code)
						continue
					}
					if mt.Schema.Value != errSchema && mt.Schema.Ref != "#/components/schemas/Error" {
						t.Errorf("%s %s: error response does not use the Error schema", name, code)
						continue
					}
					errRef = true
				}
			}
			if !ok2xx {
				t.Errorf("%s: no 2xx response", name)
			}
			if !errRef && path != "/api/v1/openapi.json" {
				t.Errorf("%s: no 4xx/5xx response with the Error schema", name)
			}
			if !public[name] && op.Responses.Value("401") == nil {
				t.Errorf("%s needs a login: document its 401", name)
			}
			// A JSON body can be refused as malformed or too large.
			if op.RequestBody != nil {
				for _, code := range []string{"400", "413"} {
					if op.Responses.Value(code) == nil {
						t.Errorf("%s takes a JSON body: document its %s", name, code)
					}
				}
			}
		}
	}
	// Every reusable error response uses the Error schema too.
	for name, resp := range doc.Components.Responses {
		mt := resp.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil || mt.Schema.Value != errSchema {
			t.Errorf("components.responses.%s does not use the Error schema", name)
		}
	}
}

// TestOpenAPIErrorCodes checks that the Error schema documents every
// stable error code and the status it comes with.
func TestOpenAPIErrorCodes(t *testing.T) {
	doc := loadOpenAPI(t)
	desc := doc.Components.Schemas["Error"].Value.Properties["error"].Value.Properties["code"].Value.Description
	codes := []string{
		// internal/apperr
		"invalid", "invalid_date", "invalid_json", "unknown_field", "body_too_large", "not_found", "unauthorized", "forbidden",
		"conflict", "duplicate", "unknown_role", "unknown_organisation", "role_not_allowed_for_organisation", "invalid_credentials",
		"too_many_attempts", "invalid_transition", "internal",
		// the referral flow and the webhook settings (internal/store)
		"consent_missing", "no_agreement_in_force", "outside_team_area", "invalid_state", "invalid_webhook_url", "webhook_url_not_https",
		// input and time limits (internal/apperr)
		"webhook_address_not_allowed", "invalid_text", "unavailable",
		// lists (internal/page)
		"invalid_cursor",
	}
	for _, c := range codes {
		if !strings.Contains(desc, "`"+c+"`") {
			t.Errorf("error code %q is not documented in the Error schema", c)
		}
	}
}

// TestOpenAPIServed checks that GET /api/v1/openapi.json serves the
// embedded document as JSON.
func TestOpenAPIServed(t *testing.T) {
	mux := http.NewServeMux()
	(&API{}).Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", rec.Code)
	}
	mt, _, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if err != nil || mt != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", rec.Header().Get("Content-Type"))
	}
	body := rec.Body.Bytes()
	if !json.Valid(body) {
		t.Fatal("served document is not valid JSON")
	}
	if string(body) != string(OpenAPIDocument) {
		t.Error("served document differs from the embedded openapi.json")
	}
	var top map[string]any
	if err := json.Unmarshal(body, &top); err != nil || top["openapi"] != "3.1.0" {
		t.Errorf("served document: openapi = %v, err %v", top["openapi"], err)
	}
}

// TestOpenAPIMatchesHandlers runs the handlers that need no database and
// checks their answers against the documented schemas: the municipality
// list (a contract) and the error shape.
func TestOpenAPIMatchesHandlers(t *testing.T) {
	doc := loadOpenAPI(t)
	mux := http.NewServeMux()
	(&API{Municipalities: municipality.MustLoad(), Now: func() time.Time { return time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC) }}).Register(mux)

	check := func(target string, wantStatus int, path, method string) {
		t.Helper()
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
		if rec.Code != wantStatus {
			t.Fatalf("%s %s: status %d, want %d: %s", method, target, rec.Code, wantStatus, rec.Body)
		}
		var schema *openapi3.Schema
		if item := doc.Paths.Value(path); item != nil && item.GetOperation(method) != nil {
			op := item.GetOperation(method)
			resp := op.Responses.Status(wantStatus)
			if resp == nil || resp.Value == nil {
				t.Fatalf("%s %s: status %d is not documented", method, path, wantStatus)
			}
			schema = resp.Value.Content.Get("application/json").Schema.Value
		} else {
			schema = doc.Components.Schemas["Error"].Value // the catch-all
		}
		var v any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%s %s: not JSON: %v", method, target, err)
		}
		if err := schema.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.EnableFormatValidation(), openapi3.MultiErrors()); err != nil {
			t.Errorf("%s %s: answer does not match the documented schema: %v", method, target, err)
		}
	}
	check("/api/v1/municipalities?on=2023-03-08&region=flanders", 200, "/api/v1/municipalities", "GET")
	check("/api/v1/municipalities?on=2025-01-01", 200, "/api/v1/municipalities", "GET")
	check("/api/v1/municipalities?on=2025-13-01", 400, "/api/v1/municipalities", "GET")
	check("/api/v1/municipalities?region=wallonia", 400, "/api/v1/municipalities", "GET")
	check("/api/v1/me", 401, "/api/v1/me", "GET")
	check("/api/v1/users", 401, "/api/v1/users", "GET")
	check("/api/v1/nothing-here", 404, "/api/v1/nothing-here", "GET")

	// A municipality that merged has its end date and successor; one that
	// exists has null for both, and the schema says so.
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/municipalities?on=2023-03-08&region=flanders&limit=500", nil))
	var list struct {
		Count          int              `json:"count"`
		Municipalities []map[string]any `json:"municipalities"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	if list.Count != 300 || len(list.Municipalities) != 300 {
		t.Errorf("Flanders on 2023-03-08: count %d (%d items), want 300", list.Count, len(list.Municipalities))
	}
	var merged, current bool
	for _, m := range list.Municipalities {
		if m["successor_nis"] != nil && m["valid_to"] != nil {
			merged = true
		}
		if v, ok := m["valid_to"]; ok && v == nil {
			current = true
		}
	}
	if !merged || !current {
		t.Errorf("want both merged (valid_to, successor_nis set) and current (null) municipalities on 2023-03-08: merged %v, current %v", merged, current)
	}
}
