package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/moudesk/moudesk/internal/testtool"
)

// runCmd runs the real command in-process with a temp database.
func runCmd(t *testing.T, db, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "MOUDESK_DB" {
			return db
		}
		return ""
	}
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func exitCode(err error) int {
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	default:
		return 1
	}
}

func TestOperatorCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "moudesk.db")
	if _, _, err := runCmd(t, db, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, db, "", "party", "add", "--slug", "pleasanton", "--name", "City of Pleasanton", "--kind", "city", "--body", "City Council"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, db, "a long enough password\n", "user", "add", "--email", "clerk@city.example", "--name", "Pat Lee", "--role", "clerk", "--party", "nowhere", "--password-stdin"); err == nil {
		t.Fatal("user add accepted an unknown party")
	}
	if _, _, err := runCmd(t, db, "a long enough password\n", "user", "add", "--email", "clerk@city.example", "--name", "Pat Lee", "--role", "clerk,reviewer", "--party", "pleasanton", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, db, "a long enough password\n", "token", "create", "--email", "clerk@city.example", "--label", "agenda", "--password-stdin")
	if err != nil || !strings.HasPrefix(out, "mdk_") || strings.Count(out, "\n") != 1 {
		t.Fatalf("token create printed %q, %v; want the token alone", out, err)
	}
	out, _, err = runCmd(t, db, "", "--db", db, "audit", "verify")
	if err != nil || !strings.Contains(out, "audit chain ok") {
		t.Fatalf("audit verify = %q, %v", out, err)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if _, _, err := runCmd(t, db, "", "backup", "-o", backup); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, backup, "", "audit", "verify"); err != nil {
		t.Fatalf("backup's audit chain: %v", err)
	}

	// Tamper with one audit row behind moudesk's back.
	raw, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE audit_events SET actor = 'someone else' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, _, err = runCmd(t, db, "", "audit", "verify")
	if exitCode(err) == 0 || !strings.Contains(err.Error(), "event 2") {
		t.Fatalf("audit verify after tampering = %v; want a non-zero exit naming event 2", err)
	}
}

func TestUnknownCommand(t *testing.T) {
	_, _, err := runCmd(t, filepath.Join(t.TempDir(), "x.db"), "", "frobnicate")
	if exitCode(err) != 2 {
		t.Fatalf("exit = %d, want 2", exitCode(err))
	}
}

func TestDocumentCommands(t *testing.T) {
	testtool.Need(t, "pdfsig", "poppler-utils")
	qpdf := testtool.Need(t, "qpdf", "qpdf")
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "moudesk.db")
	bench := testtool.WriteBenchMOU(t) + string(filepath.Separator)
	out, _, err := runCmd(t, db, "", "redline", bench+"mou-40p.md", bench+"mou-40p-v2.md", "--format", "text")
	if err != nil || !strings.Contains(out, "moved from") {
		t.Fatalf("redline text: %v; the moved section is not reported as moved:\n%.500s", err, out)
	}
	pdf := filepath.Join(dir, "mou.pdf")
	if _, _, err := runCmd(t, db, "", "render", bench+"mou-40p.md", "-o", pdf); err != nil {
		t.Fatal(err)
	}
	one, two := filepath.Join(dir, "one.pdf"), filepath.Join(dir, "two.pdf")
	if _, _, err := runCmd(t, db, "", "sign", pdf, "-o", one, "--name", "José Peña", "--reason", "approved"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, db, "", "sign", one, "-o", two, "--name", "Zoë Adams"); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(qpdf, "--check", two).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, b)
	}
	out, _, err = runCmd(t, db, "", "verify", two)
	if err != nil || strings.Count(out, "valid, trusted") != 2 {
		t.Fatalf("verify = %v\n%s", err, out)
	}
	// One byte changed inside the first signed range: exit 1.
	data, _ := os.ReadFile(two)
	i := bytes.Index(data, []byte("/Producer"))
	data[i+1] = 'p'
	bad := filepath.Join(dir, "bad.pdf")
	os.WriteFile(bad, data, 0o644)
	_, _, err = runCmd(t, db, "", "verify", bad)
	if exitCode(err) != 1 {
		t.Fatalf("verify of a tampered file: exit %d, want 1", exitCode(err))
	}
	os.WriteFile(filepath.Join(dir, "not.pdf"), []byte("hello"), 0o644)
	_, _, err = runCmd(t, db, "", "verify", filepath.Join(dir, "not.pdf"))
	if exitCode(err) != 2 {
		t.Fatalf("verify of a non-PDF: exit %d, want 2", exitCode(err))
	}
}
