package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/postgres"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/webhook"
)

// verifyOutput is `moudesk verify --json`: the signature report, and when
// a database is at hand, which recorded revision the file is (by bytes or
// by text) or which one it claims to be and is not.
type verifyOutput struct {
	*pdfsign.Report
	Database     string             `json:"database,omitempty"` // the database matched against; empty when none exists
	Match        *desk.VerifyMatch  `json:"match"`
	TextMismatch *desk.TextMismatch `json:"text_mismatch,omitempty"`
}

// matchRecorded traces data to a revision in the database (--db,
// $MOUDESK_DB or ./data/moudesk.db) when that file exists. Without one,
// the signatures are all that can be checked: a revision's text lives
// only in the database, and verifying never creates one.
func (e *env) matchRecorded(ctx context.Context, data []byte) (*verifyOutput, error) {
	out := &verifyOutput{}
	if _, err := os.Stat(e.db); errors.Is(err, fs.ErrNotExist) && !postgres.IsURL(e.db) {
		return out, nil
	}
	db, err := e.openStore(ctx, sqlite.Options{})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", e.db, err)
	}
	defer db.Close()
	out.Database = e.db
	svc, err := newService(db, nil, nil, webhook.Policy{})
	if err != nil {
		return nil, err
	}
	out.Match, out.TextMismatch, err = svc.MatchFile(ctx, data)
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, exitError{code: 2, msg: "the file took too long to check"}
	}
	if err != nil {
		return nil, fmt.Errorf("match against %s: %w", e.db, err)
	}
	return out, nil
}

// print says in words what matchRecorded found.
func (o *verifyOutput) print(w io.Writer) {
	switch m, mm := o.Match, o.TextMismatch; {
	case o.Database == "":
		fmt.Fprintln(w, "text: not compared (no database; give --db to match the file against recorded revisions)")
	case m != nil:
		how := "its bytes are the stored PDF"
		if !m.Exact {
			how = "it extends the stored PDF by incremental updates"
		}
		if m.Method == "text" {
			how = "its text is the recorded text; the file itself is a different copy"
		}
		state := "not executed"
		if m.Executed {
			state = "executed"
		}
		fmt.Fprintf(w, "recorded: MOU %d “%s” revision %d (%s, content hash %s): %s\n", m.MOUID, m.Title, m.Revision, state, m.ContentHash, how)
	case mm != nil && mm.Reason == "text_differs":
		fmt.Fprintf(w, "ALTERED: %s — recorded “%s”, file “%s”\n", mm.Message, mm.Expected, mm.Found)
	case mm != nil:
		fmt.Fprintf(w, "unknown: %s\n", mm.Message)
	default:
		fmt.Fprintln(w, "recorded: no (the file is not, and does not name, a revision in this database)")
	}
}
