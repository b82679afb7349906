package sqlite

import (
	"context"
	"strings"
	"testing"
)

// TestGoverningRecordIsAppendOnly: once written, a meeting, its outcome
// and votes, an approval and a stage change cannot be changed or deleted
// by any statement, whatever code runs it; an approval may only be marked
// stale, once.
func TestGoverningRecordIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	// Rows written directly, with foreign keys off, so the test needs no
	// workflow to reach them: the triggers guard the rows, whatever wrote them.
	for _, q := range []string{
		"PRAGMA foreign_keys = OFF",
		"INSERT INTO meetings (id, mou_id, body, stage, date, revision, created_by, created_at) VALUES (1, 1, 'city_council', 'approval', '2025-06-03', 1, 'clerk', 't')",
		"INSERT INTO meeting_outcomes (meeting_id, outcome, from_stage, to_stage, recorded_by, created_at) VALUES (1, 'approve', 'approval', 'signature', 'clerk', 't')",
		"INSERT INTO meeting_votes (meeting_id, position, member, vote) VALUES (1, 1, 'Member A', 'aye')",
		"INSERT INTO approvals (meeting_id, mou_id, body, content_hash, created_at) VALUES (1, 1, 'city_council', 'abc', 't')",
		"INSERT INTO stage_changes (mou_id, from_stage, to_stage, cause, actor, created_at) VALUES (1, 'approval', 'signature', 'outcome', 'clerk', 't')",
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() { _, _ = db.write.ExecContext(ctx, "PRAGMA foreign_keys = ON") })
	for _, q := range []string{
		"UPDATE meetings SET date = '2025-06-04'",
		"DELETE FROM meetings",
		"UPDATE meeting_outcomes SET outcome = 'reject'",
		"DELETE FROM meeting_outcomes",
		"UPDATE meeting_votes SET vote = 'nay'",
		"DELETE FROM meeting_votes",
		"UPDATE stage_changes SET to_stage = 'draft'",
		"DELETE FROM stage_changes",
		"UPDATE approvals SET content_hash = 'other'",
		"UPDATE approvals SET content_hash = 'other', stale_at = 't2'",
		"DELETE FROM approvals",
	} {
		_, err := db.write.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "marked stale") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
	if _, err := db.write.ExecContext(ctx, "UPDATE approvals SET stale_at = 't2' WHERE stale_at IS NULL"); err != nil {
		t.Fatalf("marking an approval stale: %v", err)
	}
	if _, err := db.write.ExecContext(ctx, "UPDATE approvals SET stale_at = 't3'"); err == nil {
		t.Error("a stale approval's time changed")
	}
	var votes int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM meeting_votes WHERE vote = 'aye'").Scan(&votes); err != nil || votes != 1 {
		t.Fatalf("votes after the refusals: %d, %v", votes, err)
	}
}
