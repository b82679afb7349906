package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/testtool"
)

// sqlExec runs statements on the database file behind moudesk's back, as
// anyone with SQL access could.
func sqlExec(t *testing.T, db string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// lastSeq is the newest audit event's seq.
func lastSeq(t *testing.T, db string) int64 {
	t.Helper()
	var n int
	if err := queryInt(t, db, "SELECT coalesce(max(seq), 0) FROM audit_events", &n); err != nil {
		t.Fatal(err)
	}
	return int64(n)
}

// auditDB makes a database with events written by operator commands,
// each of which anchors its events in the checkpoint as it finishes.
func auditDB(t *testing.T, parties int) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "data", "moudesk.db")
	for i := range parties {
		if _, _, err := runCmd(t, db, "", "party", "add", "--slug", fmt.Sprintf("party-%d", i), "--name", fmt.Sprintf("Party %d", i),
			"--kind", "city", "--body", "City Council"); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := runCmd(t, db, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "audit chain ok") || !strings.Contains(out, fmt.Sprintf("anchors event %d", parties)) {
		t.Fatalf("audit verify of an untouched log = %q, %v; want ok, anchored at event %d", out, err, parties)
	}
	return db
}

// wantBroken runs audit verify (with args) and wants exit 1 naming the
// last good event and saying what happened.
func wantBroken(t *testing.T, db string, lastGood int64, says string, args ...string) {
	t.Helper()
	_, _, err := runCmd(t, db, "", append([]string{"audit", "verify"}, args...)...)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), fmt.Sprintf("the last good event is %d (hash ", lastGood)) || !strings.Contains(err.Error(), says) {
		t.Fatalf("audit verify = exit %d, %v; want exit 1 naming event %d as the last good one and saying %q", exitCode(err), err, lastGood, says)
	}
}

// TestAuditVerifyFindsDeletedTail deletes the last rows of the audit log
// with SQL: the chain that is left is intact, but the checkpoint beside the
// keys anchors a later event, so `audit verify` fails naming the last good
// event, and the server refuses to start on the cut log.
func TestAuditVerifyFindsDeletedTail(t *testing.T) {
	for _, n := range []int{1, 3} {
		t.Run(fmt.Sprintf("Last%d", n), func(t *testing.T) {
			db := auditDB(t, 5)
			sqlExec(t, db, fmt.Sprintf("DELETE FROM audit_events WHERE seq > %d", 5-n))
			wantBroken(t, db, int64(5-n), fmt.Sprintf("events %d to 5 were deleted", 5-n+1))

			var logs syncBuffer
			getenv := func(k string) string { return map[string]string{"MOUDESK_DB": db}[k] }
			err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, getenv, strings.NewReader(""), &logs, &logs)
			if err == nil || !strings.Contains(err.Error(), "were deleted") || !strings.Contains(err.Error(), "audit verify") {
				t.Fatalf("serve on a cut log = %v; want a refusal saying events were deleted\n%s", err, logs.String())
			}
			if lastSeq(t, db) != int64(5-n) {
				t.Fatal("the refused start wrote audit events")
			}
		})
	}
}

// TestAuditVerifyFindsMiddleChanges: editing or deleting an event in the
// middle is still found by the chain itself; rewriting one and hashing
// every later event again, which the chain alone cannot see, is found by
// the checkpoint.
func TestAuditVerifyFindsMiddleChanges(t *testing.T) {
	t.Run("Edited", func(t *testing.T) {
		db := auditDB(t, 4)
		sqlExec(t, db, "UPDATE audit_events SET object = 'party:other' WHERE seq = 2")
		wantBroken(t, db, 1, "hash does not match")
	})
	t.Run("Deleted", func(t *testing.T) {
		db := auditDB(t, 4)
		sqlExec(t, db, "DELETE FROM audit_events WHERE seq = 3")
		wantBroken(t, db, 2, "found seq 4 where seq 3 belongs")
	})
	t.Run("RewrittenAndRehashed", func(t *testing.T) {
		db := auditDB(t, 4)
		raw, err := sql.Open("sqlite3", db)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := raw.Query("SELECT seq, time, actor, action, object, details, prev_hash, hash FROM audit_events ORDER BY seq")
		if err != nil {
			t.Fatal(err)
		}
		var events []audit.Event
		for rows.Next() {
			var e audit.Event
			var tm, details string
			if err := rows.Scan(&e.Seq, &tm, &e.Actor, &e.Action, &e.Object, &details, &e.PrevHash, &e.Hash); err != nil {
				t.Fatal(err)
			}
			e.Time, _ = time.Parse("2006-01-02T15:04:05.000000Z", tm)
			e.Details = json.RawMessage(details)
			events = append(events, e)
		}
		rows.Close()
		prev := events[0].Hash
		for _, e := range events[1:] {
			if e.Seq == 2 {
				e.Object = "party:other"
			}
			c, err := audit.Chain(prev, e)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec("UPDATE audit_events SET object = ?, prev_hash = ?, hash = ? WHERE seq = ?", c.Object, c.PrevHash, c.Hash, c.Seq); err != nil {
				t.Fatal(err)
			}
			prev = c.Hash
		}
		raw.Close()
		moveAside(t, db)
		if out, _, err := runCmd(t, db, "", "audit", "verify"); err != nil || !strings.Contains(out, "no checkpoint") {
			t.Fatalf("without the checkpoint the rehashed log should verify (that is the gap): %q, %v", out, err)
		}
		moveBack(t, db)
		wantBroken(t, db, 3, "rewritten")
	})
	t.Run("ForgedCheckpoint", func(t *testing.T) {
		db := auditDB(t, 4)
		sqlExec(t, db, "DELETE FROM audit_events WHERE seq > 2")
		path := filepath.Join(filepath.Dir(db), "keys", "moudesk.db.audit-checkpoint")
		data, _ := os.ReadFile(path)
		os.WriteFile(path, []byte(strings.Replace(string(data), `"seq":4`, `"seq":2`, 1)), 0o600)
		_, _, err := runCmd(t, db, "", "audit", "verify")
		if exitCode(err) != 1 || !strings.Contains(err.Error(), "not valid") {
			t.Fatalf("verify with a checkpoint moved back by hand = %v; want exit 1, checkpoint not valid", err)
		}
	})
}

func moveAside(t *testing.T, db string) {
	t.Helper()
	path := filepath.Join(filepath.Dir(db), "keys", "moudesk.db.audit-checkpoint")
	if err := os.Rename(path, path+".aside"); err != nil {
		t.Fatal(err)
	}
}

func moveBack(t *testing.T, db string) {
	t.Helper()
	path := filepath.Join(filepath.Dir(db), "keys", "moudesk.db.audit-checkpoint")
	if err := os.Rename(path+".aside", path); err != nil {
		t.Fatal(err)
	}
}

var anchoredRE = regexp.MustCompile(`anchors event (\d+)`)

// TestAuditServerAnchorsAndCertificatePrintsHead runs the real server
// with the demo: it keeps the checkpoint at the newest event while it
// runs and when it stops, and the certificate of completion of the
// executed MOU prints the audit head, which `audit verify --certificate`
// holds the log to even when the checkpoint is gone.
func TestAuditServerAnchorsAndCertificatePrintsHead(t *testing.T) {
	testtool.Need(t, "pdftotext", "poppler-utils")
	db := filepath.Join(t.TempDir(), "data", "moudesk.db")
	addr, _, stop := demoServer(t, db)
	anchored := func() int64 {
		out, _, err := runCmd(t, db, "", "audit", "verify")
		m := anchoredRE.FindStringSubmatch(out)
		if err != nil || m == nil {
			t.Fatalf("audit verify while serving = %q, %v", out, err)
		}
		var n int64
		fmt.Sscan(m[1], &n)
		return n
	}
	deadline := time.Now().Add(10 * time.Second)
	for anchored() != lastSeq(t, db) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if a, l := anchored(), lastSeq(t, db); a != l {
		t.Fatalf("the running server anchored event %d; the log ends at %d", a, l)
	}

	var cert []byte
	var certSeq int64
	for id := 1; id <= 5 && cert == nil; id++ {
		res, err := http.Get(fmt.Sprintf("http://%s/api/v1/mous/%d/certificate.pdf", addr, id))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			cert, certSeq = body, lastSeq(t, db)-1 // the certificate's own event follows the head it prints
		}
	}
	if cert == nil {
		t.Fatal("no certificate of completion for any demo MOU")
	}
	heads := audit.FindHeads(testtool.PDFText(t, cert))
	if len(heads) != 1 || heads[0].Seq != certSeq {
		t.Fatalf("certificate prints heads %v; want event %d", heads, certSeq)
	}
	var hash string
	raw, _ := sql.Open("sqlite3", db)
	raw.QueryRow("SELECT hash FROM audit_events WHERE seq = ?", certSeq).Scan(&hash)
	raw.Close()
	if hash != heads[0].Hash {
		t.Fatalf("certificate prints hash %s for event %d; the log holds %s", heads[0].Hash, certSeq, hash)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if a, l := anchored(), lastSeq(t, db); a != l {
		t.Fatalf("after stopping, the checkpoint anchors event %d; the log ends at %d", a, l)
	}
	certFile := filepath.Join(t.TempDir(), "certificate.pdf")
	os.WriteFile(certFile, cert, 0o600)
	if out, _, err := runCmd(t, db, "", "audit", "verify", "--certificate", certFile); err != nil || !strings.Contains(out, "certificate "+certFile+" anchors event") {
		t.Fatalf("audit verify --certificate = %q, %v", out, err)
	}

	// Cut the log below the certificate's head and take the checkpoint
	// away too: the chain alone still verifies, the certificate does not.
	sqlExec(t, db, fmt.Sprintf("DELETE FROM audit_events WHERE seq >= %d", certSeq-2))
	moveAside(t, db)
	if out, _, err := runCmd(t, db, "", "audit", "verify"); err != nil || !strings.Contains(out, "no checkpoint") {
		t.Fatalf("without checkpoint or certificate = %q, %v; want ok with a warning", out, err)
	}
	wantBroken(t, db, certSeq-3, fmt.Sprintf("events %d to %d were deleted", certSeq-2, certSeq), "--certificate", certFile)
	moveBack(t, db)
	wantBroken(t, db, certSeq-3, "were deleted")
}
