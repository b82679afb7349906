package gfm

import (
	"bytes"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// The copies parse and render exactly as the goldmark extensions they were
// taken from.
func TestSameAsGoldmarkExtension(t *testing.T) {
	ours := goldmark.New(goldmark.WithExtensions(Table, Strikethrough, Linkify))
	theirs := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	for _, md := range []string{
		"| Left | Centre | Right | None |\n|:-----|:------:|------:|------|\n| a | **b** | `c\\|d` | ~~e~~ |\n| only one |\n",
		"| a |\n| - |\n\n| not a table\n| --- | --- |\n",
		"Struck ~~through~~ and ~single~ and ~~~three~~~.\n",
		"See https://example.gov/path?q=1&r=(2). Or www.example.org, ftp://files.example.net/x and clerk@city.example.\n",
		"Not a link: http://, https://x, www.x and <https://angle.example>.\n",
		"| Item | Link |\n| --- | --- |\n| 7 | https://leginfo.legislature.ca.gov/faces/codes.xhtml |\n",
		"> | in | quote |\n> |----|-------|\n> | 1  | 2     |\n",
		"- list\n\n  | t | u |\n  |---|---|\n  | v | w |\n",
	} {
		var a, b bytes.Buffer
		if err := ours.Convert([]byte(md), &a); err != nil {
			t.Fatal(err)
		}
		if err := theirs.Convert([]byte(md), &b); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("%q:\nours   %s\ntheirs %s", md, a.String(), b.String())
		}
	}
}
