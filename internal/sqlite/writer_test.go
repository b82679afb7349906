package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
)

// auditObjects lists the objects of the stored audit events named test:….
func auditObjects(t *testing.T, db *DB) []string {
	t.Helper()
	var out []string
	for after := int64(0); ; {
		evs, err := db.AuditEvents(context.Background(), desk.AuditFilter{After: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return out
		}
		for _, ev := range evs {
			if strings.HasPrefix(ev.Object, "test:") {
				out = append(out, ev.Object)
			}
			after = ev.Seq
		}
	}
}

// testWrite is a write request appending the audit event test:name, then
// failing with fail when it is not nil; done counts commits.
func testWrite(name string, fail func(*Tx) error, done *atomic.Int32) *writeReq {
	ctx := context.Background()
	return &writeReq{ctx: ctx, result: make(chan struct{}),
		fn: func(tx *Tx) error {
			if err := tx.audit(ctx, moudesk.System, "test.write", "test:"+name, nil); err != nil {
				return err
			}
			if fail != nil {
				return fail(tx)
			}
			return nil
		},
		done: func() { done.Add(1) }}
}

// runBatch commits reqs as one batch, as the writer does with requests
// waiting together.
func runBatch(db *DB, reqs ...*writeReq) {
	rest := reqs[1:]
	db.commitBatch(reqs[0], func() *writeReq {
		if len(rest) == 0 {
			return nil
		}
		r := rest[0]
		rest = rest[1:]
		return r
	}, nil)
}

func TestWriteBatch(t *testing.T) {
	refused := moudesk.Errorf(moudesk.KindUnprocessable, "refused", "refused")
	t.Run("OK", func(t *testing.T) {
		db := MustOpenDB(t)
		var done atomic.Int32
		reqs := []*writeReq{testWrite("a", nil, &done), testWrite("b", nil, &done), testWrite("c", nil, &done)}
		runBatch(db, reqs...)
		for _, r := range reqs {
			if r.err != nil {
				t.Errorf("err = %v", r.err)
			}
		}
		if got := strings.Join(auditObjects(t, db), " "); got != "test:a test:b test:c" || done.Load() != 3 {
			t.Fatalf("stored %q, done %d times; want all three", got, done.Load())
		}
		if _, err := db.VerifyAudit(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	// A refused request's rows go; the others' stay, and the audit chain
	// links the survivors.
	t.Run("RefusedOneOfMany", func(t *testing.T) {
		db := MustOpenDB(t)
		var done atomic.Int32
		check := testWrite("never", nil, &done)
		check.check = func() error { return refused }
		ran := false
		check.fn = func(*Tx) error { ran = true; return nil }
		reqs := []*writeReq{
			testWrite("a", nil, &done),
			testWrite("b", func(*Tx) error { return refused }, &done),
			check,
			testWrite("c", nil, &done),
			testWrite("d", func(*Tx) error { return errors.New("plain failure") }, &done),
		}
		runBatch(db, reqs...)
		if reqs[0].err != nil || reqs[3].err != nil {
			t.Errorf("errs = %v, %v; want nil", reqs[0].err, reqs[3].err)
		}
		if !errors.Is(reqs[1].err, refused) || !errors.Is(reqs[2].err, refused) || ran {
			t.Errorf("refused: %v, %v (fn ran: %v); want the refusal, without SQL for the check", reqs[1].err, reqs[2].err, ran)
		}
		if reqs[4].err == nil || !strings.Contains(reqs[4].err.Error(), "plain failure") {
			t.Errorf("failed: %v", reqs[4].err)
		}
		if got := strings.Join(auditObjects(t, db), " "); got != "test:a test:c" || done.Load() != 2 {
			t.Fatalf("stored %q, done %d times; want test:a test:c, 2", got, done.Load())
		}
		if _, err := db.VerifyAudit(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	// A conflict ends the batch: the requests behind it wait for the next
	// one, where their checks see what this one committed.
	t.Run("ConflictEndsBatch", func(t *testing.T) {
		db := MustOpenDB(t)
		var done atomic.Int32
		stale := moudesk.Errorf(moudesk.KindConflict, "stale_revision", "stale")
		reqs := []*writeReq{testWrite("a", nil, &done), testWrite("b", func(*Tx) error { return stale }, &done), testWrite("c", nil, &done)}
		runBatch(db, reqs...)
		if reqs[0].err != nil || !errors.Is(reqs[1].err, stale) || reqs[2].ran {
			t.Fatalf("errs = %v, %v, ran %v; want nil, the conflict, and the third left for the next batch", reqs[0].err, reqs[1].err, reqs[2].ran)
		}
		runBatch(db, reqs[2])
		if got := strings.Join(auditObjects(t, db), " "); got != "test:a test:c" || reqs[2].err != nil || done.Load() != 2 {
			t.Fatalf("stored %q, done %d times, err %v; want test:a test:c", got, done.Load(), reqs[2].err)
		}
	})
	// When a request's failure takes the whole transaction with it (as
	// SQLite does on a full disk or an interrupted write), every request
	// of the batch is answered 503 and none is done.
	t.Run("ErrTransactionLost", func(t *testing.T) {
		db := MustOpenDB(t)
		var done atomic.Int32
		reqs := []*writeReq{
			testWrite("a", nil, &done),
			testWrite("b", func(tx *Tx) error {
				if _, err := tx.ExecContext(context.Background(), "ROLLBACK"); err != nil {
					return err
				}
				return errors.New("disk gone")
			}, &done),
			testWrite("c", nil, &done),
		}
		runBatch(db, reqs...)
		if !moudesk.IsKind(reqs[0].err, moudesk.KindUnavailable) {
			t.Errorf("err of the request before = %v; want storage_unavailable", reqs[0].err)
		}
		if reqs[1].err == nil {
			t.Error("the failing request succeeded")
		}
		if reqs[2].ran {
			t.Error("a request ran after the transaction was lost")
		}
		if got := auditObjects(t, db); len(got) != 0 || done.Load() != 0 {
			t.Fatalf("stored %q, done %d times; want nothing", got, done.Load())
		}
		// The request left out is served by the next batch.
		runBatch(db, reqs[2])
		if reqs[2].err != nil || done.Load() != 1 {
			t.Fatalf("next batch: %v, done %d", reqs[2].err, done.Load())
		}
	})
	// A panic in fn is raised in the caller, its rows are undone, and the
	// writer goes on serving.
	t.Run("PanicReachesCaller", func(t *testing.T) {
		db := MustOpenDB(t)
		ctx := context.Background()
		func() {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "boom") {
					t.Fatalf("recovered %v; want the panic from fn", p)
				}
			}()
			_ = db.update(ctx, func(tx *Tx) error {
				if err := tx.audit(ctx, moudesk.System, "test.write", "test:panicked", nil); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if err := db.update(ctx, func(tx *Tx) error {
			return tx.audit(ctx, moudesk.System, "test.write", "test:after", nil)
		}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(auditObjects(t, db), " "); got != "test:after" {
			t.Fatalf("stored %q; want only the write after the panic", got)
		}
	})
	t.Run("ErrCancelledWhileWaiting", func(t *testing.T) {
		db := MustOpenDB(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ran := false
		err := db.update(ctx, func(*Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Fatalf("err = %v, ran = %v; want context.Canceled without running", err, ran)
		}
	})
	t.Run("ErrClosed", func(t *testing.T) {
		db := MustOpenDB(t)
		db.Close()
		if err := db.update(context.Background(), func(*Tx) error { return nil }); !errors.Is(err, errClosed) {
			t.Fatalf("err = %v; want errClosed", err)
		}
	})
}

// TestConcurrentWrites has many writers commit together through the real
// writer: every write that succeeded is stored once, every refused one is
// absent, done ran once per success, and the audit chain verifies.
func TestConcurrentWrites(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	const writers, each = 16, 20
	var done atomic.Int32
	var mu sync.Mutex
	want := map[string]bool{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				name := fmt.Sprintf("test:%d.%d", w, i)
				refuse := (w+i)%3 == 0
				err := db.writeWith(ctx, nil, func(tx *Tx) error {
					if err := tx.audit(ctx, moudesk.System, "test.write", name, nil); err != nil {
						return err
					}
					if refuse {
						return moudesk.Errorf(moudesk.KindConflict, "refused", "refused")
					}
					return nil
				}, func() { done.Add(1) })
				if refuse != (err != nil) {
					t.Errorf("%s: err = %v, refused %v", name, err, refuse)
				}
				if !refuse {
					mu.Lock()
					want[name] = true
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	got := auditObjects(t, db)
	seen := map[string]bool{}
	for _, o := range got {
		if !want[o] || seen[o] {
			t.Errorf("stored %s: refused or twice", o)
		}
		seen[o] = true
	}
	if len(seen) != len(want) || int(done.Load()) != len(want) {
		t.Errorf("stored %d, done %d times; want %d", len(seen), done.Load(), len(want))
	}
	if _, err := db.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkConcurrentWrites is many clients each committing one small
// write (an audit event) through the writer, fsync included.
func BenchmarkConcurrentWrites(b *testing.B) {
	db := MustOpenDB(b)
	ctx := context.Background()
	b.SetParallelism(8) // 8 × GOMAXPROCS clients
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := db.Audit(ctx, moudesk.System, "bench.write", "bench:1", nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
