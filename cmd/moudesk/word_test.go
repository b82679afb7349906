package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/docx"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/testtool"
)

// canonicalOf is the content-hash form of a document's text.
func canonicalOf(title, preamble string, secs []docx.Section) string {
	ms := make([]mou.Section, len(secs))
	for i, s := range secs {
		ms[i] = mou.Section{Key: s.Key, Heading: s.Heading, Body: s.Body}
	}
	return mou.Canonical(title, preamble, ms)
}

// TestExportImportFiles: moudesk export writes the bench MOU as Word,
// moudesk import reads it back to the same text; with --old the export is
// a redline whose import is the new version, changes reported.
func TestExportImportFiles(t *testing.T) {
	bench := testtool.WriteBenchMOU(t)
	dir := t.TempDir()
	v1, v2 := filepath.Join(bench, "mou-40p.md"), filepath.Join(bench, "mou-40p-v2.md")
	cases := []struct {
		name string
		out  string
		args []string
		want string // the Markdown file the import must read as
	}{
		{"Revision", "v1.docx", []string{"export", v1, "--footer", "moudesk · test"}, v1},
		{"Redline", "rl.docx", []string{"export", v2, "--old", v1, "--author", "Ana Ruiz"}, v2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(dir, c.out)
			if _, stderr, err := runCmd(t, "", "", append(c.args, "-o", file)...); err != nil {
				t.Fatalf("%v: %s", err, stderr)
			}
			out, stderr, err := runCmd(t, "", "", "import", file)
			if err != nil {
				t.Fatalf("import: %v: %s", err, stderr)
			}
			var got docx.Imported
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			md, err := os.ReadFile(c.want)
			if err != nil {
				t.Fatal(err)
			}
			want := docx.FromMarkdown(string(md))
			if canonicalOf(got.Title, got.Preamble, got.Sections) != canonicalOf(want.Title, want.Preamble, want.Sections) {
				t.Errorf("import of %s does not read as %s", c.out, filepath.Base(c.want))
			}
			if c.name == "Redline" && got.Report.TrackedChanges.Insertions == 0 {
				t.Errorf("redline import reports no tracked changes: %s", out[:min(len(out), 300)])
			}
		})
	}
}

func TestImportRefusesFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.docx")
	if err := os.WriteFile(bad, []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCmd(t, "", "", "import", bad)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "not_docx") {
		t.Fatalf("err = %v, want exit 1 naming not_docx", err)
	}
}
