package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
)

// TestSaveWorkflowVersion: versions run 1, 2, 3 per name; the same source
// stores nothing; a shipped file never follows an administrator's
// version, so a restart keeps a local edit; each version is audited.
func TestSaveWorkflowVersion(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	admin := moudesk.Actor{UserID: 0, Email: "", Admin: true}
	save := func(actor moudesk.Actor, source string, shipped bool) (int, bool) {
		t.Helper()
		v, created, err := db.SaveWorkflowVersion(ctx, actor, desk.NewWorkflowVersion{Name: "wg", Source: source, Shipped: shipped})
		if err != nil {
			t.Fatal(err)
		}
		return v, created
	}
	steps := []struct {
		name        string
		actor       moudesk.Actor
		source      string
		shipped     bool
		wantVersion int
		wantCreated bool
	}{
		{"FirstShipped", moudesk.System, "a", true, 1, true},
		{"SameShipped", moudesk.System, "a", true, 1, false},
		{"ShippedChanged", moudesk.System, "b", true, 2, true},
		{"AdminEdit", admin, "c", false, 3, true},
		{"AdminSame", admin, "c", false, 3, false},
		{"ShippedAfterEdit", moudesk.System, "d", true, 3, false},
		{"AdminBackToShipped", admin, "b", false, 4, true},
	}
	for _, s := range steps {
		if v, created := save(s.actor, s.source, s.shipped); v != s.wantVersion || created != s.wantCreated {
			t.Errorf("%s: version %d created %v; want %d %v", s.name, v, created, s.wantVersion, s.wantCreated)
		}
	}
	latest, err := db.LatestWorkflowVersion(ctx, "wg")
	if err != nil || latest != 4 {
		t.Fatalf("latest = %d, %v", latest, err)
	}
	v, err := db.WorkflowVersion(ctx, "wg", 2)
	if err != nil || v.Source != "b" || !v.Shipped || v.CreatedBy != "system" {
		t.Fatalf("version 2 = %+v, %v", v, err)
	}
	if _, err := db.WorkflowVersion(ctx, "wg", 5); !moudesk.IsKind(err, moudesk.KindNotFound) {
		t.Fatalf("version 5: %v, want not found", err)
	}
	if _, err := db.LatestWorkflowVersion(ctx, "nope"); !moudesk.IsKind(err, moudesk.KindNotFound) {
		t.Fatalf("latest of nothing: %v, want not found", err)
	}
	vs, err := db.WorkflowVersions(ctx, "")
	if err != nil || len(vs) != 4 || vs[3].Version != 4 || vs[3].Source != "" {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	var audited int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM audit_events WHERE action = 'workflow.version.create'").Scan(&audited); err != nil || audited != 4 {
		t.Fatalf("audited %d versions, %v; want 4", audited, err)
	}
}

// TestWorkflowVersionsAppendOnly: a stored version cannot be changed or
// deleted, and versions cannot skip a number, whatever code runs the SQL.
func TestWorkflowVersionsAppendOnly(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if _, _, err := db.SaveWorkflowVersion(ctx, moudesk.System, desk.NewWorkflowVersion{Name: "wg", Source: "a", Shipped: true}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE workflow_definitions SET source = 'b'",
		"DELETE FROM workflow_definitions",
		"INSERT INTO workflow_definitions (name, version, source, created_at) VALUES ('wg', 3, 'c', 't')",
		"INSERT INTO workflow_definitions (name, version, source, created_at) VALUES ('other', 2, 'c', 't')",
	} {
		_, err := db.write.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "workflow versions") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
}

// TestMigrateWorkflowVersion: an MOU stored before migration 011 follows
// version 1 of its workflow after it, the version the first start stores
// from the shipped file.
func TestMigrateWorkflowVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "moudesk.db")
	old := openBefore(t, path, "_workflow_definitions.sql")
	if _, err := old.Exec("INSERT INTO mous (id, title, template, workflow, stage, current_revision, created_at) VALUES (1, 'Old', 'sro-mou', 'default', 'draft', 0, '2025-01-01T00:00:00Z')"); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m, err := db.MOU(ctx, 1)
	if err != nil || m.Workflow != "default" || m.WorkflowVersion != 1 {
		t.Fatalf("old MOU = %+v, %v", m, err)
	}
}
