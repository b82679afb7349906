package sqlite

import (
	"context"
	"strings"
	"testing"
)

// TestRecommendationsAreAppendOnly: a recommendation, its dispositions and
// the sections they name cannot be changed or deleted by any statement;
// the tables' checks refuse a disposition without what its kind needs,
// and one naming another MOU's revision.
func TestRecommendationsAreAppendOnly(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	for _, q := range []string{
		"PRAGMA foreign_keys = OFF",
		"INSERT INTO recommendations (id, mou_id, source_body, text, created_at) VALUES (1, 1, 'SRO Advisory Team', 'Develop a complaint process', 't')",
		"INSERT INTO recommendation_dispositions (id, recommendation_id, mou_id, disposition, created_at) VALUES (1, 1, 1, 'open', 't')",
		"INSERT INTO recommendation_dispositions (id, recommendation_id, mou_id, disposition, revision, created_at) VALUES (2, 1, 1, 'adopted', 2, 't')",
		"INSERT INTO recommendation_sections (disposition_id, position, section_key) VALUES (2, 1, 'complaints')",
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() { _, _ = db.write.ExecContext(ctx, "PRAGMA foreign_keys = ON") })
	for _, q := range []string{
		"UPDATE recommendations SET text = 'other'",
		"DELETE FROM recommendations",
		"UPDATE recommendation_dispositions SET disposition = 'declined', reason = 'no'",
		"DELETE FROM recommendation_dispositions",
		"UPDATE recommendation_sections SET section_key = 'other'",
		"DELETE FROM recommendation_sections",
	} {
		_, err := db.write.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
	for _, q := range []string{
		"INSERT INTO recommendation_dispositions (recommendation_id, mou_id, disposition, created_at) VALUES (1, 1, 'adopted', 't')",
		"INSERT INTO recommendation_dispositions (recommendation_id, mou_id, disposition, revision, created_at) VALUES (1, 1, 'met', NULL, 't')",
		"INSERT INTO recommendation_dispositions (recommendation_id, mou_id, disposition, created_at) VALUES (1, 1, 'declined', 't')",
		"INSERT INTO recommendation_dispositions (recommendation_id, mou_id, disposition, reason, created_at) VALUES (1, 1, 'deferred', '', 't')",
		"INSERT INTO recommendation_dispositions (recommendation_id, mou_id, disposition, revision, created_at) VALUES (1, 1, 'open', 2, 't')",
		"INSERT INTO recommendation_dispositions (recommendation_id, mou_id, disposition, created_at) VALUES (1, 1, 'maybe', 't')",
		"INSERT INTO recommendation_dispositions (recommendation_id, mou_id, disposition, revision, created_at) VALUES (1, 2, 'adopted', 1, 't')",
	} {
		if _, err := db.write.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: stored, want refused", q)
		}
	}
}
