package load

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestCrashLosesNothingAcknowledged runs savers and clerks against the real
// server, kills it with SIGKILL at a random moment mid-stream, restarts it
// on the same database and checks: every acknowledged save, meeting,
// feedback item and outcome is there as sent; a save that never got an
// answer is either absent or stored whole with its audit event; the file
// passes integrity_check and the audit chain verifies. Several rounds, each
// killing at another moment. SIGKILL leaves what the kernel already holds,
// so this proves the server acknowledges only committed writes and commits
// them whole; surviving power loss rests on synchronous=FULL (db.go).
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	const savers, clerks = 6, 2
	// CI runs six rounds; MOUDESK_CRASH_ROUNDS runs a longer series.
	rounds := 6
	if n, err := strconv.Atoi(os.Getenv("MOUDESK_CRASH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	db := filepath.Join(t.TempDir(), "moudesk.db")
	srv := startServer(t, db)
	id := provision(t, db)
	ctx := context.Background()
	stats := newStats()
	hc := newHTTPClient(savers+clerks, 10*time.Second)
	st := &runState{drafter: WithToken(hc, srv.url, id.DrafterToken, stats), clerk: WithToken(hc, srv.url, id.ClerkToken, stats)}
	vars, err := variables()
	if err != nil {
		t.Fatal(err)
	}
	if st.saveMOU, err = createMOU(ctx, st.drafter, id, "Crash test MOU", vars); err != nil {
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
	workers := make([]*worker, savers+clerks)
	for i := range workers {
		w := &worker{id: i + 1, r: st, rng: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano()))), pickers: []string{KindSave}}
		if i >= savers {
			m, err := createMOU(ctx, st.drafter, id, fmt.Sprintf("Crash review MOU %d", i), vars)
			if err != nil {
				t.Fatal(err)
			}
			w.wf, w.pickers = &review{mou: m}, []string{KindWorkflow}
		}
		workers[i] = w
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	grew, meetings := 0, 0 // rounds in which the clerks got further
	for round := 1; round <= rounds; round++ {
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.loop(runCtx, time.Now().Add(time.Hour))
			}()
		}
		before := st.ledger.Acknowledged()
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		srv.kill()
		stop()
		wg.Wait()
		acked := st.ledger.Acknowledged() - before

		srv = startServer(t, db)
		st.drafter.base, st.clerk.base = srv.url, srv.url
		stored := ""
		for _, c := range endChecks(ctx, Config{DB: db, Moudesk: moudeskBin}, st) {
			if !c.OK {
				t.Errorf("round %d: %s: %s", round, c.Name, c.Detail)
			}
			if c.Name == "revisions" {
				stored = c.Detail
			}
		}
		t.Logf("round %d: killed after %d acknowledged saves; %s; %d meetings so far", round, acked, stored, len(st.ledger.meetings))
		if t.Failed() {
			t.FailNow()
		}
		if n := len(st.ledger.meetings); n > meetings {
			grew, meetings = grew+1, n
		}
		adoptUnanswered(t, st)
	}
	if grew < (rounds+1)/2 {
		t.Errorf("the clerks' meetings grew in only %d of %d rounds: their review cycle stalls after a crash", grew, rounds)
	}
	var sum bytes.Buffer
	PrintSummary(&sum, stats.Summary(time.Second), time.Second)
	t.Logf("requests over all rounds (rates meaningless):\n%s", sum.String())
	if st.ledger.Acknowledged() == 0 {
		t.Fatal("no save was acknowledged in any round")
	}
}

// adoptUnanswered brings the ledger up to the stored current revision when
// saves whose answers were lost in the crash turned out to be stored (the
// checks have just shown each is whole).
func adoptUnanswered(t *testing.T, st *runState) {
	t.Helper()
	ctx := context.Background()
	var out struct {
		MOU struct {
			Current int `json:"current_revision"`
		} `json:"mou"`
	}
	if err := st.drafter.must(ctx, http.MethodGet, fmt.Sprintf("/api/v1/mous/%d", st.saveMOU), nil, http.StatusOK, &out); err != nil {
		t.Fatal(err)
	}
	latest, _ := st.ledger.base()
	for n := latest + 1; n <= out.MOU.Current; n++ {
		secs, err := revisionSections(ctx, st.drafter, st.saveMOU, n)
		if err != nil {
			t.Fatal(err)
		}
		st.ledger.adopt(n, secs)
	}
}
