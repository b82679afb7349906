package desk

import (
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/render"
)

// eq, ins and del are redline ops, for writing a diff in a table.
func eq(s string) redline.Op  { return redline.Op{Op: redline.OpEqual, Text: s} }
func ins(s string) redline.Op { return redline.Op{Op: redline.OpInsert, Text: s} }
func del(s string) redline.Op { return redline.Op{Op: redline.OpDelete, Text: s} }

func TestChangedItem(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []redline.Op
		want int
	}{
		{"no change", []redline.Op{eq("## 1. A\n\n1. x\n2. y\n")}, 0},
		{"in paragraph", []redline.Op{eq("## 1. A\n\nSome "), ins("new "), eq("text.\n")}, 0},
		{"third item", []redline.Op{eq("## 1. A\n\n1. x\n2. y\n3. the "), ins("new "), eq("z\n")}, 3},
		{"list starting at 5", []redline.Op{eq("## 1. A\n\n5) x\n\n   more\n5) y "), del("old")}, 6},
		{"after the list", []redline.Op{eq("## 1. A\n\n1. x\n2. y\n\nAfter "), ins("it")}, 0},
		{"deletion just before a list cites its first item", []redline.Op{del("gone\n"), eq("1. x\n")}, 1},
		{"numbering restarts", []redline.Op{eq("1. a\n2. b\n\nText.\n\n7. c\n8. "), ins("d")}, 8},
		{"a nested list is not the next items", []redline.Op{eq("1. a\n\n2. b:\n   1. x\n   2. y\n\n3. c "), ins("d")}, 3},
		{"in a nested list", []redline.Op{eq("1. a\n\n2. b:\n   1. x\n   2. "), ins("y")}, 2},
	} {
		if got := changedItem(tc.ops); got != tc.want {
			t.Errorf("%s: item %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestMarkdownEscape(t *testing.T) {
	in := "# *not* [a](link) <b> 1. §6"
	out, err := render.HTML([]byte(mdEscape(in)))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(out); strings.Contains(s, "<em>") || strings.Contains(s, "<a ") || strings.Contains(s, "<h1") || !strings.Contains(s, "§6") {
		t.Errorf("escaped Markdown still formats: %s", s)
	}
}

// TestCitations cites each changed section by the page of its first
// changed numbered item when the page map has it, by its heading's page
// otherwise, and a removed section by its label alone; each names the
// paragraphs that moved into or out of it.
func TestCitations(t *testing.T) {
	res := &redline.Result{Sections: []redline.SectionChange{
		{Key: mou.PreambleKey, Status: redline.StatusUnchanged},
		{Key: "records", Number: "6", Heading: "Access to Student Records", Status: redline.StatusModified, WordsInserted: 1,
			Ops: []redline.Op{eq("1. a\n2. b "), ins("new"), eq("\n")}},
		{Key: "term", Number: "7", Heading: "Term", Status: redline.StatusModified, WordsInserted: 2, WordsDeleted: 1,
			Ops: []redline.Op{eq("It runs "), ins("two years")}},
		{Key: "gone", Number: "8", Heading: "Gone", Status: redline.StatusRemoved, WordsDeleted: 3,
			Ops: []redline.Op{del("## 8. Gone\n\n"), {Op: redline.OpDelete, Text: "Moved text here.\n", Move: 1, Label: "moved to §7 ¶2"}}},
	}}
	pages := []SectionPages{
		{Key: "records", Page: 2, Items: []render.ItemPage{{Number: 1, Page: 2}, {Number: 2, Page: 3}}},
		{Key: "term", Page: 4},
		{Key: "gone", Page: 5},
	}
	var got []string
	for _, c := range citations(res, pages, nil) {
		got = append(got, c.Text+" | "+c.Status+" | "+c.Words+" | "+strings.Join(c.Moves, ", "))
	}
	want := []string{
		"§6 Access to Student Records, pg. 3, item #6.2 | modified | +1/−0 words | ",
		"§7 Term, pg. 4, item #7 | modified | +2/−1 words | ",
		"§8 Gone | removed | +0/−3 words | paragraph moved to §7 ¶2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("citations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestChangedExcerpt quotes the whole new line the first change falls in,
// cut to a number of words.
func TestChangedExcerpt(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []redline.Op
		want string
	}{
		{"unchanged", []redline.Op{eq("Same.\n")}, ""},
		{"whole line", []redline.Op{eq("First.\nThe SRO "), ins("never "), eq("sees records.\nLast.\n")}, "The SRO never sees records."},
		{"cut", []redline.Op{ins("one two three four")}, "one two …"},
		{"deletion only", []redline.Op{eq("Keep "), del("this "), eq("line.\n")}, "Keep line."},
	} {
		words := 15
		if tc.name == "cut" {
			words = 2
		}
		if got := changedExcerpt(tc.ops, words); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestMDText keeps user text on one line with its markup escaped.
func TestMDText(t *testing.T) {
	if got, want := mdText("# Title\n\n*x* [y](z) <b>"), `\# Title \*x\* \[y\](z) \<b\>`; got != want {
		t.Errorf("mdText = %q, want %q", got, want)
	}
}
