package web

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/teststore"
)

// TestCRLAndRevocationInVerify: /ca/crl serves the CA's CRL, signed by
// it, listing what `moudesk ca revoke` revoked; the verify API reports a
// signer revoked after signing as valid at signing time, one revoked
// before as invalid, with each signature's timestamp and TSA.
func TestCRLAndRevocationInVerify(t *testing.T) {
	now := time.Now()
	ca, err := pdfsign.NewCA("moudesk Test CA", "moudesk", now)
	if err != nil {
		t.Fatal(err)
	}
	ca.Dir = t.TempDir()
	tsa, err := ca.LoadOrIssueTSA(now)
	if err != nil {
		t.Fatal(err)
	}
	keys := &pdfsign.Keys{Authority: ca, TSA: tsa}
	db := teststore.Open(t)
	svc, err := desk.New(desk.Config{Store: db, Workflows: shipped.Workflows(t), Templates: shipped.Templates(t), Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(validateAPI(t, New(Config{Service: svc, Hasher: testHasher, PublicURL: testPublicURL}).Handler()))
	defer ts.Close()

	res, err := pdfRender(t)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(pdf []byte, name string) ([]byte, *pdfsign.Signer) {
		s, err := keys.SignerFor(name, "City of Pleasanton", "", now)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pdfsign.Sign(pdf, s, pdfsign.Request{Name: name, Time: now})
		if err != nil {
			t.Fatal(err)
		}
		return out, s
	}
	pdf, early := sign(res, "Avery Lindqvist")
	pdf, late := sign(pdf, "Jordan Whitcombe")
	if _, err := ca.Revoke(early.Cert.SerialNumber.String(), pdfsign.ReasonCodes["keyCompromise"], now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.Revoke(late.Cert.SerialNumber.String(), pdfsign.ReasonCodes["superseded"], now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get(ts.URL + "/ca/crl")
	if err != nil {
		t.Fatal(err)
	}
	der, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pkix-crl" {
		t.Fatalf("GET /ca/crl = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(ca.Cert); err != nil || len(crl.RevokedCertificateEntries) != 2 {
		t.Fatalf("CRL: %v, %d entries", err, len(crl.RevokedCertificateEntries))
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "signed.pdf")
	_, _ = fw.Write(pdf)
	_ = mw.Close()
	resp, err = http.Post(ts.URL+"/api/v1/verify", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans verifyAnswer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("verify = %d: %v", resp.StatusCode, err)
	}
	if len(ans.Signatures) != 2 {
		t.Fatalf("%d signatures", len(ans.Signatures))
	}
	first, second := ans.Signatures[0], ans.Signatures[1]
	for _, s := range ans.Signatures {
		if !s.Valid || s.TimeSource != "timestamp" || s.Timestamp == nil || s.Timestamp.TSA != "moudesk Time-Stamping Authority" {
			t.Errorf("%s: %+v", s.Signer, s)
		}
	}
	if first.ValidAtSigning || first.ValidNow || !strings.Contains(first.Revocation, "before signing") {
		t.Errorf("signer revoked before signing: %+v", first)
	}
	if !second.ValidAtSigning || !strings.Contains(second.Revocation, "after signing: valid at signing time") {
		t.Errorf("signer revoked after signing: %+v", second)
	}
}

// pdfRender makes a one-page PDF to sign.
func pdfRender(t *testing.T) ([]byte, error) {
	t.Helper()
	res, err := render.PDF([]byte("# MOU\n\nThe parties agree.\n"), render.Options{Title: "MOU"})
	if err != nil {
		return nil, err
	}
	return res.PDF, nil
}
