package load

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/teststore"
)

// TestTwoInstancesCrashLosesNothingAcknowledged is the crash test on
// PostgreSQL with two `moudesk serve` processes on one database: savers
// and clerks send to both at once, racing on the same MOU across the two;
// one instance is killed with SIGKILL mid-stream while the other keeps
// serving; then the end checks (contiguous revisions, every acknowledged
// save, meeting, feedback item and outcome stored as sent, unanswered
// saves absent or whole, no duplicate, the audit chain verifies) run
// through the survivor. The killed one is started again and the next round
// kills the other.
func TestTwoInstancesCrashLosesNothingAcknowledged(t *testing.T) {
	if !teststore.OnPostgres() {
		t.Skipf("%s is not set: no PostgreSQL for two instances to share", teststore.PostgresEnv)
	}
	const savers, clerks, rounds = 6, 2, 4
	dsn := teststore.PostgresDB(t)
	// Both instances sign with one CA and anchor the audit log in one
	// folder, as a shared volume holds them in production.
	t.Setenv("MOUDESK_KEYS", t.TempDir())
	srvs := [2]*server{startServer(t, dsn), startServer(t, dsn)}
	id := provision(t, dsn)
	ctx := context.Background()
	stats := newStats()
	hc := newHTTPClient(savers+clerks, 10*time.Second)
	var states [2]*runState
	for i, s := range srvs {
		states[i] = &runState{drafter: WithToken(hc, s.url, id.DrafterToken, stats), clerk: WithToken(hc, s.url, id.ClerkToken, stats)}
	}
	st := states[0]
	vars, err := variables()
	if err != nil {
		t.Fatal(err)
	}
	if st.saveMOU, err = createMOU(ctx, st.drafter, id, "Two-instance crash test MOU", vars); err != nil {
		t.Fatal(err)
	}
	secs, err := revisionSections(ctx, st.drafter, st.saveMOU, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secs {
		st.keys = append(st.keys, s.Key)
	}
	st.ledger = newLedger(1, secs)
	states[1].saveMOU, states[1].keys, states[1].ledger = st.saveMOU, st.keys, st.ledger
	workers := make([]*worker, savers+clerks)
	for i := range workers {
		// Alternate instances, so both race on the shared MOU.
		w := &worker{id: i + 1, r: states[i%2], rng: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano()))), pickers: []string{KindSave}}
		if i >= savers {
			m, err := createMOU(ctx, st.drafter, id, fmt.Sprintf("Two-instance review MOU %d", i), vars)
			if err != nil {
				t.Fatal(err)
			}
			w.wf, w.pickers = &review{mou: m}, []string{KindWorkflow}
		}
		workers[i] = w
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 21))
	for round := 1; round <= rounds; round++ {
		victim := (round - 1) % 2
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Go(func() { w.loop(runCtx, time.Now().Add(time.Hour)) })
		}
		before := st.ledger.Acknowledged()
		time.Sleep(time.Duration(400+rng.IntN(1200)) * time.Millisecond)
		srvs[victim].kill()
		// The survivor keeps serving the workers sent to it.
		time.Sleep(time.Duration(200+rng.IntN(400)) * time.Millisecond)
		stop()
		wg.Wait()
		acked := st.ledger.Acknowledged() - before

		survivor := states[1-victim]
		check := &runState{drafter: survivor.drafter, clerk: survivor.clerk, ledger: st.ledger, saveMOU: st.saveMOU, keys: st.keys}
		stored := ""
		for _, c := range endChecks(ctx, Config{DB: dsn, Moudesk: moudeskBin}, check) {
			if !c.OK {
				t.Errorf("round %d: %s: %s", round, c.Name, c.Detail)
			}
			if c.Name == "revisions" {
				stored = c.Detail
			}
		}
		t.Logf("round %d: instance %d killed; %d saves acknowledged by the two; %s; %d meetings so far", round, victim+1, acked, stored, len(st.ledger.meetings))
		if t.Failed() {
			t.FailNow()
		}
		adoptUnanswered(t, check)
		srvs[victim] = startServer(t, dsn)
		states[victim].drafter.base, states[victim].clerk.base = srvs[victim].url, srvs[victim].url
	}
	var sum bytes.Buffer
	PrintSummary(&sum, stats.Summary(time.Second), time.Second)
	t.Logf("requests over all rounds (rates meaningless):\n%s", sum.String())
	if st.ledger.Acknowledged() == 0 {
		t.Fatal("no save was acknowledged in any round")
	}
}
