package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/testtool"
)

// The json format written to a file is exactly what encoding/json makes
// of the library's redline, and its ops rebuild both files byte for byte.
func TestRedlineJSONFile(t *testing.T) {
	bench := testtool.WriteBenchMOU(t) + string(filepath.Separator)
	oldMD, err := os.ReadFile(bench + "mou-40p.md")
	if err != nil {
		t.Fatal(err)
	}
	newMD, err := os.ReadFile(bench + "mou-40p-v2.md")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "rl.json")
	if _, _, err := runCmd(t, "", "", "redline", "--format", "json", "-o", out, bench+"mou-40p.md", bench+"mou-40p-v2.md"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(redline.Compare(redline.Split(string(oldMD)), redline.Split(string(newMD)), redline.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, append(want, '\n')) {
		t.Fatalf("redline --format json wrote %d bytes that differ from encoding/json's %d", len(got), len(want)+1)
	}
	var r redline.Result
	if err := json.Unmarshal(got, &r); err != nil {
		t.Fatal(err)
	}
	var o, n strings.Builder
	for _, op := range r.Ops {
		if op.Op != redline.OpInsert {
			o.WriteString(op.Text)
		}
		if op.Op != redline.OpDelete {
			n.WriteString(op.Text)
		}
	}
	if o.String() != string(oldMD) || n.String() != string(newMD) || r.Summary.Moved != 1 {
		t.Fatalf("ops rebuild old %v, new %v; moved %d", o.String() == string(oldMD), n.String() == string(newMD), r.Summary.Moved)
	}
}
