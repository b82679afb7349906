package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/testtool"
)

// cli runs one moudesk command on db and returns its exit code and output.
func cli(t *testing.T, db string, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return map[string]string{"MOUDESK_DB": db}[k] }
	err := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errOut)
	var ee exitError
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &ee):
		return ee.code, out.String() + errOut.String() + ee.msg
	}
	t.Fatalf("moudesk %v: %v\n%s", args, err, errOut.String())
	return 0, ""
}

// TestServedMOUVerifiesAtLongAfterExpiry is issue 20's done-when through
// the command line: the demo's executed MOU, signed by `moudesk serve`
// with its built-in TSA, verifies with `moudesk verify --at` five years
// on (its signatories' certificates expired, the CA and TSA not yet), and
// — after `moudesk ltv refresh` by a TSA that outlives the date — ten
// years after its certificates expire; the same file without its LTV
// updates fails both checks. `moudesk ca revoke` then shows in verify.
// It runs in -short too (about 20 s, most of it the demo): CI runs only
// the short suite, and this is the check the issue is done by.
func TestServedMOUVerifiesAtLongAfterExpiry(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "moudesk.db")
	addr, _, stop := demoServer(t, db)
	var executed []byte
	for id := 1; id <= 20 && executed == nil; id++ {
		res, err := http.Get(fmt.Sprintf("http://%s/api/v1/mous/%d/signed.pdf", addr, id))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			executed = body
		}
	}
	if executed == nil {
		t.Fatal("the demo has no executed MOU")
	}
	crl, err := http.Get("http://" + addr + "/ca/crl")
	if err != nil || crl.StatusCode != http.StatusOK {
		t.Fatalf("GET /ca/crl: %v", err)
	}
	crl.Body.Close()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "executed.pdf")
	if err := os.WriteFile(file, executed, 0o644); err != nil {
		t.Fatal(err)
	}
	// The sealed file as it was before the DSS and document timestamp.
	cut := executed
	for range 3 {
		cut = cut[:bytes.LastIndex(cut, []byte("%%EOF"))]
	}
	bare := filepath.Join(dir, "bare.pdf")
	if err := os.WriteFile(bare, append(cut, "%%EOF\n"...), 0o644); err != nil {
		t.Fatal(err)
	}

	// A verifier elsewhere, years on: it trusts moudesk's CA certificate
	// but has no database, no CA keys and no CRL of its own — only what
	// the file carries.
	elsewhere := filepath.Join(t.TempDir(), "none.db")
	caPEM := filepath.Join(dir, "keys", "ca.pem")
	in5 := time.Now().AddDate(5, 0, 0).Format("2006-01-02")
	if code, out := cli(t, elsewhere, "verify", file, "--at", in5, "--trust", caPEM); code != 0 || !strings.Contains(out, "valid at signing time: yes; at "+in5+": valid") {
		t.Fatalf("B-LTA at %s: exit %d\n%s", in5, code, out)
	}
	if code, out := cli(t, elsewhere, "verify", bare, "--at", in5, "--trust", caPEM); code != 1 || !strings.Contains(out, "NOT VALID: no revocation data") {
		t.Fatalf("without LTV at %s: exit %d\n%s", in5, code, out)
	}

	// Ten years after the signatories' certificates (three years) expire.
	in13 := time.Now().AddDate(13, 0, 0).Format("2006-01-02")
	ossl := testtool.NewOpenSSLTSA(t, 20)
	if code, out := cli(t, db, "ltv", "refresh", file, "--tsa-url", "http://127.0.0.1:1/down,"+ossl.URL); code != 0 || !strings.Contains(out, "by OpenSSL Test TSA") {
		t.Fatalf("ltv refresh: exit %d\n%s", code, out)
	}
	for _, verifier := range []string{db, elsewhere} {
		if code, out := cli(t, verifier, "verify", file, "--at", in13, "--trust", caPEM, "--trust", ossl.RootPEM); code != 0 || strings.Contains(out, "NOT VALID") {
			t.Fatalf("refreshed B-LTA at %s: exit %d\n%s", in13, code, out)
		}
		if code, out := cli(t, verifier, "verify", bare, "--at", in13, "--trust", caPEM, "--trust", ossl.RootPEM); code != 1 {
			t.Fatalf("without LTV at %s: exit %d\n%s", in13, code, out)
		}
	}

	// Revoking a signatory's certificate after the fact: valid at signing
	// time, and says so.
	rep, err := pdfsign.Verify(context.Background(), executed, nil)
	if err != nil {
		t.Fatal(err)
	}
	serial := rep.Signatures[1].SignerSerial
	// After the fact means in a later second: CRLs and timestamps count
	// whole seconds, and a revocation in the signature's own second cannot
	// be told from one before it (the verifier rightly says invalid). The
	// demo signs when the server starts, often within this second.
	if wait := time.Until(rep.Signatures[1].Time.Truncate(time.Second).Add(time.Second)); wait > 0 {
		time.Sleep(wait)
	}
	if code, out := cli(t, db, "ca", "revoke", "--serial", serial, "--reason", "keyCompromise"); code != 0 {
		t.Fatalf("ca revoke: exit %d\n%s", code, out)
	}
	if code, out := cli(t, db, "verify", file); code != 0 || !strings.Contains(out, "after signing: valid at signing time") {
		t.Fatalf("verify after revocation: exit %d\n%s", code, out)
	}
}
