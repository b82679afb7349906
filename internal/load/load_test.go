package load

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/testtool"
)

// TestShortLoadRun runs the load tool's default mix against the real
// server for a few seconds and requires every end check to pass: the CI
// form of `moudesk-load`.
func TestShortLoadRun(t *testing.T) {
	db := filepath.Join(t.TempDir(), "moudesk.db")
	srv := startServer(t, db)
	id := provision(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	mix := map[string]int{}
	for k, w := range DefaultMix {
		mix[k] = w
	}
	mix[KindWorkflow] = 30 // reach outcomes within a few seconds
	rep, err := Run(ctx, Config{URL: srv.url, Identities: id, Clients: 8, Duration: 4 * time.Second, Mix: mix,
		BenchDir: testtool.WriteBenchMOU(t), DB: db, Moudesk: moudeskBin})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, srv.logs)
	}
	var out bytes.Buffer
	rep.Print(&out)
	t.Log("\n" + out.String())
	if !rep.OK() {
		t.Fatalf("end checks failed:\n%s", out.String())
	}
	seen := map[string]int{}
	for _, k := range rep.Kinds {
		seen[k.Kind] = k.Requests
		for status, n := range k.Statuses {
			if status >= 500 {
				t.Errorf("%s: %d answers with status %d", k.Kind, n, status)
			}
		}
		if k.NetErrors > 0 {
			t.Errorf("%s: %d requests got no answer", k.Kind, k.NetErrors)
		}
	}
	// A review cycle takes five steps, so on a slow machine a short run
	// may not reach feedback or an outcome; the kinds every client
	// reaches first must be there.
	for _, k := range []string{KindMOU, KindRevision, KindRedline, KindPDF, KindSave, "transition"} {
		if seen[k] == 0 {
			t.Errorf("the mix sent no %s request", k)
		}
	}
	if rep.AckedSaves == 0 {
		t.Error("no save was acknowledged")
	}
	for _, want := range []string{"revisions", "refused saves left no row", "revision audit events", "review writes", "integrity_check", "moudesk audit verify"} {
		if !strings.Contains(out.String(), "check ok   "+want) {
			t.Errorf("report lacks a passing %q check", want)
		}
	}
}

// TestEndChecksCatchLoss shows the checks fail when the store and the
// ledger disagree: an acknowledged save missing, one stored with other
// text, and a refused save's text stored.
func TestEndChecksCatchLoss(t *testing.T) {
	db := filepath.Join(t.TempDir(), "moudesk.db")
	srv := startServer(t, db)
	id := provision(t, db)
	ctx := context.Background()
	cfg := Config{URL: srv.url, Identities: id, Clients: 4, Duration: 2 * time.Second, Mix: map[string]int{KindSave: 1}}
	rep, st, err := run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.AckedSaves < 2 {
		t.Fatalf("clean run: ok=%v, %d saves acknowledged", rep.OK(), rep.AckedSaves)
	}
	failed := func(name, want string) {
		t.Helper()
		for _, c := range endChecks(ctx, cfg, st) {
			if c.Name == name {
				if c.OK || !strings.Contains(c.Detail, want) {
					t.Errorf("check %s: ok=%v %q, want a failure naming %q", name, c.OK, c.Detail, want)
				}
				return
			}
		}
		t.Errorf("no check %s", name)
	}
	l := st.ledger
	latest, secs := l.base()

	l.revisions[latest+1] = &savedRevision{Base: latest, Sections: secs}
	failed("revisions", "missing")
	delete(l.revisions, latest+1)

	saved := l.revisions[latest]
	orig := saved.Sections
	saved.Sections = append([]section(nil), orig...)
	saved.Sections[0].Body = "text the server never got\n"
	failed("revisions", "differs from what was sent")
	saved.Sections = orig

	l.refused[saved.Body] = 409
	failed("refused saves left no row", "stored")
}
