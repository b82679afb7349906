package web

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// flowEnv is a server with the two Pleasanton parties and one account per
// person the review needs.
type flowEnv struct {
	db  *sqlite.DB
	url string
}

func newFlowEnv(t *testing.T) *flowEnv {
	t.Helper()
	db, url, token := startTestServer(t,
		desk.Party{Slug: "pleasanton", Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
		desk.Party{Slug: "pusd", Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"},
	)
	token("drafter@city.gov", "pleasanton", auth.RoleDrafter)
	token("clerk@city.gov", "pleasanton", auth.RoleClerk)
	token("clerk@pusd.org", "pusd", auth.RoleClerk)
	for _, sg := range signers {
		token(sg.email, sg.party, auth.RoleSignatory)
	}
	return &flowEnv{db: db, url: url}
}

// signers are the four lines of the SRO template's signature block, in
// the order they sign.
var signers = []struct{ email, party string }{
	{"chief@city.gov", "pleasanton"}, {"superintendent@pusd.org", "pusd"},
	{"manager@city.gov", "pleasanton"}, {"president@pusd.org", "pusd"},
}

// meeting records a meeting of body on the MOU open in the tab, with
// the given outcome and, when ayes > 0, a roll call.
func (b *tab) meeting(body, outcome string, ayes int, shotName string) {
	b.t.Helper()
	b.submit(`a[href$="/meetings/new"]`, "#f-date")
	b.do(chromedp.Click(chromedp.CSS(`input[name=body][value=` + body + `]`)))
	b.submit(`form[action$="/meetings/new"] button[type=submit]`, `form[action$="/outcome"]`)
	b.do(chromedp.Click(chromedp.CSS(`input[name=outcome][value=` + outcome + `]`)))
	for i := 0; i < ayes; i++ {
		n := strconv.Itoa(i)
		b.do(chromedp.SetValue(chromedp.ID("f-member-"+n), "Member "+n+" <img src=x onerror=window.__xss=6>"), chromedp.SetValue(chromedp.ID("f-vote-"+n), "aye"))
	}
	if shotName != "" {
		b.shot(shotName)
	}
	b.submit(`form[action$="/outcome"] button[type=submit]`, ".flash")
}

// TestBrowserReviewFlow walks an MOU from a blank form through review,
// approval and signing to the public portal the way staff would, in a real
// browser, once with JavaScript on and once with it off (every core flow
// must work without it), and keeps a screenshot of each page.
func TestBrowserReviewFlow(t *testing.T) {
	t.Run("JavaScriptOn", func(t *testing.T) { reviewFlow(t, true) })
	t.Run("JavaScriptOff", func(t *testing.T) { reviewFlow(t, false) })
}

func reviewFlow(t *testing.T, js bool) {
	e := newFlowEnv(t)
	b := browserTab(t)
	if !js {
		if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}

	b.signIn(e.url, "drafter@city.gov")
	b.shot("dashboard")

	// Create an MOU from the template.
	b.open(e.url + "/mous/new")
	// User text carries markup everywhere it can, and every page the flow
	// visits is checked for injected elements or script (tab.shot).
	// Document text refuses raw HTML, so title and bodies carry it with
	// each "<" escaped for Markdown: literal text, still markup to a page
	// that would unescape it.
	mdPayload := strings.ReplaceAll(xssPayload, "<", `\<`)
	title := "Pleasanton SRO MOU 2026–27 " + mdPayload
	b.do(chromedp.SetValue(chromedp.ID("f-title"), title))
	for name, v := range shipped.Variables(t) {
		// The helper covers every clause in the library; fill those this
		// template asks for.
		id := "f-variables-" + strings.ReplaceAll(name, "_", "-")
		if name == "school_names" {
			v = "Amador Valley High " + xssPayload
		}
		if evalIn[bool](b, `!!document.getElementById("`+id+`")`) {
			b.do(chromedp.SetValue(chromedp.ID(id), v))
		}
	}
	b.shot("new-mou")
	b.submit(`#create-mou button[type=submit]`, ".flash")
	if got := b.text("h1"); got != title {
		t.Fatalf("MOU page heading %q, want the title as typed", got)
	}
	b.shot("mou")
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	mouURL := strings.SplitN(loc, "?", 2)[0]

	// Name who signs each line of the signature block.
	b.submit(`.actions a[href$="/sign"]`, "#f-line-1")
	for i, sg := range signers {
		b.do(chromedp.SetValue(chromedp.ID("f-line-"+strconv.Itoa(i+1)), sg.email))
	}
	b.submit(`form[action$="/signatories"] button[type=submit]`, ".flash")
	b.shot("signatories")
	b.open(mouURL)

	// Edit a section: preview (the no-JavaScript path), then save.
	b.submit(`a[href$="/sections/term/edit"]`, "#f-body")
	b.do(chromedp.SetValue(chromedp.ID("f-body"), "This MOU runs for **three** school years, until {{expiration}}.\n\n- It renews once.\n\n"+mdPayload))
	b.submit(`button[name=action][value=preview]`, "#preview-out strong")
	b.shot("edit-preview")
	b.do(chromedp.SetValue(chromedp.ID("f-message"), "Three-year term, as the committee asked"))
	b.submit(`button[name=action][value=save]`, ".flash")
	if f := b.text(".flash"); !strings.Contains(f, "saved") {
		t.Fatalf("after saving: %q", f)
	}

	// See the redline, then switch to side by side (JavaScript toggle).
	b.submit(`.actions a[href*="/redline?from=1"]`, ".redline-inline")
	if n := evalIn[int](b, `document.querySelectorAll('[data-redline-view=inline] ins').length`); n == 0 {
		t.Fatal("the redline shows no insertion")
	}
	b.shot("redline")
	if js {
		b.do(chromedp.Evaluate[chromedp.Void](`document.body.dataset.leaving = "1"`),
			chromedp.Click(chromedp.CSS(`a[data-view=side-by-side]`)), chromedp.WaitVisible(chromedp.CSS(".redline-side-by-side")))
		if !evalIn[bool](b, `document.body.dataset.leaving === "1" && location.search.includes("view=side-by-side")`) {
			t.Fatal("the side-by-side toggle reloaded the page instead of switching in place")
		}
	} else {
		b.submit(`a[data-view=side-by-side]`, ".redline-side-by-side")
	}
	b.shot("redline-side-by-side")

	// Send it to the liaison committee.
	b.open(mouURL)
	b.submit(`button[name=to][value=liaison_review]`, ".flash")
	b.signOut()

	// The city clerk records the liaison committee's meeting with feedback.
	b.signIn(e.url, "clerk@city.gov")
	b.open(mouURL)
	b.submit(`a[href$="/meetings/new"]`, "#f-date")
	b.shot("new-meeting")
	b.submit(`form[action$="/meetings/new"] button[type=submit]`, "#f-text")
	b.do(chromedp.SetValue(chromedp.ID("f-section"), "term"),
		chromedp.SetValue(chromedp.ID("f-text"), "Define de-escalation strategies. "+xssPayload))
	b.submit(`form[action$="/feedback"] button[type=submit]`, ".flash")
	b.do(chromedp.Click(chromedp.CSS(`input[name=outcome][value=forward]`)))
	b.shot("meeting")
	b.submit(`form[action$="/outcome"] button[type=submit]`, ".flash")
	if got := b.text("dl.facts dd strong"); got != "Joint council / board review" {
		t.Fatalf("stage after the liaison meeting: %q", got)
	}
	// The feedback is answered (declined with a reason) before the joint meeting.
	b.do(chromedp.SetValue(chromedp.CSS(`input[name=reason]`), "Covered by the de-escalation clause "+xssPayload))
	b.submit(`form[action$="/decline"] button[type=submit]`, ".flash")
	b.meeting("joint_meeting", "forward", 0, "")
	b.meeting("city_council", "approve", 5, "council-vote")
	b.open(e.url + "/approvals")
	b.shot("approvals")
	b.signOut()

	b.signIn(e.url, "clerk@pusd.org")
	b.open(mouURL)
	b.meeting("school_board", "approve", 4, "")
	if got := b.text("dl.facts dd strong"); got != "Signature" {
		t.Fatalf("stage after both approvals: %q", got)
	}
	b.shot("mou-approved")
	b.signOut()

	// Each signatory signs in turn; the last signature executes the MOU.
	for i, sg := range signers {
		b.signIn(e.url, sg.email)
		// The dashboard tells each signatory when it is their turn.
		if n := evalIn[int](b, `document.querySelectorAll('ul.todo a[href$="/sign"]').length`); n != 1 {
			t.Fatalf("%s's dashboard lists %d signatures due, want 1", sg.email, n)
		}
		b.open(mouURL + "/sign")
		if i == 0 {
			b.shot("sign")
		}
		b.do(chromedp.Click(chromedp.CSS(`input[name=consent]`)),
			chromedp.SetValue(chromedp.ID("f-typed-name"), sg.email),
			chromedp.SetValue(chromedp.ID("f-password"), "correct horse battery staple"))
		b.submit(`form[action$="/sign"] button[type=submit]`, ".flash")
		if i < len(signers)-1 {
			b.signOut()
		}
	}
	if f := b.text(".flash"); !strings.Contains(f, "executed") {
		t.Fatalf("after the last signature: %q", f)
	}
	b.signOut()

	// The public finds the executed MOU without signing in.
	b.open(e.url + "/public")
	b.shot("public")
	b.submit(`.mou-list a`, "#text-h")
	if got := b.text("h1"); got != title {
		t.Fatalf("public page of %q", got)
	}
	b.shot("public-mou")
	b.verifyUpload(e.url, mouURL)
}

// verifyUpload fetches the executed MOU's signed PDF as anyone would and
// checks it on the verify page.
func (b *tab) verifyUpload(base, mouURL string) {
	b.t.Helper()
	id := mouURL[strings.LastIndex(mouURL, "/")+1:]
	resp, err := http.Get(base + "/api/v1/mous/" + id + "/signed.pdf")
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	pdf, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		b.t.Fatalf("signed.pdf = %d", resp.StatusCode)
	}
	path := filepath.Join(b.t.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.open(base + "/public/verify")
	b.do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{path}))
	b.submit(`form[action="/public/verify"] button[type=submit]`, "#result")
	if got := b.text("#result .verdict-ok"); !strings.Contains(got, "Authentic") {
		b.t.Fatalf("verify page says %q", got)
	}
	b.shot("verify")

	// A copy changed after signing is called out.
	i := bytes.Index(pdf, []byte("/Contents"))
	tampered := append([]byte(nil), pdf...)
	tampered[i/2] ^= 0x20
	bad := filepath.Join(b.t.TempDir(), "tampered.pdf")
	if err := os.WriteFile(bad, tampered, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.open(base + "/public/verify")
	b.do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{bad}))
	b.submit(`form[action="/public/verify"] button[type=submit]`, "main")
	b.forget("status of 422")
	got := evalIn[string](b, `document.querySelector("main").innerText`)
	if strings.Contains(got, "Authentic.") || !(strings.Contains(got, "Not authentic") ||
		strings.Contains(got, "Same words, different file") || strings.Contains(got, "not a readable PDF")) {
		b.t.Fatalf("verify page on a tampered copy says:\n%s", got)
	}
	b.shot("verify-tampered")
}
