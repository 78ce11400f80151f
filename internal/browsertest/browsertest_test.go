package browsertest

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// htmlPage wraps body in a document that passes axe-core.
func htmlPage(title, body string) string {
	return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>` + title + `</title></head>
<body><main><h1>` + title + `</h1>` + body + `</main></body>
</html>`
}

// pixel is a 1x1 white PNG.
var pixel = func() []byte {
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	img.Pix[0] = 0xff
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}()

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	serve := func(w http.ResponseWriter, s string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, s)
	}
	form := func(action string) string {
		return `<form method="post" action="` + action + `">
<label for="name">Name</label> <input id="name" name="name" type="text">
<button id="send" type="submit">Send</button>
</form>`
	}
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		serve(w, htmlPage("Form", form("/submit")))
	})
	mux.HandleFunc("GET /slow-form", func(w http.ResponseWriter, r *http.Request) {
		serve(w, htmlPage("Slow form", form("/slow-submit")))
	})
	// Post/Redirect/Get, with a redirect chain: 303 to /redirect, 302 to /done.
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/redirect?name="+r.FormValue("name"), http.StatusSeeOther)
	})
	mux.HandleFunc("POST /slow-submit", func(w http.ResponseWriter, r *http.Request) {
		// Much longer than navigationGrace.
		time.Sleep(1500 * time.Millisecond)
		http.Redirect(w, r, "/redirect?name="+r.FormValue("name"), http.StatusSeeOther)
	})
	// A form whose POST gets no new document.
	mux.HandleFunc("GET /nocontent-form", func(w http.ResponseWriter, r *http.Request) {
		serve(w, htmlPage("No content", form("/nocontent")))
	})
	mux.HandleFunc("POST /nocontent", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/done?name="+r.FormValue("name"), http.StatusFound)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) {
		serve(w, htmlPage("Done", `<p id="greeting">Hello, `+html.EscapeString(r.FormValue("name"))+`!</p>
<p><a id="back" href="/clean">Back</a></p>`))
	})
	mux.HandleFunc("GET /clean", func(w http.ResponseWriter, r *http.Request) {
		// A strict CSP must not stop axe-core.
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		serve(w, htmlPage("Clean", `<p>All is well.</p>
<p><img src="/pixel.png" alt="A white pixel" width="10" height="10"></p>
<p><a id="frag" href="#out">Jump to the output</a></p>
<button id="js" type="button">Toggle</button>
<p id="out">off</p>
<script src="/toggle.js"></script>`))
	})
	mux.HandleFunc("GET /toggle.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, `document.getElementById("js").addEventListener("click", () => {
  document.getElementById("out").textContent = "on";
});`)
	})
	mux.HandleFunc("GET /bad", func(w http.ResponseWriter, r *http.Request) {
		// The image has no alt text.
		serve(w, htmlPage("Bad", `<p>An image: <img id="noalt" src="/pixel.png" width="10" height="10"></p>`))
	})
	mux.HandleFunc("GET /pixel.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pixel)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestFormPostRedirectGet(t *testing.T) {
	srv := newServer(t)
	b := New(t)

	b.Navigate(srv.URL + "/form")
	if got := b.URL(); got != srv.URL+"/form" {
		t.Fatalf("URL = %q", got)
	}
	b.CheckAxe("form")

	// Submit follows the 303 and the 302.
	b.SetValue("#name", "Ada")
	b.Submit("form")
	if got, want := b.URL(), srv.URL+"/done?name=Ada"; got != want {
		t.Errorf("after Submit: URL = %q, want %q", got, want)
	}
	if got := b.Text("#greeting"); got != "Hello, Ada!" {
		t.Errorf("after Submit: greeting = %q", got)
	}
	b.CheckAxe("done")

	// Click on a link waits for the new page.
	b.Click("#back")
	if got := b.URL(); got != srv.URL+"/clean" {
		t.Errorf("after Click on link: URL = %q", got)
	}

	// Click on the submit button posts the form and follows the redirects.
	b.Navigate(srv.URL + "/form")
	b.SetValue("#name", "Grace")
	b.Click("#send")
	if got, want := b.URL(), srv.URL+"/done?name=Grace"; got != want {
		t.Errorf("after Click: URL = %q, want %q", got, want)
	}
	if got := b.Text("#greeting"); got != "Hello, Grace!" {
		t.Errorf("after Click: greeting = %q", got)
	}
}

func TestSlowPostRedirectGet(t *testing.T) {
	srv := newServer(t)
	b := New(t)

	for _, submit := range []struct {
		name string
		do   func()
	}{
		{"Click", func() { b.Click("#send") }},
		{"Submit", func() { b.Submit("#name") }}, // the form of a field
	} {
		b.Navigate(srv.URL + "/slow-form")
		b.SetValue("#name", submit.name)
		start := time.Now()
		submit.do()
		if d := time.Since(start); d < time.Second {
			t.Errorf("%s returned after %v, before the slow POST finished", submit.name, d)
		}
		// No waiting here: the page must be there already.
		if !b.Exists("#greeting") {
			t.Errorf("%s: no #greeting right after it returned; URL %s", submit.name, b.URL())
		}
		if got, want := b.URL(), srv.URL+"/done?name="+submit.name; got != want {
			t.Errorf("%s: URL = %q, want %q", submit.name, got, want)
		}
	}
}

func TestClickWithoutNavigation(t *testing.T) {
	srv := newServer(t)
	b := New(t)
	b.Navigate(srv.URL + "/clean")

	start := time.Now()
	b.Click("#js")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Click without navigation took %v", d)
	}
	if got := b.Text("#out"); got != "on" {
		t.Errorf("#out = %q after the click", got)
	}
	if got := b.URL(); got != srv.URL+"/clean" {
		t.Errorf("URL = %q", got)
	}
}

func TestNavigationWithoutNewDocument(t *testing.T) {
	srv := newServer(t)
	b := New(t)

	// A link to a fragment navigates within the document.
	b.Navigate(srv.URL + "/clean")
	start := time.Now()
	b.Click("#frag")
	if d := time.Since(start); d >= navigationGrace {
		t.Errorf("Click on a fragment link took %v", d)
	}
	if got := b.URL(); got != srv.URL+"/clean#out" {
		t.Errorf("URL = %q", got)
	}

	// A POST answered with 204 No Content keeps the document.
	b.Navigate(srv.URL + "/nocontent-form")
	b.SetValue("#name", "x")
	b.Submit("form")
	if got := b.URL(); got != srv.URL+"/nocontent-form" {
		t.Errorf("URL = %q", got)
	}
	if got := b.Text("h1"); got != "No content" {
		t.Errorf("h1 = %q", got)
	}
}

// recordingTB records the failures of a Browser. Fatal ends the goroutine,
// as the real one does.
type recordingTB struct {
	testing.TB
	mu    sync.Mutex
	fails []string
	fatal bool
}

func (r *recordingTB) record(fatal bool, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fails = append(r.fails, msg)
	r.fatal = r.fatal || fatal
}

func (r *recordingTB) Error(args ...any) {
	r.record(false, fmt.Sprint(args...))
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.record(false, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Fatal(args ...any) {
	r.record(true, fmt.Sprint(args...))
	runtime.Goexit()
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.record(true, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// failures runs f with a Browser that reports to a recordingTB, and returns
// what it recorded.
func failures(t *testing.T, b *Browser, f func()) (fails []string, fatal bool) {
	t.Helper()
	rec := &recordingTB{TB: t}
	b.t = rec
	defer func() { b.t = t }()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
	return rec.fails, rec.fatal
}

func TestFailures(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KANSRIJK_TEST_ARTIFACTS", dir)
	srv := newServer(t)
	b := New(t)

	// CheckAxe reports the violation with Error, and the test goes on.
	b.Navigate(srv.URL + "/bad")
	fails, fatal := failures(t, b, func() { b.CheckAxe("bad") })
	if len(fails) != 1 || fatal {
		t.Fatalf("CheckAxe on the bad page: fatal %v, failures %q", fatal, fails)
	}
	for _, want := range []string{"1 accessibility violation", `"bad"`, srv.URL + "/bad", "image-alt", "critical", "#noalt"} {
		if !strings.Contains(fails[0], want) {
			t.Errorf("CheckAxe failure has no %q:\n%s", want, fails[0])
		}
	}

	// An element that never appears fails after the timeout, with the URL
	// and a screenshot.
	b.timeout = time.Second
	start := time.Now()
	fails, fatal = failures(t, b, func() { b.Text("#missing") })
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Text of a missing element took %v", d)
	}
	if len(fails) != 1 || !fatal {
		t.Fatalf("Text of a missing element: fatal %v, failures %q", fatal, fails)
	}
	shot := filepath.Join(dir, "TestFailures", "failure-1.png")
	for _, want := range []string{`text of "#missing"`, "deadline exceeded", srv.URL + "/bad", shot} {
		if !strings.Contains(fails[0], want) {
			t.Errorf("failure has no %q:\n%s", want, fails[0])
		}
	}
	if _, err := os.Stat(shot); err != nil {
		t.Error(err)
	}

	// Submit of a form that does not navigate fails.
	b.Navigate(srv.URL + "/clean")
	b.Eval(`(() => { const f = document.createElement("form"); f.id = "f"; f.action = "javascript:void 0"; document.body.append(f); })()`, nil)
	fails, fatal = failures(t, b, func() { b.Submit("#f") })
	if len(fails) != 1 || !fatal || !strings.Contains(fails[0], "no navigation started") {
		t.Errorf("Submit without navigation: fatal %v, failures %q", fatal, fails)
	}
}

func TestQueries(t *testing.T) {
	srv := newServer(t)
	b := New(t)
	b.Navigate(srv.URL + "/done?name=%3Cb%3E")

	if !b.Exists("#greeting") {
		t.Error("Exists(#greeting) = false")
	}
	if b.Exists("#missing") {
		t.Error("Exists(#missing) = true")
	}
	if got := b.Text("#greeting"); got != "Hello, <b>!" {
		t.Errorf("Text = %q", got)
	}
	if h := b.HTML(); !strings.Contains(h, `<p id="greeting">Hello, &lt;b&gt;!</p>`) {
		t.Errorf("HTML has no greeting:\n%s", h)
	}

	var n int
	b.Eval(`1 + 2`, &n)
	if n != 3 {
		t.Errorf("Eval(1 + 2) = %d", n)
	}
	var v struct {
		Title string   `json:"title"`
		Links []string `json:"links"`
	}
	b.Eval(`Promise.resolve({title: document.title, links: [...document.links].map(a => a.pathname)})`, &v)
	if v.Title != "Done" || len(v.Links) != 1 || v.Links[0] != "/clean" {
		t.Errorf("Eval of an object = %+v", v)
	}
	b.Eval(`document.title = "Changed"`, nil)
	var title string
	b.Eval(`document.title`, &title)
	if title != "Changed" {
		t.Errorf("title = %q", title)
	}
}

func TestAxe(t *testing.T) {
	srv := newServer(t)
	b := New(t)

	b.Navigate(srv.URL + "/clean")
	b.CheckAxe("clean")
	// A second run reuses the injected axe-core.
	vs, err := b.axeViolations()
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 0 {
		t.Errorf("violations on the clean page:\n%s", formatViolations(vs))
	}

	b.Navigate(srv.URL + "/bad")
	vs, err = b.axeViolations()
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, v := range vs {
		if v.ID != "image-alt" {
			t.Errorf("unexpected violation:\n%s", formatViolations([]axeViolation{v}))
			continue
		}
		found = true
		if v.Impact == "" || v.Help == "" || len(v.Nodes) != 1 || v.Nodes[0].target() != "#noalt" {
			t.Errorf("image-alt violation is incomplete: %+v", v)
		}
	}
	if !found {
		t.Errorf("axe did not find the image without alt text; violations:\n%s", formatViolations(vs))
	}
	msg := formatViolations(vs)
	for _, want := range []string{"image-alt", "#noalt", "Images must have alternative text", "https://"} {
		if !strings.Contains(msg, want) {
			t.Errorf("report has no %q:\n%s", want, msg)
		}
	}
	t.Logf("report of the bad page:\n%s", msg)
}

func TestScreenshot(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KANSRIJK_TEST_ARTIFACTS", dir)
	srv := newServer(t)
	b := New(t)

	b.Navigate(srv.URL + "/clean")
	b.Page("clean page") // Screenshot and CheckAxe

	path := filepath.Join(dir, "TestScreenshot", "clean_page.png")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 100 || !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("%s is not a PNG (%d bytes)", path, len(data))
	}
}

func TestArtifactsDir(t *testing.T) {
	t.Setenv("KANSRIJK_TEST_ARTIFACTS", "")
	dir := ArtifactsDir()
	if filepath.Base(dir) != "test-artifacts" {
		t.Errorf("ArtifactsDir() = %q", dir)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "go.mod")); err != nil {
		t.Errorf("ArtifactsDir() = %q is not in the module root: %v", dir, err)
	}
	t.Setenv("KANSRIJK_TEST_ARTIFACTS", "/x/y")
	if got := ArtifactsDir(); got != "/x/y" {
		t.Errorf("with $KANSRIJK_TEST_ARTIFACTS: ArtifactsDir() = %q", got)
	}
}
