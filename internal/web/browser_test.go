package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/moudesk/moudesk/internal/testtool"
)

// The browser tests share one headless Chromium per test binary: starting
// it costs about a second, a new tab in a fresh browser context (its own
// cookies) costs milliseconds.
var shared struct {
	once    sync.Once
	ctx     context.Context // the browser
	cancel  func()
	dataDir string
	err     error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	if shared.dataDir != "" {
		os.RemoveAll(shared.dataDir)
	}
	os.Exit(code)
}

// browserTab opens a tab in a new browser context of the shared browser.
// Every console error, failed resource and uncaught exception in it fails
// the test when the test ends.
func browserTab(t *testing.T) *tab {
	t.Helper()
	path := testtool.Need(t, "chromium", "chromium")
	shared.once.Do(func() {
		shared.dataDir, shared.err = os.MkdirTemp("", "moudesk-chromium-")
		if shared.err != nil {
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.NoFirstRun,
			chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
			chromedp.UserDataDir(shared.dataDir))
		ctx, cancelBrowser := chromedp.NewContext(alloc)
		shared.cancel = func() { cancelBrowser(); cancelAlloc() }
		shared.ctx = ctx
		shared.err = chromedp.Do(ctx) // start the browser
	})
	if shared.err != nil {
		t.Fatalf("start chromium: %v", shared.err)
	}
	// Screenshots go to the test's temp folder; MOUDESK_SCREENSHOTS keeps
	// them in a folder of your choice to look at.
	shots := t.TempDir()
	if dir := os.Getenv("MOUDESK_SCREENSHOTS"); dir != "" {
		shots = filepath.Join(dir, t.Name())
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tb := &tab{t: t, shots: shots}
	ctx, cancel := chromedp.NewContext(shared.ctx, chromedp.WithNewBrowserContext(),
		chromedp.WithListener(tb.record))
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	tb.ctx = ctx
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, p := range tb.problems {
			t.Errorf("browser: %s", p)
		}
	})
	// The first Run opens the tab and ties it to the context it gets, so it
	// must get the tab's own context, not a shorter-lived child.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return tb
}

// tab is one browser tab and what went wrong in it.
type tab struct {
	t        *testing.T
	ctx      context.Context
	shots    string
	mu       sync.Mutex
	problems []string
	n        int
}

// record keeps console errors and exceptions; it runs on the tab's event
// loop, so it only appends.
func (b *tab) record(ev any) {
	var p string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type == "error" || e.Type == "assert" {
			p = "console." + string(e.Type) + ": " + consoleArgs(e.Args)
		}
	case *runtime.EventExceptionThrown:
		p = "exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			p += " " + e.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if e.Entry != nil && e.Entry.Level == log.EntryLevelError {
			p = fmt.Sprintf("log (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL)
		}
	}
	if p != "" {
		b.mu.Lock()
		b.problems = append(b.problems, p)
		b.mu.Unlock()
	}
}

func consoleArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		if a.Value != nil {
			parts = append(parts, string(a.Value))
		} else {
			parts = append(parts, a.Description)
		}
	}
	return strings.Join(parts, " ")
}

// forget drops recorded problems containing s, for a page that is
// expected to log one (an error status the test asked for).
func (b *tab) forget(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := b.problems[:0]
	for _, p := range b.problems {
		if !strings.Contains(p, s) {
			kept = append(kept, p)
		}
	}
	b.problems = kept
}

// do runs actions, failing the test on error.
func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		where, _ := chromedp.Run(b.ctx, chromedp.Location())
		main, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.querySelector('main')||document.body).innerText.slice(0, 1500)`))
		b.t.Fatalf("browser at %s: %v (screenshot %s)\n%s", where, err, b.shot("failure"), main)
	}
}

// eval evaluates a JavaScript expression in the page.
func evalIn[T any](b *tab, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// xssPayload is markup that would run script if any page put user text
// into HTML unescaped: a script element, an event handler, javascript:
// links (HTML and Markdown) and an early end of a textarea.
const xssPayload = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">` +
	`<a href="javascript:window.__xss=3">a</a>[md](javascript:window.__xss=4)</textarea><b id="injected">b</b><svg onload="window.__xss=5">`

// inertJS lists anything on the page that user text could have injected:
// the flag the payload sets, scripts other than our own, the payload's
// elements, event-handler attributes and javascript: URLs. The one SVG a
// page may have is a chart moudesk drew (internal/chart) in its figure.
const inertJS = `(() => {
  const bad = [];
  if (window.__xss !== undefined) bad.push("script ran: window.__xss = " + window.__xss);
  for (const s of document.scripts) {
    if (!s.src || new URL(s.src).pathname !== "/static/app.js") bad.push("script element: " + s.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll("#injected, img[src='x'], svg, iframe, object, embed")) {
    if (el.matches("figure.chart-figure > svg.chart[role=img]")) continue; // our own server-drawn charts
    bad.push("injected element: " + el.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (a.name.startsWith("on")) bad.push("event handler " + a.name + " on " + el.tagName);
      if (["href", "src", "action", "formaction"].includes(a.name) && /^\s*javascript:/i.test(a.value)) bad.push("javascript: URL in " + el.tagName);
    }
  }
  return bad;
})()`

// inert fails the test if the page shows signs of injected markup.
func (b *tab) inert(page string) {
	b.t.Helper()
	for _, p := range evalIn[[]string](b, inertJS) {
		b.t.Errorf("%s: %s", page, p)
	}
}

// shot saves a full-page screenshot of what the tab shows now, after
// checking that no user text turned into markup on it.
func (b *tab) shot(name string) string {
	b.t.Helper()
	if name != "failure" {
		b.inert(name)
	}
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	b.n++
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

// open navigates and waits for the page's main element.
func (b *tab) open(url string) {
	b.t.Helper()
	b.do(chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("main")))
}

// submit clicks a button or link that loads a new page and waits for that
// page to show want (a CSS selector). The old page's body is marked first,
// so an element of the old page cannot satisfy the wait.
func (b *tab) submit(button, want string) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`document.body.dataset.leaving = "1"`),
		chromedp.Click(chromedp.CSS(button)),
		chromedp.WaitVisible(chromedp.CSS("body:not([data-leaving]) "+want)))
}

func (b *tab) signIn(base, email string) {
	b.t.Helper()
	b.open(base + "/signin")
	b.do(chromedp.SetValue(chromedp.ID("f-email"), email),
		chromedp.SetValue(chromedp.ID("f-password"), "correct horse battery staple"))
	b.submit(`form[action="/signin"] button[type=submit]`, "form.signout")
}

func (b *tab) signOut() {
	b.t.Helper()
	b.submit(`form.signout button`, `form[action="/signin"]`)
}
