package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/testtool"
)

// TestVerifyByTextHidesUnexecutedRevisions: the public verify answers a
// file whose footer names a revision that is prepared for signing but not
// executed exactly as it answers a revision that does not exist. Otherwise
// anyone who learns an MOU's id and hash prefix could read its title and
// its stored text a few words per upload ("expected" of a text mismatch),
// and test hash prefixes against the oracle of unknown_revision versus
// text_differs: drafts are not public until executed.
func TestVerifyByTextHidesUnexecutedRevisions(t *testing.T) {
	e := newSignEnv(t)
	id := e.approved()
	e.assignAll(id)
	if status, _, _ := e.get(e.drafter, fmt.Sprintf("/api/v1/mous/%d/signing.pdf", id)); status != http.StatusOK {
		t.Fatalf("prepare signing: %d", status)
	}
	rev, err := e.db.Revision(context.Background(), id, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := e.mou(id)
	forged := testtool.FooterPDF(t, "Anything at all.", fmt.Sprintf("moudesk · %d rev 1 · %s · verify at https://x/verify", id, rev.ContentHash[:12]))
	status, body := e.upload(forged)
	if status != http.StatusOK {
		t.Fatalf("verify: %d %s", status, body)
	}
	ans := e.verifyText(forged)
	mm := ans.TextMismatch
	if ans.Match != nil || mm == nil || mm.Reason != "unknown_revision" || mm.Expected != "" {
		t.Fatalf("a revision under signature, by its footer: match %+v mismatch %+v", ans.Match, mm)
	}
	for _, secret := range []string{m.Title, rev.ContentHash, "MEMORANDUM"} {
		if strings.Contains(strings.ToUpper(string(body)), strings.ToUpper(secret)) {
			t.Errorf("the public verify answer shows %q of an MOU that is not executed:\n%s", secret, body)
		}
	}
}

// TestVerifyPageShowsUploadedNamesAsText: the public verify page shows
// what an uploaded file says about itself (the signer's certificate name,
// the signature's reason) as text, never as markup: anyone can upload a
// file signed by a certificate they made with a script in its name.
func TestVerifyPageShowsUploadedNamesAsText(t *testing.T) {
	e := newSignEnv(t)
	const payload = `<img src=x onerror="document.title='pwned'"><script>alert(1)</script>`
	now := time.Now()
	ca, err := pdfsign.NewCA("Evil CA "+payload, "evil", now)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := (&pdfsign.Keys{Authority: ca}).SignerFor("Mallory "+payload, "Evil "+payload, "m@evil.example", now)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := pdfsign.Sign(testtool.FooterPDF(t, "Any text.", "no footer"), signer, pdfsign.Request{Name: "Mallory " + payload, Reason: "Because " + payload, Time: now})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "evil.pdf")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(signed)
	mw.Close()
	res, err := http.Post(e.url+"/public/verify", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("verify page = %d\n%s", res.StatusCode, page)
	}
	if !strings.Contains(string(page), "Mallory &lt;img") {
		t.Fatalf("the verify page does not show the signer's name escaped:\n%s", page)
	}
	for _, raw := range []string{"<img src=x", "<script>alert"} {
		if strings.Contains(string(page), raw) {
			t.Errorf("the verify page carries the uploaded markup %q unescaped", raw)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("verify page CSP %q", csp)
	}
}
