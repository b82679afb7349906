// Package redline computes what changed between two versions of an MOU:
// which sections were added, removed, moved or renamed, and the word-level
// insertions and deletions inside the sections that changed. It renders the
// result as JSON-ready values, as HTML and as plain text. It knows nothing of
// HTTP or storage: callers hand it two Documents.
package redline

import "strings"

// Section is one section of a document as the diff sees it.
type Section struct {
	// Key is the section's identity across revisions, e.g.
	// "access-to-student-records". Sections with the same Key in two
	// documents are the same section, wherever they sit.
	Key string
	// Heading is the heading text without '#' marks and without its leading
	// number, e.g. "Access to Student Records".
	Heading string
	// Number is the display number, e.g. "6"; it may be empty.
	Number string
	// Text is the exact Markdown of the whole section, heading line
	// included. Concatenating every section's Text gives the document byte
	// for byte.
	Text string
	// Slug is the heading's slug before Split made keys unique. Split sets
	// it because the "-2", "-3" it appends to repeated headings follow
	// position, not identity: Compare re-pairs sections that share a
	// repeated Slug by content. Leave it empty when Key is a real identity
	// (for example a key stored with a revision).
	Slug string
}

// Document is an ordered list of sections.
type Document struct{ Sections []Section }

// Markdown returns the document's Markdown: the sections' Texts joined.
func (d Document) Markdown() string {
	n := 0
	for _, s := range d.Sections {
		n += len(s.Text)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range d.Sections {
		b.WriteString(s.Text)
	}
	return b.String()
}

// label is how a section is named to a reader: "§6 Access to Student
// Records", the heading alone when it has no number, or its key when it has
// neither (the preamble).
func label(number, heading, key string) string {
	switch {
	case number != "" && heading != "":
		return "§" + number + " " + heading
	case number != "":
		return "§" + number
	case heading != "":
		return heading
	case key == preambleKey:
		return "Preamble"
	}
	return key
}
