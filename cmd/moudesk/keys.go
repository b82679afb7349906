package main

import (
	"context"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/moudesk/moudesk/internal/pdfsign"
)

// keyFlags are the options that replace moudesk's own CA with an
// organization's CA or signing certificate.
type keyFlags struct{ cert, key, p12 *string }

func (e *env) keyFlags(fs *flag.FlagSet) keyFlags {
	return keyFlags{
		cert: fs.String("signing-cert", e.getenv("MOUDESK_SIGNING_CERT"), "PEM certificate (then its chain) of an organization's CA or signing certificate"),
		key:  fs.String("signing-key", e.getenv("MOUDESK_SIGNING_KEY"), "PEM private key of --signing-cert"),
		p12:  fs.String("signing-p12", e.getenv("MOUDESK_SIGNING_P12"), "PKCS#12 file with an organization's CA or signing certificate; password in MOUDESK_SIGNING_P12_PASSWORD"),
	}
}

// loadKeys returns the configured keys, or else moudesk's own CA in the
// data folder, created on first use.
func (e *env) loadKeys(kf keyFlags) (*pdfsign.Keys, error) {
	var s *pdfsign.Signer
	switch {
	case *kf.p12 != "":
		data, err := os.ReadFile(*kf.p12)
		if err != nil {
			return nil, fmt.Errorf("signing key: %w", err)
		}
		if s, err = pdfsign.LoadPKCS12(data, e.getenv("MOUDESK_SIGNING_P12_PASSWORD")); err != nil {
			return nil, fmt.Errorf("signing key %s: %w", *kf.p12, err)
		}
	case *kf.cert != "" || *kf.key != "":
		if *kf.cert == "" || *kf.key == "" {
			return nil, errors.New("--signing-cert and --signing-key go together")
		}
		certPEM, err := os.ReadFile(*kf.cert)
		if err != nil {
			return nil, fmt.Errorf("signing certificate: %w", err)
		}
		keyPEM, err := os.ReadFile(*kf.key)
		if err != nil {
			return nil, fmt.Errorf("signing key: %w", err)
		}
		if s, err = pdfsign.LoadPEM(certPEM, keyPEM); err != nil {
			return nil, fmt.Errorf("signing key %s: %w", *kf.cert, err)
		}
	default:
		ca, err := e.authority()
		if err != nil {
			return nil, err
		}
		return &pdfsign.Keys{Authority: ca}, nil
	}
	return pdfsign.KeysFrom(s), nil
}

// ca runs "moudesk ca export -o FILE": the certificate readers must trust
// to show moudesk's signatures as trusted.
func (e *env) ca(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "revoke" {
		return e.caRevoke(args[1:])
	}
	if len(args) > 0 && args[0] == "crl" {
		return e.caCRL(args[1:])
	}
	if len(args) == 0 || args[0] != "export" {
		return exitError{code: 2, msg: "usage: moudesk ca export [-o ca.pem] | ca revoke --serial N [--reason R] | ca crl [-o crl.pem]"}
	}
	fs := e.flags("ca export")
	out := fs.String("o", "", "output file (default standard output)")
	kf := e.keyFlags(fs)
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	keys, err := e.loadKeys(kf)
	if err != nil {
		return err
	}
	w, closeOut, err := e.output(*out)
	if err != nil {
		return err
	}
	_, err = w.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: keys.RootCert().Raw}))
	return errors.Join(err, closeOut())
}
