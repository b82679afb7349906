package sqlite

// Group commit: every write transaction goes through one goroutine that
// owns the writer connection and commits the transactions waiting for it
// together, one fsync for all of them.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/moudesk/moudesk"
)

// Batch limits. A batch takes only transactions already waiting when the
// writer is ready for them, so a lone write commits at once; the limits
// bound how long the first of a busy batch waits for the others' work
// before its commit.
const (
	maxBatch     = 32
	maxBatchTime = 10 * time.Millisecond
)

// errClosed answers writes that arrive after Close.
var errClosed = errors.New("database closed")

// writeReq is one caller's write transaction (see writeWith).
type writeReq struct {
	ctx   context.Context
	check func() error
	fn    func(*Tx) error
	done  func()

	// Set by the writer goroutine before it closes result.
	err      error
	panicked *writerPanic
	ran      bool // ran SQL in the batch, so its outcome is the batch's
	ok       bool // fn returned nil and its savepoint was released
	result   chan struct{}
}

// writerPanic carries a panic in a caller's function from the writer
// goroutine back to the caller, with the stack where it happened.
type writerPanic struct {
	value any
	stack []byte
}

// writeWith runs fn in a write transaction on the one writer connection:
// committed when fn returns nil, its statements undone otherwise, so a
// refused request leaves no row behind. check, when not nil, runs first
// and its error ends the request without any SQL, so a request it refuses
// costs the writers behind it nothing. done, when not nil, runs once the
// commit is durable, before writeWith returns; it is where in-memory state
// that must only reflect committed rows is updated.
//
// Transactions waiting for the writer share one SQLite transaction and so
// one commit (one WAL fsync under synchronous=FULL): each runs inside its
// own SAVEPOINT, and nobody is answered before the commit that holds its
// rows is on disk, so nothing acknowledged can be lost. fn therefore sees
// the rows of the transactions committed with it, as if they had committed
// just before. fn must not change state outside the database (that is
// done's job): its savepoint may be rolled back after it returns, when the
// commit fails. check, fn and done run on the writer's goroutine, one at a
// time; a panic in them is raised again in the caller.
//
// Requests are served in arrival order. ctx bounds the wait for the
// writer; once fn has started, writeWith returns only with the outcome.
func (db *DB) writeWith(ctx context.Context, check func() error, fn func(*Tx) error, done func()) error {
	if db.server != nil {
		return db.writeOnServer(ctx, check, fn, done)
	}
	r := &writeReq{ctx: ctx, check: check, fn: fn, done: done, result: make(chan struct{})}
	select {
	case db.writes <- r:
	case <-ctx.Done():
		return fmt.Errorf("wait for the writer: %w", ctx.Err())
	case <-db.closing:
		return errClosed
	}
	<-r.result
	if p := r.panicked; p != nil {
		panic(fmt.Sprintf("%v\n\nin the writer goroutine:\n%s", p.value, p.stack))
	}
	return r.err
}

// runWriter serves writes until Close.
func (db *DB) runWriter() {
	defer close(db.writerDone)
	batch := make([]*writeReq, 0, maxBatch)
	waiting := func() *writeReq {
		select {
		case r := <-db.writes:
			return r
		default:
			return nil
		}
	}
	for {
		select {
		case r := <-db.writes:
			batch = db.commitBatch(r, waiting, batch[:0])
			clear(batch)
		case <-db.closing:
			return
		}
	}
}

// commitBatch runs first and then the requests next returns, while it
// returns any and the limits allow, in one transaction; commits it; and
// answers every request. batch is storage for the requests waiting for
// the commit, returned for reuse.
func (db *DB) commitBatch(first *writeReq, next func() *writeReq, batch []*writeReq) []*writeReq {
	// Statements run with each request's own context; the transaction
	// itself belongs to no request, so no caller's cancellation ends it.
	bg := context.Background()
	var (
		conn    *sql.Conn
		tx      *sql.Tx
		lost    error     // why the batch's transaction is gone, once it is
		culprit *writeReq // the request whose statement lost it, if one did
		members int       // requests that ran SQL
		raced   bool      // a request was refused with a conflict
		started time.Time
	)
	// run runs r in the batch's transaction, beginning it when r is the
	// first to need it. A request refused before any SQL (cancelled, its
	// check, no transaction) is answered at once, since nothing of the
	// batch decides its outcome; run reports whether r waits for the
	// commit instead.
	run := func(r *writeReq) bool {
		refuse := func(err error) bool {
			r.err = err
			close(r.result)
			return false
		}
		if err := r.ctx.Err(); err != nil {
			return refuse(fmt.Errorf("wait for the writer: %w", err))
		}
		if r.check != nil {
			if err := db.call(r, r.check); err != nil {
				return refuse(err)
			}
		}
		if tx == nil {
			var err error
			if conn == nil {
				if conn, err = db.write.Conn(bg); err != nil {
					return refuse(storageError("writer connection", err))
				}
			}
			if tx, err = conn.BeginTx(bg, nil); err != nil {
				return refuse(storageError("begin transaction", err))
			}
			started = time.Now()
		}
		if _, err := tx.ExecContext(bg, "SAVEPOINT w"); err != nil {
			r.err = storageError("begin transaction", err)
			lost, culprit = r.err, r
			return true
		}
		r.ran = true
		members++
		err := db.call(r, func() error { return r.fn(&Tx{Tx: tx, now: db.now(), texts: db.bodyTexts}) })
		if err == nil {
			if _, err := tx.ExecContext(bg, "RELEASE w"); err != nil {
				// SQLite rolled the whole transaction back under fn
				// (a full disk, an interrupted statement) and fn did not
				// say so.
				r.err = storageError("write", err)
				lost, culprit = r.err, r
				return true
			}
			r.ok = true
			return true
		}
		if _, ok := moudesk.AsError(err); !ok {
			// A statement that failed because the disk is full or
			// read-only is 503 wherever in fn it happened, not a 500.
			err = storageError("write", err)
		}
		r.err = err
		raced = raced || moudesk.IsKind(err, moudesk.KindConflict)
		// Undo fn's statements and only those. On a full disk, an I/O
		// error or an interrupted statement SQLite may already have rolled
		// back the whole transaction: then the savepoint is gone too, and
		// so is every other request's work in this batch.
		if _, rbErr := tx.ExecContext(bg, "ROLLBACK TO w"); rbErr != nil {
			lost, culprit = err, r
			return true
		}
		if _, rbErr := tx.ExecContext(bg, "RELEASE w"); rbErr != nil {
			lost, culprit = err, r
		}
		return true
	}

	if run(first) {
		batch = append(batch, first)
		// A conflict ends the batch. The requests behind it are likely
		// racing for the same thing (every drafter saving on the base
		// that just moved on): once this batch is committed their checks
		// refuse them without SQL, and the one that won is not kept
		// waiting while each of them is refused inside its transaction.
		for lost == nil && !raced && members < maxBatch && time.Since(started) < maxBatchTime {
			r := next()
			if r == nil {
				break
			}
			if run(r) {
				batch = append(batch, r)
			}
		}
	}

	if tx != nil {
		if lost == nil {
			if err := tx.Commit(); err != nil {
				lost = storageError("commit", err)
			} else if db.anchor != nil {
				db.anchor.Notify() // the audit chain may have a new head to anchor
			}
		} else {
			_ = tx.Rollback()
		}
	}
	if conn != nil {
		_ = conn.Close()
	}
	for _, r := range batch {
		switch {
		case lost != nil && r.ran && r != culprit:
			// Its rows, or the rows it decided on, were never committed.
			r.err = batchLost(lost)
		case r.ok && r.done != nil:
			if err := db.call(r, func() error { r.done(); return nil }); err != nil {
				r.err = err
			}
		}
		close(r.result)
	}
	return batch
}

// call runs f for r, turning a panic into r.panicked and an error.
func (db *DB) call(r *writeReq, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			r.panicked = &writerPanic{value: v, stack: debug.Stack()}
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return f()
}

// batchLost is the answer for a request whose work went with its batch's
// transaction: nothing of it was saved and it can be sent again.
func batchLost(cause error) error {
	if e, ok := moudesk.AsError(cause); ok && e.Kind == moudesk.KindUnavailable {
		return cause
	}
	return &moudesk.Error{Kind: moudesk.KindUnavailable, Code: "storage_unavailable",
		Message: "the database cannot be written right now; nothing was saved, try again shortly",
		Cause:   fmt.Errorf("write transaction rolled back with its batch: %w", cause)}
}
