package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// Source is the log an Anchor follows (the store).
type Source interface {
	// AuditHeadAt returns, from one consistent read, the newest event's
	// head (zero for an empty log) and the hash of the event at seq (""
	// when there is none).
	AuditHeadAt(ctx context.Context, seq int64) (head Head, hashAt string, err error)
}

// Anchor keeps a log's checkpoint file up to date. It moves the checkpoint
// only forward and only along the chain: to a newer head when the event
// the checkpoint names is still in the log with the same hash, so a
// truncated or rewritten log can never overwrite the evidence of it.
//
// The server advances it after every committed write (Notify wakes Run,
// which writes the newest head, several commits at once under load), every
// minute, and once more when it stops; so what an attacker can delete
// unnoticed is the events committed since the last checkpoint write: the
// write in flight (a millisecond or two), or, after a crash or kill -9,
// the writes of the last instant before it. Commands that write outside
// the server advance it when they finish.
type Anchor struct {
	path string
	key  []byte

	mu   sync.Mutex // serialises Advance and guards last
	last Checkpoint // what the file holds; zero when there is none

	wake chan struct{}
	now  func() time.Time
}

// OpenAnchor opens the checkpoint at path (the file may not exist yet)
// authenticated with key.
func OpenAnchor(path string, key []byte) (*Anchor, error) {
	a := &Anchor{path: path, key: key, wake: make(chan struct{}, 1), now: time.Now}
	cp, err := ReadCheckpoint(path, key)
	switch {
	case err == nil:
		a.last = cp
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	return a, nil
}

// Path is the checkpoint file's path.
func (a *Anchor) Path() string { return a.path }

// Checkpoint reads the checkpoint file again (another process may have
// advanced it); ok is false when there is none.
func (a *Anchor) Checkpoint() (cp Checkpoint, ok bool, err error) {
	cp, err = ReadCheckpoint(a.path, a.key)
	if errors.Is(err, os.ErrNotExist) {
		return Checkpoint{}, false, nil
	}
	return cp, err == nil, err
}

// Check reports whether the log still reaches the checkpoint: a
// *BrokenError when the event it names is missing (the tail was deleted)
// or has another hash (rewritten), else nil. It reads one event, so it is
// cheap enough for every start.
func (a *Anchor) Check(ctx context.Context, src Source) error {
	cp, ok, err := a.Checkpoint()
	if err != nil || !ok {
		return err
	}
	return reaches(ctx, src, cp)
}

func reaches(ctx context.Context, src Source, cp Checkpoint) error {
	head, at, err := src.AuditHeadAt(ctx, cp.Seq)
	if err != nil {
		return err
	}
	switch {
	case at == "":
		return &BrokenError{Seq: head.Seq + 1, Reason: fmt.Sprintf(
			"the log ends at event %d, but the checkpoint of %s anchors event %d: events %d to %d were deleted",
			head.Seq, cp.Time.UTC().Format(time.RFC3339), cp.Seq, head.Seq+1, cp.Seq)}
	case at != cp.Hash:
		return &BrokenError{Seq: cp.Seq, Reason: fmt.Sprintf(
			"event %d has hash %s, but the checkpoint of %s anchors %s: the log was rewritten",
			cp.Seq, at, cp.Time.UTC().Format(time.RFC3339), cp.Hash)}
	}
	return nil
}

// Advance writes the log's newest head as the checkpoint when it is newer
// than the one there and the log still reaches that one; a log that does
// not is a *BrokenError and the checkpoint stays as it was.
func (a *Anchor) Advance(ctx context.Context, src Source) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	cp := a.last
	if fresh, ok, err := a.Checkpoint(); err != nil {
		return err
	} else if ok && fresh.Seq > cp.Seq {
		cp = fresh // another process moved it on
	}
	head, at, err := src.AuditHeadAt(ctx, cp.Seq)
	if err != nil {
		return err
	}
	if cp.Seq > 0 && at != cp.Hash {
		return reaches(ctx, src, cp)
	}
	if head.Seq <= cp.Seq {
		a.last = cp
		return nil
	}
	next := Checkpoint{Head: head, Time: a.now()}
	if err := WriteCheckpoint(a.path, a.key, next); err != nil {
		return err
	}
	a.last = next
	return nil
}

// Notify asks Run to advance the checkpoint; it never blocks, and several
// calls before Run gets to it make one write.
func (a *Anchor) Notify() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// Run advances the checkpoint whenever Notify asks and every interval,
// until ctx ends; then it advances once more and returns. Failures go to
// report (a log), and Run goes on: a broken log stays reported at every
// try, and the checkpoint keeps the evidence.
func (a *Anchor) Run(ctx context.Context, src Source, interval time.Duration, report func(error)) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var lastErr string
	advance := func(ctx context.Context) {
		err := a.Advance(ctx, src)
		switch {
		case err != nil && err.Error() != lastErr:
			report(err)
			lastErr = err.Error()
		case err == nil:
			lastErr = ""
		}
	}
	for {
		select {
		case <-a.wake:
			advance(ctx)
		case <-tick.C:
			advance(ctx)
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			advance(final)
			cancel()
			return
		}
	}
}
