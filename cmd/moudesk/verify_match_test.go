package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/testtool"
)

// TestVerifyAgainstDatabase: with a database, `moudesk verify` also says
// which recorded revision a file is: the demo's executed MOU as served (by
// bytes), re-saved by qpdf (by text), with a word altered (a text
// mismatch); and a validly signed document that carries the executed
// revision's footer exits 1, where without the footer it exits 0.
func TestVerifyAgainstDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "moudesk.db")
	addr, _, stop := demoServer(t, db)
	var signed []byte
	for id := 1; id <= 5 && signed == nil; id++ {
		res, err := http.Get(fmt.Sprintf("http://%s/api/v1/mous/%d/signed.pdf", addr, id))
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode == http.StatusOK {
			signed, _ = io.ReadAll(res.Body)
		}
		res.Body.Close()
	}
	if signed == nil {
		t.Fatal("the demo has no executed MOU with a signed PDF")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	file := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	resign := func(name string, data []byte) string {
		t.Helper()
		out := filepath.Join(dir, name)
		if _, _, err := runCmd(t, db, "", "sign", file("in-"+name, data), "-o", out, "--name", "Pat Copyist"); err != nil {
			t.Fatalf("sign %s: %v", name, err)
		}
		return out
	}
	verify := func(path string) (verifyOutput, string, int) {
		t.Helper()
		out, _, err := runCmd(t, db, "", "verify", path, "--json")
		var v verifyOutput
		if jerr := json.Unmarshal([]byte(out), &v); jerr != nil {
			t.Fatalf("verify --json %s: %v\n%s", path, jerr, out)
		}
		text, _, _ := runCmd(t, db, "", "verify", path)
		return v, text, exitCode(err)
	}

	v, text, code := verify(file("signed.pdf", signed))
	if code != 0 || v.Match == nil || v.Match.Method != "bytes" || !v.Match.Executed || !strings.Contains(text, "recorded: MOU") {
		t.Fatalf("the served PDF: exit %d %+v\n%s", code, v.Match, text)
	}
	id, rev := v.Match.MOUID, v.Match.Revision

	// Re-saved by qpdf: the old signatures no longer cover the file
	// (exit 1), but its text is the recorded revision's.
	v, text, code = verify(file("resaved.pdf", testtool.QPDFResave(t, signed, "--object-streams=generate")))
	if code != 1 || v.Match == nil || v.Match.Method != "text" || v.Match.MOUID != id || v.Match.Revision != rev || v.TextMismatch != nil ||
		!strings.Contains(text, "its text is the recorded text") {
		t.Fatalf("re-saved: exit %d %+v %+v\n%s", code, v.Match, v.TextMismatch, text)
	}

	pages := strings.Fields(testtool.PDFText(t, signed))
	word := ""
	for _, w := range pages[len(pages)/3:] {
		if len(w) >= 6 && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == "" {
			word = w
			break
		}
	}
	v, text, code = verify(file("altered.pdf", testtool.EditPDFText(t, signed, word, strings.ToUpper(word))))
	if code != 1 || v.Match != nil || v.TextMismatch == nil || v.TextMismatch.Reason != "text_differs" || v.TextMismatch.MOUID != id ||
		!strings.Contains(v.TextMismatch.Found, strings.ToUpper(word)) || !strings.Contains(text, "ALTERED") {
		t.Fatalf("altered %q: exit %d %+v %+v\n%s", word, code, v.Match, v.TextMismatch, text)
	}

	// A document of its own, validly signed: exit 0 while it names no
	// revision, exit 1 once it carries the footer of the executed one.
	footer := fmt.Sprintf("moudesk · %d rev %d · %s · verify at https://x/verify", id, rev, v.TextMismatch.ContentHash[:12])
	for _, tc := range []struct {
		footer string
		code   int
	}{{"", 0}, {footer, 1}} {
		path := resign("own.pdf", testtool.FooterPDF(t, "The City pays the District one million dollars.", tc.footer))
		v, text, code = verify(path)
		if code != tc.code || v.Match != nil || (tc.footer != "") != (v.TextMismatch != nil) || strings.Count(text, "valid, trusted") != 1 {
			t.Errorf("own document with footer %q: exit %d, want %d; %+v\n%s", tc.footer, code, tc.code, v.TextMismatch, text)
		}
	}

	// Without a database the text is not compared, and the exit code is
	// the signatures' alone.
	out, _, err := runCmd(t, filepath.Join(dir, "none", "moudesk.db"), "", "verify", filepath.Join(dir, "own.pdf"))
	if exitCode(err) != 0 || !strings.Contains(out, "not compared") {
		t.Fatalf("forged copy without a database: exit %d\n%s", exitCode(err), out)
	}
}
