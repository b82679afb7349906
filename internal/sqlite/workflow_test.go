package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/sqlite"
	"github.com/moudesk/moudesk/internal/workflow"
)

// TestNoRevisionOnceWithdrawn: a withdrawn MOU takes no new revision, and
// the refused save writes no row.
func TestNoRevisionOnceWithdrawn(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	content := &mou.Content{Title: "T", Sections: []mou.Section{{Key: "a", Heading: "A", Body: "x"}}}
	m, err := db.CreateMOU(ctx, moudesk.System, desk.NewMOU{Template: "sro-mou", Content: content})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Transition(ctx, moudesk.System, shipped.Workflows(t), m.ID, "withdrawn", "abandoned"); err != nil {
		t.Fatal(err)
	}
	before, _ := db.MOURowCounts(ctx)
	_, err = db.CreateRevision(ctx, moudesk.System, m.ID, 1, "late", func(base *mou.Revision) (*mou.Content, error) {
		c := base.Content
		c.Sections = []mou.Section{{Key: "a", Heading: "A", Body: "y"}}
		return &c, nil
	}, nil)
	var re *workflow.RuleError
	if !errors.As(err, &re) || re.Code != workflow.CodeTerminalStage {
		t.Fatalf("revision of a withdrawn MOU: %v", err)
	}
	after, _ := db.MOURowCounts(ctx)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %d → %d", k, v, after[k])
		}
	}
}
