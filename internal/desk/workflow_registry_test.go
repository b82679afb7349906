package desk_test

import (
	"context"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/teststore"
)

// TestWorkflowRegistry: the shipped files are stored once as version 1,
// however often a service is built on the database; each version parses
// once; an unknown name or version is 422 unknown_workflow.
func TestWorkflowRegistry(t *testing.T) {
	ctx := context.Background()
	db := teststore.Open(t)
	defs := shipped.Workflows(t)
	var svc *desk.Service
	for range 2 {
		var err error
		if svc, err = desk.New(desk.Config{Store: db, Workflows: defs}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := svc.Workflows().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(defs) {
		t.Fatalf("listed %d workflows, shipped %d", len(list), len(defs))
	}
	for _, w := range list {
		if w.Latest != 1 || w.Problem != "" || w.Title != defs[w.Name].Definition.Title || w.Versions[0].CreatedBy != "system" || !w.Versions[0].Shipped {
			t.Errorf("shipped %s listed as %+v", w.Name, w)
		}
	}
	d1, err := svc.Workflow(ctx, "default", 1)
	if err != nil {
		t.Fatal(err)
	}
	if d2, _ := svc.Workflow(ctx, "default", 1); d2 != d1 {
		t.Error("version 1 of default was parsed twice")
	}
	latest, v, err := svc.Workflows().Latest(ctx, "default")
	if err != nil || v != 1 || latest != d1 {
		t.Fatalf("latest default = v%d, %v", v, err)
	}
	for _, tc := range []struct {
		name    string
		version int
	}{{"default", 2}, {"default", 0}, {"nope", 1}} {
		if _, err := svc.Workflow(ctx, tc.name, tc.version); codeOf(err) != "unknown_workflow" {
			t.Errorf("%s v%d: %v, want unknown_workflow", tc.name, tc.version, err)
		}
	}
	if _, _, err := svc.Workflows().Latest(ctx, "nope"); codeOf(err) != "unknown_workflow" {
		t.Errorf("latest of nope: %v, want unknown_workflow", err)
	}
	// Only an administrator stores a version.
	if _, _, err := svc.SaveWorkflow(ctx, moudesk.Actor{UserID: 9, Email: "ada@city.gov", Party: "pleasanton"}, "default", defs["default"].Source); !moudesk.IsKind(err, moudesk.KindForbidden) {
		t.Errorf("a drafter saved a workflow: %v", err)
	}
}
