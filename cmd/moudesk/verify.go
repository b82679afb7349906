package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/moudesk/moudesk/internal/pdfsign"
)

// verifyCmd runs "moudesk verify FILE.pdf": every signature, its
// timestamp and long-term validation data, judged now or --at a date;
// with a database, which recorded revision the file is. Exit 1 when a
// signature is broken (or, with --at, does not verify at that date).
func (e *env) verifyCmd(ctx context.Context, args []string) error {
	fs := e.flags("verify")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	at := fs.String("at", "", "judge validity as of this date (2006-01-02 or RFC 3339), e.g. after the certificates expired")
	trust := &listFlag{}
	fs.Var(trust, "trust", "PEM file of further trusted roots, e.g. an outside TSA's (repeatable)")
	kf := e.keyFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return exitError{code: 2, msg: "usage: moudesk verify FILE.pdf [--json] [--at DATE] [--trust ROOTS.pem]"}
	}
	opts := pdfsign.VerifyOptions{}
	if *at != "" {
		if opts.At, err = parseDate(*at); err != nil {
			return exitError{code: 2, msg: err.Error()}
		}
	}
	data, err := readLimited(pos[0], 100<<20)
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	// Trust the configured keys' root, else moudesk's own CA when it
	// exists (and hold its current CRL); verifying never creates a CA.
	roots := x509.NewCertPool()
	if *kf.cert != "" || *kf.p12 != "" {
		keys, err := e.loadKeys(kf)
		if err != nil {
			return exitError{code: 2, msg: err.Error()}
		}
		roots = keys.Roots()
	} else if ca, err := pdfsign.LoadAuthority(e.keysDir()); err == nil {
		roots = (&pdfsign.Keys{Authority: ca}).Roots()
		if crl, err := ca.CRL(time.Now()); err == nil {
			opts.CRLs = append(opts.CRLs, crl)
		}
	}
	for _, path := range *trust {
		b, err := os.ReadFile(path)
		if err != nil {
			return exitError{code: 2, msg: err.Error()}
		}
		if n := addPEMCerts(roots, b); n == 0 {
			return exitError{code: 2, msg: path + ": no PEM certificate"}
		}
	}
	opts.Roots = roots
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	rep, err := pdfsign.VerifyWith(ctx, data, opts)
	if err != nil {
		return exitError{code: 2, msg: fmt.Sprintf("%s: %v", pos[0], err)}
	}
	out, err := e.matchRecorded(ctx, data)
	if err != nil {
		return err
	}
	out.Report = rep
	if *asJSON {
		if err := json.NewEncoder(e.stdout).Encode(out); err != nil {
			return err
		}
	} else {
		if len(rep.Signatures) == 0 {
			fmt.Fprintf(e.stdout, "%s: no signatures\n", pos[0])
		}
		for i, s := range rep.Signatures {
			printSignature(e.stdout, i+1, s, rep.At, *at != "")
		}
		out.print(e.stdout)
	}
	if len(rep.Signatures) == 0 || (out.TextMismatch != nil && out.TextMismatch.Reason == "text_differs") {
		return exitError{code: 1}
	}
	for _, s := range rep.Signatures {
		if !s.Valid || (*at != "" && !s.ValidAt) {
			return exitError{code: 1}
		}
	}
	return nil
}

// printSignature says in words what verification found for one signature.
func printSignature(w io.Writer, n int, s pdfsign.SignatureInfo, at time.Time, atGiven bool) {
	state := "valid"
	if !s.Valid {
		state = "INVALID: " + s.Problem
	}
	trust := "untrusted issuer"
	if s.Trusted {
		trust = "trusted"
	}
	cover := "covers part of the file (later revisions follow)"
	if s.CoversWholeFile {
		cover = "covers the whole file"
	}
	kind := "signed"
	if s.DocumentTimestamp {
		kind = "document timestamp"
	}
	fmt.Fprintf(w, "%d. %s — %s — %s %s — %s, %s, %s\n", n, s.Field, s.SignerName, kind, s.Time.UTC().Format(time.RFC3339), state, trust, cover)
	switch ts := s.Timestamp; {
	case s.DocumentTimestamp:
	case ts == nil:
		fmt.Fprintln(w, "   time: claimed by the signer (no timestamp)")
	case ts.Problem != "":
		fmt.Fprintf(w, "   timestamp: %s by %s — %s\n", ts.Time.UTC().Format(time.RFC3339), ts.TSA, ts.Problem)
	default:
		fmt.Fprintf(w, "   timestamp: %s by %s\n", ts.Time.UTC().Format(time.RFC3339), ts.TSA)
	}
	if s.SignerSerial != "" {
		fmt.Fprintf(w, "   certificate serial: %s\n", s.SignerSerial)
	}
	fmt.Fprintf(w, "   chain embedded: %s, revocation data embedded: %s, revocation: %s\n", yesNo(s.ChainEmbedded), yesNo(s.RevocationEmbedded), s.Revocation)
	when := "now"
	if atGiven {
		when = "at " + at.UTC().Format("2006-01-02")
	}
	verdict := "valid"
	if !s.ValidAt {
		verdict = "NOT VALID: " + s.AtProblem
	}
	fmt.Fprintf(w, "   valid at signing time: %s; %s: %s\n", yesNo(s.ValidAtSigning), when, verdict)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// parseDate reads --at: a date (midnight UTC) or an RFC 3339 time.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at %q: want 2006-01-02 or RFC 3339", s)
	}
	return t, nil
}

// addPEMCerts adds every PEM certificate in b to pool and counts them.
func addPEMCerts(pool *x509.CertPool, b []byte) int {
	n := 0
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return n
		}
		if c, err := x509.ParseCertificate(blk.Bytes); err == nil && blk.Type == "CERTIFICATE" {
			pool.AddCert(c)
			n++
		}
	}
}
