package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/testtool"
)

// textAnswer is the part of the verify answer text matching adds to.
type textAnswer struct {
	AllValid bool `json:"all_valid"`
	Match    *struct {
		MOUID       int64  `json:"mou_id"`
		Revision    int    `json:"revision"`
		ContentHash string `json:"content_hash"`
		Executed    bool   `json:"executed"`
		Stage       string `json:"stage"`
		Step        string `json:"step"`
		Exact       bool   `json:"exact"`
		Method      string `json:"method"`
	} `json:"match"`
	TextMismatch *struct {
		MOUID       int64  `json:"mou_id"`
		Revision    int    `json:"revision"`
		ContentHash string `json:"content_hash"`
		Reason      string `json:"reason"`
		Message     string `json:"message"`
		Word        int    `json:"word"`
		Expected    string `json:"expected"`
		Found       string `json:"found"`
	} `json:"text_mismatch"`
}

func (e *signEnv) verifyText(data []byte) textAnswer {
	e.t.Helper()
	var ans textAnswer
	status, body := e.upload(data)
	if status != http.StatusOK || jsonInto(e.t, body, &ans) != nil {
		e.t.Fatalf("verify: %d %s", status, body)
	}
	return ans
}

// verifyPage posts data to the public verify page and returns its HTML.
func (e *signEnv) verifyPage(data []byte) string {
	e.t.Helper()
	status, body := e.postFile("/public/verify", data)
	if status != http.StatusOK {
		e.t.Fatalf("POST /public/verify: %d %s", status, body)
	}
	return html.UnescapeString(string(body))
}

// executed runs an MOU through approval and all four signatures, and
// returns it with its signed PDF and content hash.
func (e *signEnv) executed() (int64, []byte, string) {
	e.t.Helper()
	id := e.approved()
	e.assignAll(id)
	rev, err := e.db.Revision(context.Background(), id, 1)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range []signatory{e.chief, e.superintendent, e.manager, e.president} {
		e.sign(s, id, nil, http.StatusCreated)
	}
	e.at(id, "executed")
	status, _, signed := e.get("", fmt.Sprintf("/api/v1/mous/%d/signed.pdf", id))
	if status != http.StatusOK {
		e.t.Fatalf("signed.pdf: %d", status)
	}
	return id, signed, rev.ContentHash
}

// TestVerifyByText: verification recognises a copy of an executed MOU by
// its text when its bytes are no stored PDF, and flags a copy whose text
// was changed as a mismatch of the revision it names.
func TestVerifyByText(t *testing.T) {
	e := newSignEnv(t)
	id, signed, hash := e.executed()

	t.Run("Bytes", func(t *testing.T) {
		ans := e.verifyText(signed)
		if !ans.AllValid || ans.Match == nil || ans.Match.Method != "bytes" || !ans.Match.Exact || ans.TextMismatch != nil {
			t.Fatalf("the signed PDF itself: %+v %+v", ans.Match, ans.TextMismatch)
		}
	})

	// qpdf rewrites every object into object streams: other bytes, same
	// words. Its signatures no longer cover the file, but its text is the
	// executed revision's.
	t.Run("Resaved", func(t *testing.T) {
		resaved := testtool.QPDFResave(t, signed, "--object-streams=generate")
		if bytes.Equal(resaved, signed) || bytes.HasPrefix(resaved, signed[:len(signed)/2]) {
			t.Fatal("qpdf did not rewrite the file")
		}
		ans := e.verifyText(resaved)
		m := ans.Match
		if m == nil || m.Method != "text" || m.MOUID != id || m.Revision != 1 || m.ContentHash != hash || !m.Executed || m.Stage != "executed" || m.Exact || ans.TextMismatch != nil {
			t.Fatalf("re-saved copy: match %+v mismatch %+v", m, ans.TextMismatch)
		}
	})

	// Printed to PDF (pdftocairo draws the signatures' appearances into
	// the pages, and writes its own fonts): same text.
	t.Run("Printed", func(t *testing.T) {
		bin := testtool.Need(t, "pdftocairo", "poppler-utils")
		out := filepath.Join(t.TempDir(), "printed.pdf")
		if b, err := exec.Command(bin, "-pdf", testtool.WriteTemp(t, "signed.pdf", signed), out).CombinedOutput(); err != nil {
			t.Fatalf("pdftocairo: %v\n%s", err, b)
		}
		printed, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		ans := e.verifyText(printed)
		if m := ans.Match; m == nil || m.Method != "text" || m.MOUID != id || !m.Executed || ans.TextMismatch != nil {
			t.Fatalf("printed copy: match %+v mismatch %+v", m, ans.TextMismatch)
		}
	})

	// The certificate of completion names the revision too; re-saved, it
	// matches as the certificate.
	t.Run("ResavedCertificate", func(t *testing.T) {
		status, _, cert := e.get("", fmt.Sprintf("/api/v1/mous/%d/certificate.pdf", id))
		if status != http.StatusOK {
			t.Fatalf("certificate.pdf: %d", status)
		}
		ans := e.verifyText(testtool.QPDFResave(t, cert, "--object-streams=generate"))
		if m := ans.Match; m == nil || m.Method != "text" || m.Step != "certificate" || m.MOUID != id || ans.TextMismatch != nil {
			t.Fatalf("re-saved certificate: match %+v mismatch %+v", m, ans.TextMismatch)
		}
		if page := e.verifyPage(testtool.QPDFResave(t, signed, "--object-streams=generate")); !strings.Contains(page, "Same words, different file.") || strings.Contains(page, "Not authentic") {
			t.Errorf("verify page of a re-saved copy:\n%s", page)
		}
	})

	// One word changed in a shown string, the file re-saved: the text
	// names revision 1 of this MOU but is not it.
	t.Run("Altered", func(t *testing.T) {
		altered := testtool.EditPDFText(t, signed, "2028", "2031")
		ans := e.verifyText(altered)
		mm := ans.TextMismatch
		if ans.Match != nil || mm == nil || mm.Reason != "text_differs" || mm.MOUID != id || mm.Revision != 1 || mm.ContentHash != hash ||
			mm.Word < 1 || !strings.Contains(mm.Expected, "2028") || !strings.Contains(mm.Found, "2031") || strings.Contains(mm.Found, "2028") {
			t.Fatalf("altered copy: match %+v mismatch %+v", ans.Match, mm)
		}
		// The public page says it in words.
		page := e.verifyPage(altered)
		for _, want := range []string{"Not authentic.", fmt.Sprintf("MOU %d revision 1", id), "June 30, 2031", "June 30, 2028"} {
			if !strings.Contains(page, want) {
				t.Errorf("verify page lacks %q:\n%s", want, page)
			}
		}
	})

	// A document of its own that copies the footer line: a forgery of
	// revision 1, and of a revision that does not exist.
	t.Run("ForgedFooter", func(t *testing.T) {
		forged := testtool.FooterPDF(t, "The City pays the District one million dollars.", fmt.Sprintf("moudesk · %d rev 1 · %s · verify at https://x/verify", id, hash[:12]))
		ans := e.verifyText(forged)
		if ans.Match != nil || ans.TextMismatch == nil || ans.TextMismatch.Reason != "text_differs" || ans.TextMismatch.MOUID != id || ans.TextMismatch.Word != 1 {
			t.Fatalf("forged copy: match %+v mismatch %+v", ans.Match, ans.TextMismatch)
		}
		other := testtool.FooterPDF(t, "Anything.", fmt.Sprintf("moudesk · %d rev 9 · %s · verify at https://x/verify", id, hash[:12]))
		ans = e.verifyText(other)
		if ans.Match != nil || ans.TextMismatch == nil || ans.TextMismatch.Reason != "unknown_revision" || ans.TextMismatch.Revision != 9 {
			t.Fatalf("copy naming revision 9: match %+v mismatch %+v", ans.Match, ans.TextMismatch)
		}
		wrongHash := testtool.FooterPDF(t, "Anything.", fmt.Sprintf("moudesk · %d rev 1 · 000000000000 · verify at https://x/verify", id))
		if ans = e.verifyText(wrongHash); ans.TextMismatch == nil || ans.TextMismatch.Reason != "unknown_revision" {
			t.Fatalf("copy naming another content hash: match %+v mismatch %+v", ans.Match, ans.TextMismatch)
		}
	})

	// A truncated copy is refused cleanly, not matched.
	t.Run("Truncated", func(t *testing.T) {
		if status, body := e.upload(signed[:len(signed)/2]); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "not_pdf") {
			t.Fatalf("truncated copy: %d %s", status, body)
		}
	})

	// PDFs that name no revision match nothing and are not called altered.
	t.Run("Unrelated", func(t *testing.T) {
		for name, pdf := range map[string][]byte{
			"gofpdf":   testtool.FooterPDF(t, "Minutes of the parks committee.", ""),
			"chromium": testtool.ChromiumPDF(t, `<!doctype html><meta charset="utf-8"><h1>Joint Use Agreement</h1><p>The City and the District share the gym.</p>`),
		} {
			if ans := e.verifyText(pdf); ans.Match != nil || ans.TextMismatch != nil {
				t.Errorf("%s: match %+v mismatch %+v", name, ans.Match, ans.TextMismatch)
			}
		}
	})
}
