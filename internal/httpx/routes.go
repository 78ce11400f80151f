package httpx

import (
	"net/http"
	"slices"
	"sync"
)

// Mux is what the Register functions of the API and the web UI add their
// routes to: an *http.ServeMux, or a Routes recorder around one.
type Mux interface {
	Handle(pattern string, h http.Handler)
	HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request))
}

// Routes is an http.ServeMux that remembers every pattern registered on
// it, so that tests (the access matrix) can list every route.
type Routes struct {
	*http.ServeMux
	mu       sync.Mutex
	patterns []string
}

// NewRoutes returns an empty recording mux.
func NewRoutes() *Routes { return &Routes{ServeMux: http.NewServeMux()} }

// Handle registers h for pattern and records the pattern.
func (m *Routes) Handle(pattern string, h http.Handler) {
	m.record(pattern)
	m.ServeMux.Handle(pattern, h)
}

// HandleFunc registers h for pattern and records the pattern.
func (m *Routes) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.record(pattern)
	m.ServeMux.HandleFunc(pattern, h)
}

func (m *Routes) record(p string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.patterns = append(m.patterns, p)
}

// Patterns lists the registered patterns ("GET /referrals/{id}", "/")
// in the order they were registered.
func (m *Routes) Patterns() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.patterns)
}
