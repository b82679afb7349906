package desk_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/testtool"
)

// TestRefreshLTV is the scheduled job of issue 20: an MOU executed with
// the built-in TSA, looked at a month before that TSA's certificate
// expires, gets a new document timestamp from a TSA that outlives it,
// stored as the next signing document and served as the signed PDF; the
// file then verifies past the first TSA certificate's expiry. Nothing is
// due on a second run at the same time.
func TestRefreshLTV(t *testing.T) {
	e := newEnv(t)
	keys := builtinTSAKeys(t)
	tsa := keys.TSA.(*pdfsign.LocalTSA)
	e.withKeys(keys)
	id := e.approved()
	executed := e.signAll(id)
	sealed, err := e.svc.SignedPDF(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}

	// Nothing is due while the TSA certificate is years from expiry.
	if n, err := e.svc.RefreshLTV(e.ctx, time.Now(), 90*24*time.Hour); err != nil || n != 0 {
		t.Fatalf("refresh now: %d, %v", n, err)
	}

	// A month before the built-in TSA's certificate expires, that same
	// TSA would extend nothing: an error, and nothing stored.
	now := tsa.Cert.NotAfter.AddDate(0, -1, 0)
	if n, err := e.svc.RefreshLTV(e.ctx, now, 90*24*time.Hour); err == nil || n != 0 || !strings.Contains(err.Error(), "outlives") {
		t.Fatalf("refresh by the expiring TSA: %d, %v", n, err)
	}
	if docs := e.documents(id); docs[len(docs)-1].Seq != sealed.Seq {
		t.Fatalf("a refresh that extends nothing was stored: %+v", docs[len(docs)-1])
	}

	// The operator has configured a TSA whose certificate lasts 20 years.
	ossl := testtool.NewOpenSSLTSA(t, 20)
	keys = &pdfsign.Keys{Authority: keys.Authority, TSA: &pdfsign.HTTPTSA{URLs: []string{ossl.URL}}}
	e.withKeys(keys)
	n, err := e.svc.RefreshLTV(e.ctx, now, 90*24*time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("refresh near expiry: %d, %v", n, err)
	}
	docs, err := e.db.SigningDocuments(e.ctx, id, sealed.Revision)
	if err != nil {
		t.Fatal(err)
	}
	last := docs[len(docs)-1]
	if last.Kind != desk.DocRefresh || last.Seq != sealed.Seq+1 {
		t.Fatalf("newest document %+v after seal seq %d", last, sealed.Seq)
	}
	got, err := e.svc.SignedPDF(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Seq != last.Seq || got.Kind != desk.DocRefresh || len(got.PDF) <= len(executed) || string(got.PDF[:len(executed)]) != string(executed) {
		t.Fatalf("signed PDF is %s seq %d (%d bytes), not the refresh appended to the seal", got.Kind, got.Seq, len(got.PDF))
	}
	testtool.QPDFCheck(t, got.PDF)

	roots := keys.Roots()
	roots.AddCert(ossl.Root)
	at := tsa.Cert.NotAfter.AddDate(1, 0, 0)
	for name, c := range map[string]struct {
		pdf  []byte
		want bool
	}{"refreshed": {got.PDF, true}, "as sealed": {executed, false}} {
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

	if n, err := e.svc.RefreshLTV(e.ctx, now, 90*24*time.Hour); err != nil || n != 0 {
		t.Fatalf("second refresh at the same time: %d, %v", n, err)
	}
	if again, err := e.db.SigningDocuments(e.ctx, id, sealed.Revision); err != nil || len(again) != len(docs) {
		t.Fatalf("second refresh stored documents: %d → %d (%v)", len(docs), len(again), err)
	}
	events, err := e.svc.AuditEvents(e.ctx, desk.AuditFilter{Object: fmt.Sprintf("mou:%d", id)})
	if err != nil {
		t.Fatal(err)
	}
	refreshes := 0
	for _, ev := range events {
		if ev.Action == "ltv.refresh" {
			refreshes++
		}
	}
	if refreshes != 1 {
		t.Fatalf("%d ltv.refresh audit events, want 1", refreshes)
	}
}
