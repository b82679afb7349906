package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/pdftext"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// The audit log's checkpoint lives beside the signing keys, out of reach
// of SQL on the database: keys/<database file>.audit-checkpoint, with its
// HMAC key in keys/audit-checkpoint.key (0600), made on first use.
func (e *env) checkpointPath() string {
	return filepath.Join(e.keysDir(), e.dbName()+".audit-checkpoint")
}

func (e *env) checkpointKeyPath() string { return filepath.Join(e.keysDir(), "audit-checkpoint.key") }

// openAnchor opens the audit log's checkpoint. With create the key is made
// when missing; without it a missing key means there is no checkpoint
// (nil, nil), which is how `audit verify` leaves a copy's keys alone.
func (e *env) openAnchor(create bool) (*audit.Anchor, error) {
	if create {
		// Instances sharing the keys folder make one key between them.
		unlock, err := lockKeys(e.keysDir())
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	key, err := audit.LoadCheckpointKey(e.checkpointKeyPath(), create)
	if errors.Is(err, os.ErrNotExist) && !create {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return audit.OpenAnchor(e.checkpointPath(), key)
}

// anchorAfter moves the checkpoint to the newest event once an operator
// command is done: its own events (a new user, a token) are anchored as
// the server's are. A log that no longer reaches the checkpoint is only
// reported: the command's work is done, and the checkpoint keeps the
// evidence for `audit verify`.
func (e *env) anchorAfter(ctx context.Context, db *sqlite.DB) {
	anchor, err := e.openAnchor(true)
	if err == nil {
		err = anchor.Advance(ctx, db)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "moudesk: warning: audit checkpoint not advanced: %v\n", err)
	}
}

// startAnchor checks at start that the log still reaches its checkpoint,
// refusing to serve a log that lost its tail, anchors the current head,
// and keeps the checkpoint moving until stop, which anchors once more.
func (e *env) startAnchor(ctx context.Context, db *sqlite.DB, anchor *audit.Anchor, report func(error)) (stop func(), err error) {
	if err := anchor.Check(ctx, db); err != nil {
		return nil, fmt.Errorf("audit log: %w\nRun `moudesk audit verify`. If the database was restored from an older backup on purpose, move %s aside (keep it: it is the record of the head before) and start again",
			err, anchor.Path())
	}
	if err := anchor.Advance(ctx, db); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		anchor.Run(runCtx, db, time.Minute, report)
	}()
	return func() { cancel(); <-done }, nil
}

// certificateFlags collects repeated --certificate values.
type certificateFlags []string

func (c *certificateFlags) String() string     { return strings.Join(*c, ",") }
func (c *certificateFlags) Set(v string) error { *c = append(*c, v); return nil }

// audit runs "moudesk audit verify": the hash chain from its first event,
// held to the checkpoint beside the keys, so deleted tail events show as
// well as edited or deleted ones, and to the head printed in any
// certificate of completion given with --certificate.
func (e *env) audit(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return exitError{code: 2, msg: "usage: moudesk audit verify [--certificate CERT.pdf]…"}
	}
	fs := e.flags("audit verify")
	var certs certificateFlags
	fs.Var(&certs, "certificate", "a certificate of completion whose audit head the log must still hold (repeatable)")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	anchors, notes, err := e.auditAnchors(ctx, certs)
	if err != nil {
		return err
	}
	db, err := e.openStore(ctx, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	// Each walk checks every hash; one per anchor keeps each failure
	// naming the record it contradicts.
	var n int64
	for _, a := range anchors {
		n, err = db.VerifyAuditTo(ctx, a.head)
		var broken *audit.BrokenError
		if errors.As(err, &broken) {
			last := "none: the log is bad from its first event"
			if _, hash, herr := db.AuditHeadAt(ctx, n); n > 0 && herr == nil {
				last = fmt.Sprintf("%d (hash %s)", n, hash)
			}
			return exitError{code: 1, msg: fmt.Sprintf("audit chain broken at event %d (checked against %s): %s; the last good event is %s",
				broken.Seq, a.what, broken.Reason, last)}
		}
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "audit chain ok: %d events verified\n", n)
	for _, note := range notes {
		fmt.Fprintln(e.stdout, note)
	}
	return nil
}

// anchor is a head the log must hold and where it was recorded.
type anchor struct {
	head audit.Head
	what string
}

// auditAnchors are the heads `audit verify` holds the log to: none (the
// chain alone), the checkpoint, and each certificate's; notes say what
// was and was not checked.
func (e *env) auditAnchors(ctx context.Context, certs []string) ([]anchor, []string, error) {
	var out []anchor
	var notes []string
	a, err := e.openAnchor(false)
	if err != nil {
		return nil, nil, exitError{code: 1, msg: err.Error()}
	}
	var cp audit.Checkpoint
	ok := false
	if a != nil {
		if cp, ok, err = a.Checkpoint(); err != nil {
			return nil, nil, exitError{code: 1, msg: fmt.Sprintf("%v: it was not written by this moudesk's key, or it is damaged", err)}
		}
	}
	if ok {
		out = append(out, anchor{head: cp.Head, what: "the checkpoint " + e.checkpointPath()})
		notes = append(notes, fmt.Sprintf("checkpoint %s (%s) anchors event %d: the log reaches it",
			e.checkpointPath(), cp.Time.UTC().Format(time.RFC3339), cp.Seq))
	} else {
		notes = append(notes, fmt.Sprintf("no checkpoint at %s: events deleted from the end of the log cannot be detected", e.checkpointPath()))
	}
	for _, path := range certs {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		pages, err := pdftext.Extract(ctx, data)
		if err != nil {
			return nil, nil, exitError{code: 2, msg: fmt.Sprintf("%s: %v", path, err)}
		}
		heads := audit.FindHeads(strings.Join(pages, "\n"))
		if len(heads) != 1 {
			return nil, nil, exitError{code: 2, msg: fmt.Sprintf("%s: no audit log head in it; is it a certificate of completion?", path)}
		}
		out = append(out, anchor{head: heads[0], what: "the certificate " + path})
		notes = append(notes, fmt.Sprintf("certificate %s anchors event %d: the log reaches it", path, heads[0].Seq))
	}
	if len(out) == 0 {
		out = append(out, anchor{what: "its own hashes"})
	}
	return out, notes, nil
}
