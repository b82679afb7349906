package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/render"
)

// TestBrowserRedlineHTML opens the typeset redline HTML of a pair with
// lists, a table, a code block, long words and a moved section, in both
// views at 375 and 1280 px (and 1200, where the old side-by-side table cut
// off its right column): the page never scrolls sideways, the legend and
// the marks show, the charset is declared and the colours meet WCAG AA.
func TestBrowserRedlineHTML(t *testing.T) {
	oldMD, err := os.ReadFile("../render/testdata/redline-old.md")
	if err != nil {
		t.Fatal(err)
	}
	newMD, err := os.ReadFile("../render/testdata/redline-new.md")
	if err != nil {
		t.Fatal(err)
	}
	// A long unbroken token and a wide table row, which a pre-wrap table
	// layout pushed past the viewport.
	long := "\n\n## 8. Contacts\n\nWrite to https://example.org/" + strings.Repeat("very-long-path-segment-", 8) + " or call.\n\n| Name | Role | Office | Phone | E-mail |\n|---|---|---|---|---|\n| Dolores Ibarra-Castellanos | Superintendent | 1200 Alder Creek Boulevard | 555-0100 | superintendent@aldercreek.example |\n"
	rl := redline.Compare(redline.Split(string(oldMD)), redline.Split(string(newMD)+long), redline.Options{})
	pages := map[string][]byte{}
	for name, view := range map[string]redline.View{"inline": redline.Inline, "side-by-side": redline.SideBySide} {
		var b bytes.Buffer
		if err := render.RedlineHTMLPage(&b, rl, view, "Redline"); err != nil {
			t.Fatal(err)
		}
		// The helpers wait for a <main>, as every app page has one.
		pages["/"+name] = bytes.Replace(bytes.Replace(b.Bytes(), []byte("<style>"), []byte("<main><style>"), 1), []byte("</body>"), []byte("</main></body>"), 1)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(pages[r.URL.Path])
	}))
	defer ts.Close()

	b := browserTab(t)
	for _, name := range []string{"inline", "side-by-side"} {
		for _, width := range []int64{375, 1200, 1280} {
			page := fmt.Sprintf("redline-%s-%d", name, width)
			b.do(chromedp.EmulateViewport(width, 900), chromedp.Navigate(ts.URL+"/"+name), chromedp.WaitReady(chromedp.CSS("main")))
			b.inert(page)
			if over := evalIn[[]string](b, overflowJS); len(over) > 0 {
				t.Errorf("%s scrolls sideways: %s", page, strings.Join(over, "; "))
			}
			for _, p := range evalIn[[]string](b, contrastJS) {
				t.Errorf("%s: contrast below AA: %s", page, p)
			}
			if !evalIn[bool](b, `document.characterSet === "UTF-8" && !!document.querySelector('meta[charset="utf-8"]')`) {
				t.Errorf("%s: no utf-8 charset", page)
			}
			if !evalIn[bool](b, `(() => { const l = document.querySelector(".redline-legend"); return !!l && l.getBoundingClientRect().height > 0 && /inserted text/.test(l.textContent); })()`) {
				t.Errorf("%s: no visible legend", page)
			}
			if n := evalIn[int](b, `document.querySelectorAll("main ins").length * (document.querySelectorAll("main del").length > 1)`); n < 2 {
				t.Errorf("%s: marks missing", page)
			}
			if evalIn[bool](b, `/\*\*|\]\(https|^#/m.test(document.querySelector("main").innerText)`) {
				t.Errorf("%s shows raw Markdown", page)
			}
			b.view(page)
		}
	}
	// Inserted text is underlined and deleted text struck through, so the
	// marks read without colour.
	if !evalIn[bool](b, `getComputedStyle(document.querySelector("main ins")).textDecorationLine.includes("underline") && getComputedStyle(document.querySelector("main del")).textDecorationLine.includes("line-through")`) {
		t.Error("marks are colour only")
	}
}
