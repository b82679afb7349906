package mou

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/redline"
)

// Section is one numbered section of a revision. Key is its identity across
// revisions (feedback and redlines refer to it); the number is its position.
// Clause and ClauseVersion name the library text it was assembled from, or
// are empty for a section the drafter wrote.
type Section struct {
	Key           string `json:"key"`
	Heading       string `json:"heading"`
	Body          string `json:"body"`
	Clause        string `json:"clause,omitempty"`
	ClauseVersion int    `json:"clause_version,omitempty"`
	// Deviation is set by readers that compared Body with the library text
	// (filled with the revision's variables); it is not stored.
	Deviation bool `json:"deviation"`
}

// Content is everything that makes up a revision's text: what the content
// hash covers, plus the variable values the text was filled from.
// Signatures is the revision's signature block, reviewed and approved with
// the text; revisions stored before blocks were have none (nil), and sign
// on their template's block.
type Content struct {
	Title      string            `json:"title"`
	Preamble   string            `json:"preamble"`
	Sections   []Section         `json:"sections"`
	Variables  map[string]string `json:"variables"`
	Signatures []SignatureLine   `json:"signature_block,omitempty"`
	// Obligations are the duties the MOU creates, reviewed and approved
	// with the text and scheduled when it is executed; nil for revisions
	// stored before obligations were (migration 018).
	Obligations []Obligation `json:"obligations,omitempty"`
}

// Revision is an immutable snapshot of an MOU, numbered 1, 2, 3… per MOU.
type Revision struct {
	MOUID       int64     `json:"mou_id"`
	Number      int       `json:"revision"`
	ContentHash string    `json:"content_hash"`
	Author      string    `json:"author"`
	Message     string    `json:"message"`
	CreatedAt   time.Time `json:"created_at"`
	Content
}

// RevisionInfo is a line of an MOU's revision history.
type RevisionInfo struct {
	Number      int       `json:"revision"`
	ContentHash string    `json:"content_hash"`
	Author      string    `json:"author"`
	Message     string    `json:"message"`
	CreatedAt   time.Time `json:"created_at"`
}

// Info is the revision's history line.
func (r *Revision) Info() RevisionInfo {
	return RevisionInfo{Number: r.Number, ContentHash: r.ContentHash, Author: r.Author, Message: r.Message, CreatedAt: r.CreatedAt}
}

// Canonical is THE canonical Markdown of an MOU revision's text; followed by
// its signature block (Content.Markdown, BlockMarkdown) it is the one form
// its content_hash covers and every export starts from:
//
//	"# " + title + "\n\n"
//	preamble (CanonicalBody) + "\n"           — omitted when empty
//	for each section i (1-based):
//	  "## " + i + ". " + heading + "\n\n"
//	  body (CanonicalBody) + "\n"             — the body part omitted when empty
//
// CanonicalBody normalises the text (moudesk.NormalizeText: CRLF and CR
// become LF, Unicode becomes NFC), strips trailing blanks on each line and
// blank lines at both ends, and ends text with one "\n"; title and headings
// are normalised and trimmed. Text is normalised when it is saved, so
// stored revisions are already in this form; normalising here again keeps
// the hash of equal-looking text equal whatever path built the Content.
// Sections are separated by exactly one blank line and
// the document ends with "\n\n" after a non-empty part. The section order is
// part of the text.
func Canonical(title, preamble string, sections []Section) string {
	var b strings.Builder
	for _, s := range Parts(title, preamble, sections) {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Parts splits the canonical Markdown into redline sections: the title and
// preamble as one section keyed "preamble", then one per MOU section keyed
// by its stable key. Joining the parts' Text gives Canonical exactly.
func Parts(title, preamble string, sections []Section) []redline.Section {
	out := make([]redline.Section, 0, len(sections)+1)
	head := "# " + oneLine(title) + "\n\n"
	if p := clause.CanonicalBody(preamble); p != "" {
		head += p + "\n"
	}
	out = append(out, redline.Section{Key: PreambleKey, Text: head})
	for i, s := range sections {
		n := strconv.Itoa(i + 1)
		h := oneLine(s.Heading)
		text := "## " + n + ". " + h + "\n\n"
		if body := clause.CanonicalBody(s.Body); body != "" {
			text += body + "\n"
		}
		out = append(out, redline.Section{Key: s.Key, Heading: h, Number: n, Text: text})
	}
	return out
}

// PreambleKey is the redline key of the title and preamble; section keys
// may not use it, so the two can never be confused.
const PreambleKey = "preamble"

// oneLine is a title or heading as the canonical form holds it.
func oneLine(s string) string { return strings.TrimSpace(moudesk.NormalizeText(s)) }

// ContentHash is the hex SHA-256 of the canonical Markdown, signature block
// included.
func ContentHash(c *Content) string {
	return Hash(c.Markdown())
}

// Hash is the hex SHA-256 of s; section bodies are stored under it.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Markdown is the revision's canonical Markdown: the text (Canonical),
// then its signature block (BlockMarkdown) and its obligations
// (ObligationsMarkdown), when it has them.
func (c *Content) Markdown() string {
	return Canonical(c.Title, c.Preamble, c.Sections) + BlockMarkdown(c.Signatures) + ObligationsMarkdown(c.Obligations)
}

// TextMarkdown is the canonical Markdown without the signature block: what
// a PDF typesets, drawing the block as signature lines of its own.
func (c *Content) TextMarkdown() string { return Canonical(c.Title, c.Preamble, c.Sections) }

// Document is the revision as the redline package compares it, the
// signature block last as a section keyed SignaturesKey, so a changed
// title or signing order shows in a redline like any other change.
func (c *Content) Document() redline.Document {
	parts := Parts(c.Title, c.Preamble, c.Sections)
	if p, ok := blockPart(c.Signatures); ok {
		parts = append(parts, p)
	}
	if p, ok := obligationsPart(c.Obligations); ok {
		parts = append(parts, p)
	}
	return redline.Document{Sections: parts}
}
