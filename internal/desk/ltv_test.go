package desk_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/testtool"
)

// withKeys replaces the env's service by one signing with keys.
func (e *env) withKeys(keys *pdfsign.Keys) {
	e.t.Helper()
	svc, err := desk.New(desk.Config{Store: e.db, Workflows: shipped.Workflows(e.t), Templates: shipped.Templates(e.t), Keys: keys})
	if err != nil {
		e.t.Fatal(err)
	}
	e.svc = svc
}

// builtinTSAKeys are a fresh CA (recording revocations in a temporary
// folder, its CRL at the public address) with moudesk's built-in TSA.
func builtinTSAKeys(t *testing.T) *pdfsign.Keys {
	t.Helper()
	ca, err := pdfsign.NewCA("moudesk Test CA", "moudesk", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ca.Dir, ca.CRLURL = t.TempDir(), "https://moudesk.example.org/ca/crl"
	tsa, err := ca.LoadOrIssueTSA(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &pdfsign.Keys{Authority: ca, TSA: tsa}
}

// signAll signs every line of MOU id and returns the executed PDF.
func (e *env) signAll(id int64) []byte {
	e.t.Helper()
	for _, p := range []*auth.Principal{e.chief, e.superintendent, e.manager, e.president} {
		if _, err := e.sign(p, id); err != nil {
			e.t.Fatal(err)
		}
	}
	sealed, err := e.svc.SignedPDF(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return sealed.PDF
}

// withoutLastRevisions cuts the last n incremental updates off pdf.
func withoutLastRevisions(t *testing.T, pdf []byte, n int) []byte {
	t.Helper()
	end := len(pdf)
	for range n + 1 {
		i := bytes.LastIndex(pdf[:end], []byte("%%EOF"))
		if i < 0 {
			t.Fatal("fewer revisions than expected")
		}
		end = i
	}
	return pdf[:end+len("%%EOF\n")]
}

// TestExecutedMOUVerifiesLongTerm is issue 20's done-when: an MOU signed
// through the service with moudesk's built-in TSA comes out B-LTA, and
// once refreshed by a TSA whose certificate outlives the date (as `moudesk
// ltv refresh` does before the last TSA certificate expires) it verifies
// ten years after its signatories' certificates expire — every signature
// valid through its timestamp and the embedded chains and CRLs. The same
// file without the LTV updates fails that check.
func TestExecutedMOUVerifiesLongTerm(t *testing.T) {
	e := newEnv(t)
	keys := builtinTSAKeys(t)
	e.withKeys(keys)
	executed := e.signAll(e.approved())
	testtool.QPDFCheck(t, executed)

	rep, err := pdfsign.VerifyWith(e.ctx, executed, pdfsign.VerifyOptions{Roots: keys.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.DSS || !rep.Signatures[len(rep.Signatures)-1].DocumentTimestamp {
		t.Fatalf("the executed PDF has no DSS or document timestamp: %+v", rep)
	}
	for _, s := range rep.Signatures {
		if !s.Valid || !s.ValidAt || s.TimeSource != "timestamp" || !s.ChainEmbedded || !s.RevocationEmbedded {
			t.Fatalf("%s: %+v", s.Field, s)
		}
	}
	// The signatories' certificates expire three years on; check ten
	// years after that.
	at := time.Now().AddDate(3, 0, 0).AddDate(10, 0, 0)

	ossl := testtool.NewOpenSSLTSA(t, 20)
	opts := keys.LTVOptions(time.Now())
	opts.TSA = &pdfsign.HTTPTSA{URLs: []string{ossl.URL}}
	refreshed, err := pdfsign.AddLTV(e.ctx, executed, opts)
	if err != nil {
		t.Fatal(err)
	}
	testtool.QPDFCheck(t, refreshed)
	roots := keys.Roots()
	roots.AddCert(ossl.Root)
	sealedOnly := withoutLastRevisions(t, executed, 2)
	for name, c := range map[string]struct {
		pdf  []byte
		want bool
	}{"refreshed B-LTA": {refreshed, true}, "without LTV": {sealedOnly, false}} {
		rep, err := pdfsign.VerifyWith(e.ctx, c.pdf, pdfsign.VerifyOptions{Roots: roots, At: at})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Signatures {
			if !s.Valid {
				t.Fatalf("%s: %s not intact: %s", name, s.Field, s.Problem)
			}
			if s.ValidAt != c.want {
				t.Errorf("%s at %s: %s ValidAt %v (%s)", name, at.Format("2006-01-02"), s.Field, s.ValidAt, s.AtProblem)
			}
		}
	}
}

// TestTimestampUnavailable: a TSA that answers garbage or does not answer
// fails the ceremony with 503 timestamp_unavailable and no row written;
// with --tsa-optional the signature is made without a timestamp and the
// verification says so.
func TestTimestampUnavailable(t *testing.T) {
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("this is not a timestamp response"))
	}))
	defer garbage.Close()
	e := newEnv(t)
	ca, err := pdfsign.NewCA("moudesk Test CA", "moudesk", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tsa := &pdfsign.HTTPTSA{URLs: []string{garbage.URL, "http://127.0.0.1:1/closed"}, Timeout: 2 * time.Second}
	e.withKeys(&pdfsign.Keys{Authority: ca, TSA: tsa})
	id := e.approved()
	e.unchanged("TSA answering garbage", "timestamp_unavailable", func() error { _, err := e.sign(e.chief, id); return err })
	_, err = e.sign(e.chief, id)
	if me, ok := moudesk.AsError(err); !ok || me.Kind != moudesk.KindUnavailable {
		t.Fatalf("kind of %v is not 503", err)
	}

	e.withKeys(&pdfsign.Keys{Authority: ca, TSA: pdfsign.OptionalTSA{TSA: tsa}})
	if _, err := e.sign(e.chief, id); err != nil {
		t.Fatal(err)
	}
	doc, err := e.svc.SigningPDF(e.ctx, actorOf(e.chief), e.mou(id), "https://moudesk.example.org")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := pdfsign.Verify(e.ctx, doc.PDF, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Signatures[len(rep.Signatures)-1]
	if !s.Valid || s.Timestamp != nil || s.TimeSource != "claimed" {
		t.Fatalf("signature without its TSA: %+v", s)
	}
}
