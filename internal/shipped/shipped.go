// Package shipped loads the definitions shipped in the binary for tests,
// the way cmd/moudesk loads them for the server.
package shipped

import (
	"io/fs"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
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
