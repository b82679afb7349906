// Package shipped loads the definitions shipped in the binary for tests,
// the way cmd/moudesk loads them for the server.
package shipped

import (
	"io/fs"
	"testing"

	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/templates"
)

// Workflows loads the workflow definitions shipped in templates/workflows,
// as cmd/moudesk does, failing tb when they do not load.
func Workflows(tb testing.TB) desk.Workflows {
	tb.Helper()
	sub, err := fs.Sub(templates.FS, "workflows")
	if err != nil {
		tb.Fatal(err)
	}
	defs, err := desk.LoadWorkflows(sub)
	if err != nil {
		tb.Fatal(err)
	}
	return defs
}

// Templates loads the MOU templates shipped in templates/mou, every one.
func Templates(tb testing.TB) map[string]*mou.Template {
	tb.Helper()
	sub, err := fs.Sub(templates.FS, "mou")
	if err != nil {
		tb.Fatal(err)
	}
	tmpls, err := mou.LoadTemplates(sub, func(string) bool { return true })
	if err != nil {
		tb.Fatal(err)
	}
	return tmpls
}

// Variables fills every required variable of the shipped SRO template
// with the library's examples and a three-year term.
func Variables(tb testing.TB) map[string]string {
	tb.Helper()
	lib, err := clause.LoadFS(clauses.FS)
	if err != nil {
		tb.Fatal(err)
	}
	out := clause.ExampleValues(lib)
	out["effective_date"], out["expiration_date"] = "2025-07-01", "2028-06-30"
	delete(out, "amendment_effective_date")
	return out
}
