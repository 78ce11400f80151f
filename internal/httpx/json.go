package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"kansrijk/internal/apperr"
)

// MaxJSONBody is the largest JSON request body accepted.
const MaxJSONBody = 1 << 20

// WriteJSON writes v as JSON with status.
// The body is encoded into a pooled buffer first and sent in one write
// with its Content-Length: a page of 50 inbox items (about 20 kB) went
// out in chunks of the server's 4 kB buffer (issue 14).
func WriteJSON(w http.ResponseWriter, status int, v any) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // keep no huge buffers alive
			buf.Reset()
			jsonBuffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err == nil {
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// errorBodyAll is ErrorBody with every problem of the input when there
// are several (a form's fields; apperr.List): the first is the one in
// code, message and field.
type errorBodyAll struct {
	Error struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Field   string         `json:"field,omitempty"`
		Errors  []FieldProblem `json:"errors,omitempty"`
	} `json:"error"`
}

// FieldProblem is one problem of an input in ErrorBody.Errors.
type FieldProblem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// WriteError writes err as {"error": {"code", "message"}}. Internal errors
// are logged with the request id and answered with a generic message.
//
// A message may echo what the caller sent (an unknown field's name, a
// value): control characters in it are written as escapes (SafeText), and
// the body is encoded with HTML escaping on, so that no echo can become
// markup or split a line wherever the answer ends up.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var body ErrorBody
	if e, ok := apperr.As(err); ok {
		body.Error.Code, body.Error.Message, body.Error.Field = e.Code, SafeText(e.Message), SafeText(e.Field)
	} else {
		slog.Error("internal error", "error", err, slog.Group("request", "method", r.Method, "path", r.URL.Path, "id", RequestID(r)))
		body.Error.Code = apperr.Internal
		body.Error.Message = "internal error; the request id is " + RequestID(r)
	}
	status := Status(body.Error.Code)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	SetRetryAfter(w, err) // busy password checks, throttling
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if ps := apperr.Problems(err); len(ps) > 1 {
		var all errorBodyAll
		all.Error.Code, all.Error.Message, all.Error.Field = body.Error.Code, body.Error.Message, body.Error.Field
		for _, p := range ps {
			all.Error.Errors = append(all.Error.Errors, FieldProblem{p.Code, SafeText(p.Message), SafeText(p.Field)})
		}
		_ = json.NewEncoder(w).Encode(all)
		return
	}
	_ = json.NewEncoder(w).Encode(body) // HTML escaping on (the default)
}

// DecodeJSON decodes a JSON request body strictly into v: at most
// MaxJSONBody bytes, no unknown fields, one value, no control characters
// in any string (invalid_text, see CheckText).
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return apperr.New(apperr.Invalid, "Content-Type must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return apperr.New(apperr.TooLarge, "request body is larger than %d bytes", MaxJSONBody)
		case errors.Is(err, io.EOF):
			return apperr.New(apperr.InvalidJSON, "request body is empty")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.TrimSuffix(strings.TrimPrefix(err.Error(), `json: unknown field "`), `"`)
			return apperr.FieldErr(apperr.UnknownField, field, "unknown field %q", field)
		case errors.As(err, &syn):
			return apperr.New(apperr.InvalidJSON, "malformed JSON at byte %d", syn.Offset)
		case errors.As(err, &typ):
			return apperr.FieldErr(apperr.InvalidJSON, typ.Field, "field %q must be of type %s", typ.Field, typ.Type)
		default:
			return apperr.New(apperr.InvalidJSON, "malformed JSON: %s", err.Error())
		}
	}
	if dec.More() {
		return apperr.New(apperr.InvalidJSON, "request body must hold one JSON value")
	}
	// No text field of any body may hold a control character: a NUL
	// cannot be stored by PostgreSQL (SQLite would keep it), and the
	// others hide text from whoever reads it later.
	return CheckText(v)
}
