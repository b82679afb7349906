package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestObligationsCLI lists the demo's executed agreement's obligations
// (its 2023–2026 term is over, so its quarterly citation data is late),
// submits a quarter of citation data as the city's drafter, and is
// refused a bad file (naming row and column) and the district's clerk.
func TestObligationsCLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	_, out, stop := demoServer(t, db)
	pw := map[string]string{}
	for _, r := range accountLine.FindAllStringSubmatch(out.String(), -1) {
		pw[r[2]] = r[3]
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	list, _, err := runCmd(t, db, "", "obligations", "list", "--late")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^(\d+)\s+(\d+)\s+citation-data\s+\S+\s+quarterly\s+late\s`).FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("no late citation-data in:\n%s", list)
	}
	oid := m[1]

	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := "school,month,student_group,citations,arrests\n"
	good := write("q3.csv", head+"Alder Creek High School,2023-07,all,0,0\nAlder Creek High School,2023-08,Black,3,1\n")
	bad := write("bad.csv", head+"Alder Creek High School,2023-07,all,0,0\nAlder Creek High School,2023-08,all,three,1\n")
	drafter, clerk := "pramana@aldercreek.example", "hlindqvist@acusd.example"
	submit := func(email, file string) (string, error) {
		out, _, err := runCmd(t, db, pw[email]+"\n", "report", "submit", "--obligation", oid, "--due", "1", "--email", email, "--password-stdin", file)
		return out, err
	}

	if _, err := submit(drafter, bad); err == nil || !strings.Contains(err.Error(), "row 3, column citations") {
		t.Errorf("a bad file: %v", err)
	}
	if _, err := submit(clerk, good); err == nil || !strings.Contains(err.Error(), "wrong_party") {
		t.Errorf("the district's clerk: %v", err)
	}
	got, err := submit(drafter, good)
	if err != nil || !regexp.MustCompile(`^report \d+: obligation \d+, version 1, 2 rows, sha256 [0-9a-f]{64}\n$`).MatchString(got) {
		t.Fatalf("report submit = %q, %v", got, err)
	}
	if _, _, err := runCmd(t, db, "", "report", "submit", "--obligation", oid, good); exitCode(err) != 2 {
		t.Errorf("without --password-stdin: %v", err)
	}
	list, _, err = runCmd(t, db, "", "obligations", "list", "--mou", m[2])
	if err != nil || !strings.Contains(list, "citation-data") {
		t.Fatalf("obligations list --mou: %q, %v", list, err)
	}
	if _, _, err := runCmd(t, db, "", "audit", "verify"); err != nil {
		t.Errorf("audit verify after the report: %v", err)
	}
}
