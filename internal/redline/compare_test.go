package redline

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkResult asserts the invariants every redline keeps.
func checkResult(t *testing.T, name, old, new string, r *Result) {
	t.Helper()
	gotOld, gotNew := sides(r.Ops)
	if gotOld != old {
		t.Errorf("%s: equal+delete ops do not rebuild the old text (%d vs %d bytes)", name, len(gotOld), len(old))
	}
	if gotNew != new {
		t.Errorf("%s: equal+insert ops do not rebuild the new text (%d vs %d bytes)", name, len(gotNew), len(new))
	}
	checkOps(t, name+" document ops", r.Ops)
	for _, c := range r.Sections {
		checkOps(t, name+" section "+c.Key, c.Ops)
	}
}

func sides(ops []Op) (old, new string) {
	var o, n strings.Builder
	for _, op := range ops {
		if op.Op != OpInsert {
			o.WriteString(op.Text)
		}
		if op.Op != OpDelete {
			n.WriteString(op.Text)
		}
	}
	return o.String(), n.String()
}

// checkOps asserts ops are canonical (no empty text, no two adjacent of a
// kind and move; a move's ends are labelled changes) and that no change starts or ends inside a word. That is checked
// on each side separately: on the old side (equal and delete ops) and on
// the new (equal and insert), no boundary between an unchanged and a
// changed run has a letter or digit on both sides. A delete next to an
// insert is not a boundary in either text.
func checkOps(t *testing.T, name string, ops []Op) {
	t.Helper()
	for k, op := range ops {
		if op.Text == "" {
			t.Errorf("%s: op %d is empty", name, k)
		}
		if k > 0 && ops[k-1].Op == op.Op && ops[k-1].Move == op.Move {
			t.Errorf("%s: ops %d and %d are both %s (move %d)", name, k-1, k, op.Op, op.Move)
		}
		if (op.Move != 0) != (op.Label != "") || (op.Move != 0 && op.Op == OpEqual) {
			t.Errorf("%s: op %d is %s with move %d, label %q", name, k, op.Op, op.Move, op.Label)
		}
	}
	for _, skip := range []string{OpInsert, OpDelete} {
		var side []Op
		for _, op := range ops {
			if op.Op != skip {
				side = appendOp(side, op.Op, op.Text)
			}
		}
		for k := 1; k < len(side); k++ {
			prev, op := side[k-1], side[k]
			a, _ := utf8.DecodeLastRuneInString(prev.Text)
			b, _ := utf8.DecodeRuneInString(op.Text)
			if alnum(a) && alnum(b) {
				t.Errorf("%s: a change boundary splits a word: …%q|%q…", name, tail(prev.Text), head(op.Text))
			}
		}
	}
}

func alnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func tail(s string) string {
	if len(s) > 20 {
		return s[len(s)-20:]
	}
	return s
}

func head(s string) string {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}

func TestComparePairs(t *testing.T) {
	for _, p := range docPairs(t) {
		t.Run(p.name, func(t *testing.T) {
			r := Compare(Split(p.old), Split(p.new), Options{})
			checkResult(t, p.name, p.old, p.new, r)
			if !r.HasChanges() {
				t.Errorf("%s: the pair differs but the redline shows no change", p.name)
			}
			same := Compare(Split(p.old), Split(p.old), Options{})
			checkResult(t, p.name+" (A,A)", p.old, p.old, same)
			if same.HasChanges() || len(same.Summary.Changed) != 0 {
				t.Errorf("%s: Compare(A, A) has changes: %+v", p.name, same.Summary)
			}
		})
	}
}

// The bench pair moves "3. School-Year Dates" unedited from after §2 to
// after §59. Its heading repeats (§27, §51), so Split's positional keys
// shift; the move must still be found by content.
func TestCompareBenchMove(t *testing.T) {
	p := benchPair()
	old, new := Split(p.old), Split(p.new)
	if len(old.Sections) != 62 || len(new.Sections) != 62 {
		t.Fatalf("the bench pair has %d and %d sections, want 62", len(old.Sections), len(new.Sections))
	}
	r := Compare(old, new, Options{})
	var moved []SectionChange
	for _, c := range r.Sections {
		if c.Status == StatusMoved {
			moved = append(moved, c)
		}
		if c.Status == StatusAdded || c.Status == StatusRemoved {
			t.Errorf("section %s reported %s; the bench pair only moves and edits", c.Key, c.Status)
		}
	}
	if len(moved) != 1 {
		t.Fatalf("want exactly one moved section, got %+v", moved)
	}
	c := moved[0]
	if c.Heading != "School-Year Dates" || c.MovedFrom != "3" || c.MovedAfter != "§2 Term of Agreement" || c.Modified ||
		c.WordsInserted != 0 || c.WordsDeleted != 0 {
		t.Errorf("moved section = %+v", c)
	}
	if r.Summary.Moved != 1 {
		t.Errorf("summary says %d moved", r.Summary.Moved)
	}
	var text strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	// Its printed number did not follow it, so both ends are named by
	// the section each follows: where it came from and where it is now.
	if !strings.Contains(text.String(), "§3 School-Year Dates — moved from after §2 Term of Agreement to after §59 Training Before Assignment\n") {
		t.Errorf("text output does not report the move:\n%s", head(text.String()))
	}
	movedWords := 0
	for _, s := range new.Sections {
		if s.Key == c.Key {
			movedWords = countWords(s.Text)
		}
	}
	want := []Move{{ID: 1, Kind: MoveSection, From: "after §2 Term of Agreement", To: "after §59 Training Before Assignment",
		FromKey: "school-year-dates", ToKey: c.Key, Words: movedWords}}
	if !reflect.DeepEqual(r.Moves, want) || c.Move != 1 || r.Summary.MovedParagraphs != 0 {
		t.Errorf("moves = %+v, section move %d, want %+v", r.Moves, c.Move, want)
	}
	// Both ends are labelled ops of the document.
	var ends []string
	for _, op := range r.Ops {
		if op.Move != 0 {
			ends = append(ends, op.Op+" "+op.Label)
		}
	}
	if fmt.Sprint(ends) != "[delete moved to after §59 Training Before Assignment insert moved from after §2 Term of Agreement]" {
		t.Errorf("labelled ops = %q", ends)
	}
}

func TestCompareSmallPair(t *testing.T) {
	old, new := readFile(t, "testdata/small.before.md"), readFile(t, "testdata/small.after.md")
	r := Compare(Split(old), Split(new), Options{})
	checkResult(t, "small", old, new, r)
	got := map[string]SectionChange{}
	for _, c := range r.Sections {
		got[c.Key] = c
	}
	for key, status := range map[string]string{
		"memorandum-of-understanding":     StatusUnchanged,
		"purpose":                         StatusModified,
		"term-of-agreement":               StatusModified,
		"notifying-parents-and-guardians": StatusMoved,
		"de-escalation":                   StatusAdded,
		"use-of-force":                    StatusModified,
		"uniforms":                        StatusRemoved,
	} {
		if got[key].Status != status {
			t.Errorf("%s: status %q, want %q", key, got[key].Status, status)
		}
	}
	if c := got["notifying-parents-and-guardians"]; c.OldHeading != "Parent Notification" || c.OldNumber != "4" || c.Modified {
		t.Errorf("renamed and moved section = %+v", c)
	}
	if c := got["use-of-force"]; c.OldNumber != "3" || c.Number != "5" {
		t.Errorf("use-of-force numbers = %q → %q", c.OldNumber, c.Number)
	}
	// A changed number is a changed word, never "Section 1[-4-][+5+]".
	want := []Op{{Op: OpEqual, Text: "## 1. Purpose\n\nThe parties enter this MOU to keep students safe"},
		{Op: OpInsert, Text: " and supported"}, {Op: OpEqual, Text: ". See Section "}, {Op: OpDelete, Text: "14"}, {Op: OpInsert, Text: "15"},
		{Op: OpEqual, Text: " for reporting.\n\n"}}
	if !reflect.DeepEqual(got["purpose"].Ops, want) {
		t.Errorf("purpose ops = %#v", got["purpose"].Ops)
	}
	wantChanged := []string{"purpose", "term-of-agreement", "notifying-parents-and-guardians", "de-escalation", "use-of-force", "uniforms"}
	if !reflect.DeepEqual(r.Summary.Changed, wantChanged) {
		t.Errorf("Summary.Changed = %q, want %q", r.Summary.Changed, wantChanged)
	}
}

func TestCompareRenumberedOnly(t *testing.T) {
	old := Split("## 1. Scope\n\nText.\n")
	new := Split("## 0. Intro\n\nNew.\n\n## 2. Scope\n\nText.\n")
	r := Compare(old, new, Options{})
	c := r.Sections[1]
	if c.Key != "scope" || c.Status != StatusUnchanged || c.OldNumber != "1" || c.Modified {
		t.Errorf("renumbered section = %+v", c)
	}
	checkResult(t, "renumbered", old.Markdown(), new.Markdown(), r)
}

func TestCompareStableKeysRename(t *testing.T) {
	// Keys stored with revisions are identities: same key, new heading.
	old := Document{Sections: []Section{{Key: "k1", Heading: "Old", Text: "## Old\n\nSame body.\n"}}}
	new := Document{Sections: []Section{{Key: "k1", Heading: "New", Text: "## New\n\nSame body.\n"}}}
	r := Compare(old, new, Options{})
	if c := r.Sections[0]; c.Status != StatusRenamed || c.OldHeading != "Old" || c.Modified {
		t.Errorf("renamed section = %+v", c)
	}
}

// DiffTimeout must be set on purpose: go-diff's default of one second
// would make results depend on how busy the machine is.
func TestCompareTimeout(t *testing.T) {
	for _, opt := range []Options{{}, {Timeout: 5 * time.Second}} {
		if got := newDiffer(opt).dmp.DiffTimeout; got != opt.Timeout {
			t.Errorf("Options.Timeout %v gave DiffTimeout %v", opt.Timeout, got)
		}
	}
	p := benchPair()
	old, new := Split(p.old), Split(p.new)
	exact := Compare(old, new, Options{})
	if again := Compare(old, new, Options{Timeout: 0}); !reflect.DeepEqual(exact, again) {
		t.Error("two exact runs differ")
	}
	// An hour is never reached: the same minimal diff as no bound at all.
	if long := Compare(old, new, Options{Timeout: time.Hour}); !reflect.DeepEqual(exact, long) {
		t.Error("a bound that is never reached changed the result")
	}
	// A bound that is always reached gives a coarser diff, still correct.
	tiny := Compare(old, new, Options{Timeout: time.Nanosecond})
	checkResult(t, "1ns budget", p.old, p.new, tiny)
}

// Bytes go-diff cannot hold as text (invalid UTF-8, NUL) and CRLF line
// ends still come back byte for byte: tokens are slices of the input, and
// only the runes standing for them pass through go-diff.
func TestCompareOddBytes(t *testing.T) {
	old := "## 1. Scope\r\n\r\nThe SRO \xff\xfe shall\x00 act.\r\n## 2. End\r\n\r\nDone \xc3"
	new := "## 1. Scope\r\n\r\nThe officer \xff shall\x00 act now.\r\n## 2. End\r\n\r\nDone \xc3\xa9"
	r := Compare(Split(old), Split(new), Options{})
	checkResult(t, "odd bytes", old, new, r)
	if r.Summary.Modified != 2 {
		t.Errorf("summary = %+v", r.Summary)
	}
}
