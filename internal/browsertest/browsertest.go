// Package browsertest drives a headless Chromium from end-to-end tests and
// checks the visited pages with axe-core.
//
// A test starts a browser with [New], drives it with the methods of
// [Browser] and calls [Browser.Page] on every page it visits. Page writes a
// full-page screenshot to [ArtifactsDir] and fails the test when axe-core
// finds an accessibility violation.
//
//	b := browsertest.New(t)
//	b.Navigate(srv.URL + "/login")
//	b.Page("login")
//	b.SetValue("#email", "ada@example.com")
//	b.Click("button[type=submit]") // waits for the POST, the redirect and the load
//	b.Page("dashboard")
//
// Every method fails the test (t.Fatal) when its action does not finish
// within a timeout of 20 seconds, so a broken page fails instead of hanging.
// The only exception is [Browser.CheckAxe], which reports violations with
// t.Error so that one test can report the problems of several pages.
//
// The package uses Debian's Chromium at /usr/bin/chromium (or the executable
// in $KANSRIJK_CHROMIUM). It never downloads a browser. When Chromium is
// missing, New skips the test, or fails it when $CI is "true".
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const (
	// defaultChromium is the executable of Debian's chromium package.
	defaultChromium = "/usr/bin/chromium"

	// actionTimeout limits every action of a Browser.
	actionTimeout = 20 * time.Second

	// axeTimeout limits the injection and the run of axe-core, which can
	// take a few seconds on a large page.
	axeTimeout = 30 * time.Second

	// startTimeout limits the start of the browser.
	startTimeout = 60 * time.Second

	// navigationGrace is how long Click waits for a navigation to start
	// after the click. A click that starts no navigation in this time (a
	// button that only runs JavaScript, for example) returns after it.
	navigationGrace = 500 * time.Millisecond

	// pollInterval is the pause between two checks of the document while
	// Click and Submit wait for a navigation to finish.
	pollInterval = 20 * time.Millisecond
)

// Browser is a headless Chromium with one tab, bound to one test. Its methods
// fail the test on an error, so they return no error. A Browser is not safe
// for concurrent use; use it from the goroutine of its test.
type Browser struct {
	t       testing.TB
	ctx     context.Context // the chromedp context of the tab
	timeout time.Duration
	seq     int // number of documents marked by withNavigation
	shots   int // number of failure screenshots
}

// New starts a headless Chromium for the test and closes it on cleanup.
//
// If Chromium is missing, New calls t.Fatal when $CI is "true", and t.Skip
// otherwise. $KANSRIJK_CHROMIUM overrides the path of the executable.
func New(t testing.TB) *Browser {
	t.Helper()

	execPath, err := findChromium()
	if err != nil {
		msg := fmt.Sprintf("browsertest: Chromium not found (%v); install it with `apt-get install chromium` or set KANSRIJK_CHROMIUM", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	output := &syncBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox, // Chromium refuses to start as root without it.
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(output),
		// No UserDataDir option: chromedp then creates a temporary
		// --user-data-dir and removes it after the browser exits.
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Closes the tab, kills the browser, waits for it to exit and
		// removes its temporary profile.
		cancelTab()
		cancelAlloc()
	})

	// The first action starts the browser and binds its life to the context
	// it gets, so it must get the context without a timeout. Watch the time
	// here instead.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("browsertest: start %s: %v\nChromium output:\n%s", execPath, err, output.tail(4096))
		}
	case <-time.After(startTimeout):
		cancelTab()
		cancelAlloc()
		t.Fatalf("browsertest: %s did not start within %v\nChromium output:\n%s", execPath, startTimeout, output.tail(4096))
	}

	return &Browser{t: t, ctx: ctx, timeout: actionTimeout}
}

// findChromium returns the path of the Chromium executable.
func findChromium() (string, error) {
	if p := os.Getenv("KANSRIJK_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	if p, err := exec.LookPath(defaultChromium); err == nil {
		return p, nil
	}
	return exec.LookPath("chromium")
}

// run runs the action with the timeout of the browser.
func run[T any](b *Browser, timeout time.Duration, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// fatalf fails the test. It first saves a screenshot of the page, so that the
// reason of the failure is easier to see, and adds the URL of the page.
func (b *Browser) fatalf(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if u, err := run(b, 2*time.Second, chromedp.Location()); err == nil {
		msg += "\n  page: " + u
	}
	b.shots++
	if path, err := b.writeScreenshot(fmt.Sprintf("failure-%d", b.shots), 5*time.Second); err == nil {
		msg += "\n  screenshot: " + path
	}
	b.t.Fatal("browsertest: " + msg)
}

// Navigate loads url in the tab and waits until the page has loaded.
func (b *Browser) Navigate(url string) {
	b.t.Helper()
	if _, err := run(b, b.timeout, chromedp.Navigate(url)); err != nil {
		b.fatalf("navigate to %s: %v", url, err)
	}
}

// SetValue sets the value of the first element that matches the CSS selector,
// and sends it the input and change events. It waits until the element exists.
func (b *Browser) SetValue(selector, value string) {
	b.t.Helper()
	if _, err := run(b, b.timeout, chromedp.SetValue(chromedp.CSS(selector), value)); err != nil {
		b.fatalf("set value of %q: %v", selector, err)
	}
}

// Click clicks with the mouse on the first visible element that matches the
// CSS selector. When the click starts a navigation, such as a link or the
// POST of a form with its redirect, Click waits until the new page has
// loaded. A click that starts no navigation within half a second returns
// after that time.
func (b *Browser) Click(selector string) {
	b.t.Helper()
	if err := b.withNavigation(false, chromedp.Click(chromedp.CSS(selector))); err != nil {
		b.fatalf("click %q: %v", selector, err)
	}
}

// Submit submits the form that matches the CSS selector, or the form of the
// element that matches it, and waits until the resulting page has loaded. It
// calls HTMLFormElement.submit, so it skips the submit event and the
// constraint validation of the browser, and it sends no submit button. Use
// Click on the button to submit as a user does.
func (b *Browser) Submit(selector string) {
	b.t.Helper()
	if err := b.withNavigation(true, chromedp.Submit(chromedp.CSS(selector))); err != nil {
		b.fatalf("submit %q: %v", selector, err)
	}
}

// Text returns the visible text (innerText) of the first element that matches
// the CSS selector. It waits until the element exists, and returns "" for an
// element that is not rendered.
func (b *Browser) Text(selector string) string {
	b.t.Helper()
	s, err := run(b, b.timeout, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		b.fatalf("text of %q: %v", selector, err)
	}
	return s
}

// Exists reports whether an element matches the CSS selector now. It does not
// wait.
func (b *Browser) Exists(selector string) bool {
	b.t.Helper()
	ok, err := run(b, b.timeout, chromedp.Evaluate[bool](
		"document.querySelector("+jsString(selector)+") !== null"))
	if err != nil {
		b.fatalf("exists %q: %v", selector, err)
	}
	return ok
}

// Eval evaluates the JavaScript expression in the page and decodes its value,
// as JSON, into out. It awaits a promise. out can be nil to ignore the value.
func (b *Browser) Eval(js string, out any) {
	b.t.Helper()
	if out == nil {
		if _, err := run(b, b.timeout, chromedp.Evaluate[chromedp.Void](js, chromedp.EvalAwaitPromise)); err != nil {
			b.fatalf("eval %s: %v", abbrev(js), err)
		}
		return
	}
	raw, err := run(b, b.timeout, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fatalf("eval %s: %v", abbrev(js), err)
	}
	if len(raw) == 0 {
		b.fatalf("eval %s: the value is undefined", abbrev(js))
	}
	if err := json.Unmarshal(raw, out); err != nil {
		b.fatalf("eval %s: decode %s into %T: %v", abbrev(js), abbrev(string(raw)), out, err)
	}
}

// URL returns the URL of the current page.
func (b *Browser) URL() string {
	b.t.Helper()
	u, err := run(b, b.timeout, chromedp.Location())
	if err != nil {
		b.fatalf("read URL: %v", err)
	}
	return u
}

// HTML returns the outer HTML of the document element of the current page.
func (b *Browser) HTML() string {
	b.t.Helper()
	s, err := run(b, b.timeout, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
	if err != nil {
		b.fatalf("read HTML: %v", err)
	}
	return s
}

// Screenshot writes a full-page PNG of the current page to
// ArtifactsDir()/<test name>/<name>.png.
func (b *Browser) Screenshot(name string) {
	b.t.Helper()
	path, err := b.writeScreenshot(name, b.timeout)
	if err != nil {
		b.fatalf("screenshot %q: %v", name, err)
	}
	b.t.Logf("browsertest: screenshot %s", path)
}

// Page checks a page that the test visits: it takes a screenshot and runs
// axe-core on it. Call it on every page.
func (b *Browser) Page(name string) {
	b.t.Helper()
	b.Screenshot(name)
	b.CheckAxe(name)
}

// screenshotPath returns the path of the screenshot name of the test.
func (b *Browser) screenshotPath(name string) string {
	var parts []string
	for _, p := range strings.Split(b.t.Name(), "/") {
		parts = append(parts, safeName(p))
	}
	return filepath.Join(ArtifactsDir(), filepath.Join(parts...), safeName(name)+".png")
}

func (b *Browser) writeScreenshot(name string, timeout time.Duration) (string, error) {
	png, err := run(b, timeout, chromedp.FullScreenshot(100)) // 100 means PNG
	if err != nil {
		return "", err
	}
	path := b.screenshotPath(name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// safeName makes s usable as one element of a file path.
func safeName(s string) string {
	s = unsafeChars.ReplaceAllString(s, "_")
	s = strings.Trim(s, ".")
	if s == "" {
		return "_"
	}
	return s
}

// ArtifactsDir returns the directory for screenshots and other test output:
// $KANSRIJK_TEST_ARTIFACTS, or test-artifacts in the root of the module (the
// first directory above the working directory that holds go.mod).
func ArtifactsDir() string {
	if d := os.Getenv("KANSRIJK_TEST_ARTIFACTS"); d != "" {
		return d
	}
	return filepath.Join(moduleRoot(), "test-artifacts")
}

// moduleRoot returns the directory of the go.mod above the working directory,
// or the working directory if there is none.
var moduleRoot = sync.OnceValue(func() string {
	wd, err := os.Getwd()
	if err != nil {
		return os.TempDir()
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return wd
		}
		dir = parent
	}
})

// withNavigation runs trigger (a click or a submit) and waits for the
// navigation that it starts, if any.
//
// It marks the current document with a token first. A navigation counts as
// started when the main frame reports Page.frameRequestedNavigation,
// Page.frameStartedNavigating or Page.frameStartedLoading. Then it polls the
// page until the document no longer has the token (a new document) and its
// readyState is "complete". The old document stays while the browser waits
// for the POST and follows its redirects, so a slow Post/Redirect/Get is
// awaited as a whole. A navigation that ends without a new document (a 204
// response, a download, a canceled navigation) ends the wait when the main
// frame stops loading, and a navigation within the document ends it at once.
//
// With mustNavigate false, a trigger that starts no navigation within
// navigationGrace is not an error. With mustNavigate true, it is.
func (b *Browser) withNavigation(mustNavigate bool, trigger chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()

	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return fmt.Errorf("get frame tree: %w", err)
	}
	mainFrame := tree.FrameTree.Frame.ID

	b.seq++
	token := "bt" + strconv.Itoa(b.seq) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](
		"window.__browsertestDoc = "+jsString(token))); err != nil {
		return fmt.Errorf("mark document: %w", err)
	}

	var (
		started   = make(chan struct{})
		withinDoc = make(chan struct{})
		stopped   = make(chan struct{})
		once      [3]sync.Once
	)
	// fn runs in the loop that reads the messages of the tab, in the order
	// of the events. It must return fast and send no command.
	fn := func(ev any) {
		var sawStart bool
		switch ev := ev.(type) {
		case *page.EventFrameRequestedNavigation:
			sawStart = ev.FrameID == mainFrame
		case *page.EventFrameStartedNavigating:
			sawStart = ev.FrameID == mainFrame &&
				ev.NavigationType != page.FrameStartedNavigatingNavigationTypeSameDocument &&
				ev.NavigationType != page.FrameStartedNavigatingNavigationTypeHistorySameDocument
		case *page.EventFrameStartedLoading:
			sawStart = ev.FrameID == mainFrame
		case *page.EventNavigatedWithinDocument:
			if ev.FrameID == mainFrame {
				once[1].Do(func() { close(withinDoc) })
			}
		case *page.EventFrameStoppedLoading:
			// A stop counts only after a start: the stop of the load
			// before the trigger can arrive after Listen.
			if ev.FrameID == mainFrame && isClosed(started) {
				once[2].Do(func() { close(stopped) })
			}
		}
		if sawStart {
			once[0].Do(func() { close(started) })
		}
	}
	if err := chromedp.Listen(ctx, fn); err != nil {
		return fmt.Errorf("listen: %w", err)
	}

	if _, err := chromedp.Run(ctx, trigger); err != nil {
		return err
	}

	// Wait for the start of a navigation.
	var grace <-chan time.Time
	if !mustNavigate {
		timer := time.NewTimer(navigationGrace)
		defer timer.Stop()
		grace = timer.C
	}
	select {
	case <-started:
	case <-withinDoc:
		return nil
	case <-grace:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("no navigation started: %w", ctx.Err())
	}

	// Wait for the end of the navigation.
	type docState struct {
		Marked bool   `json:"marked"`
		Ready  string `json:"ready"`
	}
	check := chromedp.Evaluate[docState](
		`({marked: window.__browsertestDoc === ` + jsString(token) + `, ready: document.readyState})`)
	var last docState
	var lastErr error
	for {
		select {
		case <-withinDoc:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("navigation did not finish (same document: %v, readyState: %q, last error: %v): %w",
				last.Marked, last.Ready, lastErr, ctx.Err())
		default:
		}
		// The evaluation fails while the new document replaces the old one.
		// Try again then.
		st, err := chromedp.Run(ctx, check)
		if err == nil {
			last, lastErr = st, nil
			if st.Ready == "complete" && (!st.Marked || isClosed(stopped)) {
				return nil
			}
		} else if ctx.Err() == nil {
			lastErr = err
		}
		select {
		case <-time.After(pollInterval):
		case <-ctx.Done():
		}
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// abbrev shortens s for an error message.
func abbrev(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// syncBuffer collects the output of Chromium.
type syncBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(s.buf, p...)
	// Keep the memory bounded in a long test.
	if len(s.buf) > 1<<20 {
		s.buf = append(s.buf[:0:0], s.buf[len(s.buf)-(1<<19):]...)
	}
	return len(p), nil
}

// tail returns the last n bytes of the output.
func (s *syncBuffer) tail(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buf
	if len(b) > n {
		b = b[len(b)-n:]
	}
	if len(b) == 0 {
		return "(none)"
	}
	return string(b)
}

// Count returns how many elements match the CSS selector now, such as the
// rows of a list ("#users tbody tr[id]"). It does not wait.
func (b *Browser) Count(selector string) int {
	b.t.Helper()
	n, err := run(b, b.timeout, chromedp.Evaluate[int](
		"document.querySelectorAll("+jsString(selector)+").length"))
	if err != nil {
		b.fatalf("count %q: %v", selector, err)
	}
	return n
}
