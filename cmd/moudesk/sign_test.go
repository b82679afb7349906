package main

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/testtool"
)

// chromiumPDF prints an HTML page with headless Chromium: a PDF from
// another producer (Skia), with its own object layout.
func chromiumPDF(t *testing.T, dir string) string {
	t.Helper()
	bin := testtool.Need(t, "chromium", "chromium")
	page := filepath.Join(dir, "page.html")
	html := `<!doctype html><meta charset="utf-8"><title>Joint use agreement</title>
<h1>Joint Use Agreement</h1><p>The City and the District share the gymnasium after school hours. Zoë Peña signs for the District.</p>
<p style="page-break-before: always">Second page: insurance and indemnification.</p>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "chromium.pdf")
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+out, page)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, b)
	}
	return out
}

// TestSignOtherProducers signs, twice each, a PDF printed by Chromium and
// the same PDF rewritten by qpdf with object streams and a cross-reference
// stream; pdfsig, trusting the CA that `moudesk ca export` writes, calls
// every signature valid and trusted, qpdf accepts every file, and
// `moudesk verify` exits 0.
func TestSignOtherProducers(t *testing.T) {
	qpdf := testtool.Need(t, "qpdf", "qpdf")
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "moudesk.db")
	chromium := chromiumPDF(t, dir)
	xrefStream := filepath.Join(dir, "xref-stream.pdf")
	if b, err := exec.Command(qpdf, "--object-streams=generate", chromium, xrefStream).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v\n%s", err, b)
	}
	if data, _ := os.ReadFile(xrefStream); !strings.Contains(string(data), "/XRef") {
		t.Fatal("qpdf wrote no cross-reference stream")
	}
	caPath := filepath.Join(dir, "ca.pem")
	if _, _, err := runCmd(t, db, "", "ca", "export", "-o", caPath); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "data", "keys", "ca-key.pem"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("CA key file: %v, %v", st, err)
	}
	caPEM, _ := os.ReadFile(caPath)
	b, _ := pem.Decode(caPEM)
	if b == nil {
		t.Fatalf("ca export wrote %q", caPEM)
	}
	nss := testtool.NSSDB(t, b.Bytes)
	for name, in := range map[string]string{"Chromium": chromium, "XRefStream": xrefStream} {
		t.Run(name, func(t *testing.T) {
			one, two := filepath.Join(dir, name+"-1.pdf"), filepath.Join(dir, name+"-2.pdf")
			if _, _, err := runCmd(t, db, "", "sign", in, "-o", one, "--name", "Ana Núñez", "--org", "City of Pleasanton", "--reason", "approved"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := runCmd(t, db, "", "sign", one, "-o", two, "--name", "Bo Lee"); err != nil {
				t.Fatal(err)
			}
			for i, p := range []string{one, two} {
				data, _ := os.ReadFile(p)
				testtool.QPDFCheck(t, data)
				out := testtool.PDFSig(t, nss, data)
				if n := strings.Count(out, "Signature is Valid."); n != i+1 {
					t.Errorf("%s: %d valid signatures, want %d:\n%s", p, n, i+1, out)
				}
				if n := strings.Count(out, "Certificate is Trusted."); n != i+1 {
					t.Errorf("%s: %d trusted, want %d:\n%s", p, n, i+1, out)
				}
				if !strings.Contains(out, "CN=Ana Núñez,O=City of Pleasanton") {
					t.Errorf("%s: signer not shown with name and organization:\n%s", p, out)
				}
			}
			out, _, err := runCmd(t, db, "", "verify", two, "--json")
			var rep struct {
				Signatures []struct {
					Valid, Trusted, CoversWholeFile bool
				}
			}
			if err != nil || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Signatures) != 2 || !rep.Signatures[1].CoversWholeFile {
				t.Fatalf("verify --json: %v\n%s", err, out)
			}
		})
	}
}

// TestVerifyExitCodes: 0 when every signature is valid, 1 naming each
// signature a changed byte broke, 2 for a file that is not a PDF. The file
// carries two signatories and a seal, as an executed MOU does, and pdfsig
// agrees with moudesk verify before and after the change.
func TestVerifyExitCodes(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "moudesk.db")
	src := filepath.Join(dir, "doc.md")
	os.WriteFile(src, []byte("# Agreement\n\nThe parties agree.\n"), 0o644)
	pdf := filepath.Join(dir, "doc.pdf")
	if _, _, err := runCmd(t, db, "", "render", src, "-o", pdf); err != nil {
		t.Fatal(err)
	}
	signed := pdf
	for i, who := range []string{"Ana Núñez", "Bo Lee", "moudesk Seal"} {
		next := filepath.Join(dir, fmt.Sprintf("signed-%d.pdf", i+1))
		if _, _, err := runCmd(t, db, "", "sign", signed, "-o", next, "--name", who); err != nil {
			t.Fatal(err)
		}
		signed = next
	}
	out, _, err := runCmd(t, db, "", "verify", signed)
	if exitCode(err) != 0 || strings.Count(out, "valid, trusted") != 3 || !strings.Contains(out, "3. Signature3 — moudesk Seal") {
		t.Fatalf("verify of a good file: exit %d\n%s", exitCode(err), out)
	}
	caPath := filepath.Join(dir, "ca.pem")
	if _, _, err := runCmd(t, db, "", "ca", "export", "-o", caPath); err != nil {
		t.Fatal(err)
	}
	caPEM, _ := os.ReadFile(caPath)
	b, _ := pem.Decode(caPEM)
	nss := testtool.NSSDB(t, b.Bytes)
	data, _ := os.ReadFile(signed)
	testtool.QPDFCheck(t, data)
	if res := testtool.PDFSig(t, nss, data); strings.Count(res, "Signature is Valid.") != 3 || strings.Count(res, "Certificate is Trusted.") != 3 {
		t.Fatalf("pdfsig before the change:\n%s", res)
	}
	i := strings.Index(string(data), "/Producer")
	data[i+1] ^= 0x20
	bad := filepath.Join(dir, "bad.pdf")
	os.WriteFile(bad, data, 0o644)
	if res := testtool.PDFSig(t, nss, data); strings.Contains(res, "Signature is Valid.") || strings.Count(res, "Digest Mismatch") != 3 {
		t.Fatalf("pdfsig after the change:\n%s", res)
	}
	out, _, err = runCmd(t, db, "", "verify", bad)
	if exitCode(err) != 1 || strings.Count(out, "INVALID: digest mismatch") != 3 ||
		!strings.Contains(out, "1. Signature1 — Ana Núñez") || !strings.Contains(out, "2. Signature2 — Bo Lee") {
		t.Fatalf("verify of a changed file: exit %d, want 1 naming each signature\n%s", exitCode(err), out)
	}
	for name, content := range map[string][]byte{"text.pdf": []byte("hello"), "truncated.pdf": data[:len(data)/3]} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, content, 0o644)
		if _, _, err := runCmd(t, db, "", "verify", p); exitCode(err) != 2 {
			t.Errorf("verify %s: exit %d, want 2", name, exitCode(err))
		}
	}
	if _, _, err := runCmd(t, db, "", "verify", filepath.Join(dir, "missing.pdf")); exitCode(err) != 2 {
		t.Errorf("verify of a missing file: exit %d, want 2", exitCode(err))
	}
}

// TestConfiguredKeys: an organization's own CA (PEM) issues the signers'
// certificates and is what ca export writes; an organization's signing
// certificate (PKCS#12) signs as itself. pdfsig trusts both through the
// organization's root, and no moudesk CA is created.
func TestConfiguredKeys(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "moudesk.db")
	now := time.Now()
	orgCA, err := pdfsign.NewCA("Pleasanton Root CA", "City of Pleasanton", now)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(orgCA.Key)
	if err != nil {
		t.Fatal(err)
	}
	caCert, caKey := filepath.Join(dir, "org-ca.pem"), filepath.Join(dir, "org-ca-key.pem")
	os.WriteFile(caCert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: orgCA.Cert.Raw}), 0o600)
	os.WriteFile(caKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	leaf, err := orgCA.Issue("City Clerk's Office", "City of Pleasanton", "", now)
	if err != nil {
		t.Fatal(err)
	}
	p12, err := pkcs12.Modern.Encode(leaf.Key, leaf.Cert, leaf.Chain, "")
	if err != nil {
		t.Fatal(err)
	}
	p12Path := filepath.Join(dir, "clerk.p12")
	os.WriteFile(p12Path, p12, 0o600)

	exported, _, err := runCmd(t, db, "", "ca", "export", "--signing-cert", caCert, "--signing-key", caKey)
	if b, _ := pem.Decode([]byte(exported)); err != nil || b == nil || !bytes.Equal(b.Bytes, orgCA.Cert.Raw) {
		t.Fatalf("ca export with an organization's CA: %v\n%s", err, exported)
	}
	src := filepath.Join(dir, "doc.md")
	os.WriteFile(src, []byte("# Agreement\n\nThe parties agree.\n"), 0o644)
	pdf, one, two := filepath.Join(dir, "doc.pdf"), filepath.Join(dir, "one.pdf"), filepath.Join(dir, "two.pdf")
	if _, _, err := runCmd(t, db, "", "render", src, "-o", pdf); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, db, "", "sign", pdf, "-o", one, "--name", "Ana Núñez", "--org", "City of Pleasanton", "--signing-cert", caCert, "--signing-key", caKey); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, db, "", "sign", one, "-o", two, "--name", "Bo Lee", "--signing-p12", p12Path); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(two)
	out := testtool.PDFSig(t, testtool.NSSDB(t, orgCA.Cert.Raw), data)
	if strings.Count(out, "Signature is Valid.") != 2 || strings.Count(out, "Certificate is Trusted.") != 2 ||
		!strings.Contains(out, "CN=Ana Núñez,O=City of Pleasanton") || !strings.Contains(out, "Common Name: City Clerk's Office") {
		t.Fatalf("pdfsig:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "keys")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a moudesk CA was created although keys are configured: %v", err)
	}
	if _, _, err := runCmd(t, db, "", "sign", pdf, "-o", one, "--name", "X", "--signing-cert", caCert); exitCode(err) == 0 {
		t.Error("--signing-cert without --signing-key was accepted")
	}
}
