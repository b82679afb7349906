package web

import (
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// CheckPublicPages opens each public page (path under base, named for
// screenshots) in a real browser at phone and desktop width, with
// JavaScript on and then off, and runs the page checks of
// TestBrowserEveryPageFitsAPhone on it: no console error, no sideways
// scroll at 375 px, AA contrast, labelled controls, no injected markup.
// waitFor is a selector each page must show once loaded. For tests of the
// external package (the seed replays) that have pages to check.
func CheckPublicPages(t *testing.T, base string, pages map[string]string, waitFor string) {
	t.Helper()
	for _, js := range []bool{true, false} {
		b := browserTab(t)
		mode := "js"
		if !js {
			mode = "nojs"
			if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
				t.Fatal(err)
			}
		}
		for name, path := range pages {
			for _, width := range []int64{375, 1280} {
				b.do(chromedp.EmulateViewport(width, 800), chromedp.Navigate(base+path), chromedp.WaitReady(chromedp.CSS(waitFor)))
				b.checkPage(name+"-"+mode, width)
			}
		}
	}
}
