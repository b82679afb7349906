package pdfsign

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

func TestAuthorityFiles(t *testing.T) {
	now := time.Now()
	ca, err := NewCA("moudesk CA", "moudesk", now)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := ca.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, caKeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode(), err)
	}
	loaded, err := LoadAuthority(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := loaded.Issue("Pat Signer", "City", "pat@example.org", now)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	if _, err := s.Cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}); err != nil {
		t.Fatalf("issued certificate does not chain to the saved CA: %v", err)
	}
	if s.Cert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
		t.Errorf("key usage %v", s.Cert.KeyUsage)
	}
	if _, err := LoadAuthority(t.TempDir()); err == nil {
		t.Error("LoadAuthority of an empty directory succeeded")
	}
}

func TestLoadSignerFormats(t *testing.T) {
	now := time.Now()
	ca, _ := NewCA("CA", "", now)
	s, _ := ca.Issue("Kim", "", "", now)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(s.Key)
	certPEM := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Cert.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})...)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	t.Run("PEM", func(t *testing.T) {
		got, err := LoadPEM(certPEM, keyPEM)
		if err != nil || len(got.Chain) != 1 || !got.Cert.Equal(s.Cert) {
			t.Fatalf("LoadPEM: %v %+v", err, got)
		}
	})
	t.Run("PEMWrongKey", func(t *testing.T) {
		other, _ := ca.Issue("Other", "", "", now)
		od, _ := x509.MarshalPKCS8PrivateKey(other.Key)
		if _, err := LoadPEM(certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: od})); err == nil {
			t.Fatal("mismatched key accepted")
		}
	})
	t.Run("PKCS12Modern", func(t *testing.T) {
		p12, err := pkcs12.Modern.Encode(s.Key, s.Cert, []*x509.Certificate{ca.Cert}, "secret")
		if err != nil {
			t.Fatal(err)
		}
		got, err := LoadPKCS12(p12, "secret")
		if err != nil || len(got.Chain) != 1 || !got.Cert.Equal(s.Cert) {
			t.Fatalf("LoadPKCS12: %v", err)
		}
		if _, err := LoadPKCS12(p12, "wrong"); err == nil {
			t.Fatal("wrong password accepted")
		}
	})
}
