package main

import (
	"context"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/moudesk/moudesk/internal/pdfsign"
)

// listFlag is a flag that may be given several times, each value also a
// comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// tsaFlags choose the time-stamping authority: TSAs over HTTP tried in
// order, else moudesk's built-in one.
type tsaFlags struct {
	urls     *listFlag
	user     *string
	timeout  *time.Duration
	optional *bool
}

func (e *env) tsaFlags(fs *flag.FlagSet) tsaFlags {
	urls := &listFlag{}
	_ = urls.Set(e.getenv("MOUDESK_TSA_URL"))
	fs.Var(urls, "tsa-url", "RFC 3161 time-stamping authority URL (repeatable or comma-separated, tried in order; default: moudesk's built-in TSA); password in MOUDESK_TSA_PASSWORD")
	return tsaFlags{
		urls:     urls,
		user:     fs.String("tsa-user", e.getenv("MOUDESK_TSA_USER"), "HTTP basic-auth user for --tsa-url"),
		timeout:  fs.Duration("tsa-timeout", 10*time.Second, "how long to wait for each TSA"),
		optional: fs.Bool("tsa-optional", false, "when the TSA fails, sign without a timestamp (verification then says so) instead of refusing with 503"),
	}
}

// attachTSA gives keys their TSA: the configured URLs, else the built-in
// TSA of moudesk's CA (its key beside the CA's), else none (a fixed
// signing certificate without a TSA signs PAdES B-B).
func (e *env) attachTSA(keys *pdfsign.Keys, tf tsaFlags) error {
	switch {
	case len(*tf.urls) > 0:
		keys.TSA = &pdfsign.HTTPTSA{URLs: *tf.urls, Username: *tf.user, Password: e.getenv("MOUDESK_TSA_PASSWORD"), Timeout: *tf.timeout}
	case keys.Authority != nil:
		tsa, err := keys.Authority.LoadOrIssueTSA(time.Now())
		if err != nil {
			return err
		}
		keys.TSA = tsa
	default:
		fmt.Fprintln(e.stderr, "no --tsa-url and no CA of moudesk's own: signatures carry no timestamp (PAdES B-B)")
		return nil
	}
	if *tf.optional {
		keys.TSA = pdfsign.OptionalTSA{TSA: keys.TSA}
	}
	return nil
}

// caRevoke runs "moudesk ca revoke --serial N --reason R".
func (e *env) caRevoke(args []string) error {
	fs := e.flags("ca revoke")
	serial := fs.String("serial", "", "serial number of the certificate to revoke (decimal, or 0x hex)")
	reason := fs.String("reason", "unspecified", "RFC 5280 reason: "+strings.Join(reasonNames(), ", "))
	if _, err := parse(fs, args); err != nil {
		return err
	}
	code, ok := pdfsign.ReasonCodes[*reason]
	if *serial == "" || !ok {
		return exitError{code: 2, msg: "usage: moudesk ca revoke --serial N [--reason " + strings.Join(reasonNames(), "|") + "]"}
	}
	ca, err := pdfsign.LoadAuthority(e.keysDir())
	if err != nil {
		return err
	}
	r, err := ca.Revoke(*serial, code, time.Now())
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	fmt.Fprintf(e.stdout, "revoked serial %s (%s) as of %s; the CRL at /ca/crl lists it from now on\n", r.Serial, *reason, r.Time.Format(time.RFC3339))
	return nil
}

// caCRL runs "moudesk ca crl [-o FILE]": the CA's current CRL, PEM.
func (e *env) caCRL(args []string) error {
	fs := e.flags("ca crl")
	out := fs.String("o", "", "output file (default standard output)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	ca, err := pdfsign.LoadAuthority(e.keysDir())
	if err != nil {
		return err
	}
	der, err := ca.CRL(time.Now())
	if err != nil {
		return err
	}
	w, closeOut, err := e.output(*out)
	if err != nil {
		return err
	}
	_, err = w.Write(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}))
	return errors.Join(err, closeOut())
}

func reasonNames() []string {
	var names []string
	for n := range pdfsign.ReasonCodes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ltvCmd runs "moudesk ltv refresh FILE [-o OUT]": it appends the
// validation data of the file's newest timestamps (their TSAs' chains and
// CRLs) and a new document timestamp, so the file stays verifiable past
// the expiry of the last TSA certificate. Run it before that expiry (see
// the README); on a file without LTV it adds it.
func (e *env) ltvCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "refresh" {
		return exitError{code: 2, msg: "usage: moudesk ltv refresh FILE.pdf [-o OUT.pdf] [--tsa-url URL]"}
	}
	fs := e.flags("ltv refresh")
	out := fs.String("o", "", "output PDF (default: replace FILE)")
	kf := e.keyFlags(fs)
	tf := e.tsaFlags(fs)
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return exitError{code: 2, msg: "usage: moudesk ltv refresh FILE.pdf [-o OUT.pdf] [--tsa-url URL]"}
	}
	data, err := readLimited(pos[0], 100<<20)
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	keys, err := e.loadKeys(kf)
	if err != nil {
		return err
	}
	if err := e.attachTSA(keys, tf); err != nil {
		return err
	}
	if keys.TSA == nil {
		return exitError{code: 2, msg: "ltv refresh needs a TSA: give --tsa-url"}
	}
	now := time.Now()
	refreshed, err := pdfsign.AddLTV(ctx, data, keys.LTVOptions(now))
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	target := *out
	if target == "" {
		target = pos[0]
	}
	tmp := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".tmp")
	if err := os.WriteFile(tmp, refreshed, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	rep, err := pdfsign.Verify(ctx, refreshed, keys.Roots())
	if err != nil {
		return err
	}
	if n := len(rep.Signatures); n > 0 && rep.Signatures[n-1].DocumentTimestamp {
		last := rep.Signatures[n-1]
		fmt.Fprintf(e.stdout, "%s: document timestamp %s by %s; refresh again before %s\n", target,
			last.Time.UTC().Format(time.RFC3339), last.SignerName, last.Timestamp.CertExpires.UTC().Format("2006-01-02"))
	} else {
		fmt.Fprintf(e.stdout, "%s: validation data added; the TSA gave no document timestamp\n", target)
	}
	return nil
}
