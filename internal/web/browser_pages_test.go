package web

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/demo"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
)

// TestBrowserEveryPageFitsAPhone loads the demo and opens every page as the
// person who uses it, at phone width (375 px) and at desktop width: no page
// may scroll sideways on a phone, log a console error, or show injected
// markup. It saves a screenshot of the top of each page at both widths.
func TestBrowserEveryPageFitsAPhone(t *testing.T) {
	db, ts, _ := startTestServerTS(t)
	res, err := demo.Load(context.Background(), demo.Config{DB: db, Handler: ts.Config.Handler, Hasher: testHasher, Out: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	password := map[string]string{}
	for _, a := range res.Accounts {
		password[a.Email] = a.Password
	}
	st := res.Story
	mid, exec, amend := itoa64(st.UnderReview), itoa64(st.Executed), itoa64(st.Amendment)
	meetings, err := db.Meetings(context.Background(), st.UnderReview, 0, desk.NoLimit)
	if err != nil || len(meetings) == 0 {
		t.Fatalf("demo meetings: %v", err)
	}
	meeting := itoa64(meetings[len(meetings)-1].ID)
	visits := []struct{ who, name, path string }{
		{"", "signin", "/signin"},
		{"", "public", "/public"},
		{"", "public-mou", "/public/mous/" + exec},
		{"", "public-redline", "/public/mous/" + exec + "/redline"},
		{"", "public-accountability", "/public/mous/" + exec + "/accountability"},
		{"", "verify", "/public/verify"},
		{"pramana@aldercreek.example", "dashboard-drafter", "/dashboard"},
		{"pramana@aldercreek.example", "new-mou", "/mous/new"},
		{"pramana@aldercreek.example", "mou", "/mous/" + mid},
		{"pramana@aldercreek.example", "edit", "/mous/" + mid + "/sections/term/edit"},
		{"pramana@aldercreek.example", "redline", "/mous/" + mid + "/redline"},
		{"pramana@aldercreek.example", "redline-side", "/mous/" + mid + "/redline?view=side-by-side"},
		{"pramana@aldercreek.example", "deviations", "/mous/" + mid + "/deviations"},
		{"pramana@aldercreek.example", "clauses", "/clauses"},
		{"pramana@aldercreek.example", "clause-search", "/clauses?q=student+records"},
		{"pramana@aldercreek.example", "clause", "/clauses/student-records-access"},
		{"pramana@aldercreek.example", "clause-edit", "/clauses/student-records-access/edit"},
		{"rdelgado@aldercreek.example", "dashboard-clerk", "/dashboard"},
		{"rdelgado@aldercreek.example", "meeting", "/meetings/" + meeting},
		{"rdelgado@aldercreek.example", "new-meeting", "/mous/" + amend + "/meetings/new"},
		{"rdelgado@aldercreek.example", "approvals", "/approvals"},
		{"rdelgado@aldercreek.example", "audit", "/audit?mou=" + mid},
		{"mbell@aldercreek.example", "sign", "/mous/" + exec + "/sign"},
		{"admin@aldercreek.example", "admin", "/admin"},
		{"admin@aldercreek.example", "workflows", "/admin/workflows"},
		{"admin@aldercreek.example", "workflow", "/admin/workflows/default"},
		{"admin@aldercreek.example", "workflow-edit", "/admin/workflows/default/edit"},
	}
	// One MOU of each other seed process, as its first party's drafter
	// sees it; the regional one has three parties.
	for _, p := range st.Processes {
		who := "pramana@aldercreek.example"
		if p.Workflow == "roundtable-commission" {
			who = "kosei@cvps.example"
		}
		visits = append(visits, struct{ who, name, path string }{who, "mou-" + p.Workflow, "/mous/" + itoa64(p.ID)})
		if p.Workflow == "advisory-board" {
			visits = append(visits, struct{ who, name, path string }{who, "recommendations", "/mous/" + itoa64(p.ID) + "/recommendations"})
		}
	}
	if len(st.Processes) != 3 {
		t.Fatalf("demo processes %+v, want one MOU for each of the three other seed processes", st.Processes)
	}
	b := browserTab(t)
	who := ""
	for _, v := range visits {
		if v.who != who {
			if who != "" {
				b.open(ts.URL + "/dashboard")
				b.signOut()
			}
			if v.who != "" {
				b.open(ts.URL + "/signin")
				b.do(chromedp.SetValue(chromedp.ID("f-email"), v.who), chromedp.SetValue(chromedp.ID("f-password"), password[v.who]))
				b.submit(`form[action="/signin"] button[type=submit]`, "form.signout")
			}
			who = v.who
		}
		for _, width := range []int64{375, 1280} {
			b.do(chromedp.EmulateViewport(width, 800), chromedp.Navigate(ts.URL+v.path), chromedp.WaitReady(chromedp.CSS("main")))
			b.checkPage(v.name, width)
		}
	}

	// A stale save: the drafter edits a section while someone else saves
	// (the admin, last signed in, acts on no party's MOU).
	b.do(chromedp.EmulateViewport(375, 800))
	b.open(ts.URL + "/dashboard")
	b.signOut()
	b.open(ts.URL + "/signin")
	b.do(chromedp.SetValue(chromedp.ID("f-email"), "pramana@aldercreek.example"), chromedp.SetValue(chromedp.ID("f-password"), password["pramana@aldercreek.example"]))
	b.submit(`form[action="/signin"] button[type=submit]`, "form.signout")
	b.open(ts.URL + "/mous/" + mid + "/sections/term/edit")
	cur, err := db.MOU(context.Background(), st.UnderReview)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateRevision(context.Background(), moudesk.System, st.UnderReview, cur.CurrentRevision, "meanwhile",
		func(base *mou.Revision) (*mou.Content, error) {
			next := base.Content
			body := "The term is three school years."
			var err error
			next.Sections, err = mou.ApplyEdits(base.Sections, []mou.Edit{{Op: mou.OpUpdate, Key: "term", Body: &body}})
			return &next, err
		}, nil); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.SetValue(chromedp.ID("f-body"), "My own term text."), chromedp.SetValue(chromedp.ID("f-message"), "mine"))
	b.submit(`button[name=action][value=save]`, ".stale-diff")
	b.forget("status of 409")
	for _, width := range []int64{375, 1280} {
		b.do(chromedp.EmulateViewport(width, 800))
		b.checkPage("stale-save", width)
	}
}

// checkPage runs the page checks on what the tab shows (injected markup,
// labels, contrast, and at phone width sideways scrolling) and saves a
// screenshot of the window.
func (b *tab) checkPage(name string, width int64) {
	b.t.Helper()
	b.inert(name)
	for _, p := range evalIn[[]string](b, unlabelledJS) {
		b.t.Errorf("%s: %s", name, p)
	}
	for _, p := range evalIn[[]string](b, contrastJS) {
		b.t.Errorf("%s: contrast below AA: %s", name, p)
	}
	if width <= 375 {
		if over := evalIn[[]string](b, overflowJS); len(over) > 0 {
			b.t.Errorf("%s scrolls sideways at %d px: %s", name, width, strings.Join(over, "; "))
		}
	}
	b.view(fmt.Sprintf("%s-%d", name, width))
}

// unlabelledJS lists form controls without a label and buttons and links
// without text a screen reader could announce.
const unlabelledJS = `(() => {
  const out = [];
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    if (el.labels.length === 0 && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")) out.push("unlabelled " + el.tagName.toLowerCase() + " name=" + el.name);
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    if (el.textContent.trim() === "" && !el.getAttribute("aria-label")) out.push("empty " + el.tagName.toLowerCase() + " " + (el.getAttribute("href") || ""));
  }
  return out;
})()`

// contrastJS lists text whose colour against its background is below WCAG
// AA (4.5:1, or 3:1 for large text: 24 px, or 18.66 px bold). The
// background is the first opaque one up the tree; text on a background
// image or partly transparent colour is not judged.
const contrastJS = `(() => {
  const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(",").map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const bg = el => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor); if (c && c.a === 1) return c; if (c && c.a > 0) return null; } return {r: 255, g: 255, b: 255, a: 1}; };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const st = getComputedStyle(el);
    if (st.visibility === "hidden" || st.display === "none" || el.closest(".sr, .redline-sr, [hidden]")) continue;
    const fg = parse(st.color), back = bg(el);
    if (!fg || !back || fg.a < 1) continue;
    const l1 = lum(fg), l2 = lum(back), ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) out.push(el.tagName.toLowerCase() + "." + String(el.className).split(" ")[0] + " " + ratio.toFixed(2) + ":1 \"" + el.textContent.trim().slice(0, 30) + "\"");
    if (out.length > 5) break;
  }
  return out;
})()`

// overflowJS names the page if it is wider than the window, and the
// widest elements that stick out.
const overflowJS = `(() => {
  const w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= w) return [];
  const out = ["page is " + document.documentElement.scrollWidth + " px wide"];
  for (const el of document.querySelectorAll("main *")) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && getComputedStyle(el).position !== "absolute" && !el.closest(".table-wrap")) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ")[0] : "") + " to " + Math.round(r.right));
      if (out.length > 6) break;
    }
  }
  return out;
})()`

// view saves a screenshot of the window (not the whole page), the part a
// person sees first.
func (b *tab) view(name string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// TestBrowserKeyboardOnly signs in and opens an MOU with the keyboard
// alone: the skip link comes first, every stop shows a visible focus
// outline, and Enter submits.
func TestBrowserKeyboardOnly(t *testing.T) {
	e := newMOUEnv(t)
	id := e.createSRO()
	b := browserTab(t)
	b.open(e.url + "/signin")
	// tabTo presses Tab until the element matching sel has focus, checking
	// that each element reached shows a focus outline.
	tabTo := func(sel string) {
		t.Helper()
		for i := 0; i < 30; i++ {
			b.do(chromedp.KeyEvent("\t"))
			style := evalIn[string](b, `(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + " " + s.outlineWidth; })()`)
			if strings.HasPrefix(style, "none") || strings.HasSuffix(style, " 0px") {
				t.Errorf("no visible focus on %s: outline %q", evalIn[string](b, `document.activeElement.outerHTML.slice(0, 80)`), style)
			}
			if evalIn[bool](b, `document.activeElement.matches(`+"`"+sel+"`"+`)`) {
				return
			}
		}
		t.Fatalf("Tab never reached %s", sel)
	}
	b.do(chromedp.KeyEvent("\t"))
	if !evalIn[bool](b, `document.activeElement.classList.contains("skip")`) {
		t.Errorf("the first Tab stop is %s, want the skip link", evalIn[string](b, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	tabTo("#f-email")
	b.do(chromedp.KeyEvent("ada@city.gov"))
	tabTo("#f-password")
	b.do(chromedp.Evaluate[chromedp.Void](`document.body.dataset.leaving = "1"`),
		chromedp.KeyEvent("correct horse battery staple\r"),
		chromedp.WaitVisible(chromedp.CSS("body:not([data-leaving]) form.signout")))
	b.open(e.url + "/dashboard")
	tabTo(`a[href="/mous/` + itoa64(id) + `"]`)
	b.do(chromedp.Evaluate[chromedp.Void](`document.body.dataset.leaving = "1"`), chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS("body:not([data-leaving]) #section-term")))
	tabTo(`a[href$="/sections/term/edit"]`)
	b.shot("keyboard-focus")
}
