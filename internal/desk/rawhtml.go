package desk

import (
	"fmt"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/render"
)

// Raw HTML is refused wherever document text enters moudesk: the HTML of a
// page and of ?format=html omits it while the PDF that gets signed prints
// it, so a document holding any would show one text and sign another.
// Refusing it keeps one contract — every stored revision and clause renders
// the same words everywhere — instead of a second escaping rule the PDF,
// the page and every export would each have to follow. Text that only
// looks like HTML ("a < b", autolinks, "\<b>") is not raw HTML and passes.
//
// The check is render.FindRawHTML, the renderer's own parser; these
// functions only say which field of which input holds it. Variable values
// never trip it: clause.Fill escapes "<" in them.

// RawHTMLDetails are the details of a raw_html error: where the HTML is.
type RawHTMLDetails struct {
	Section string `json:"section,omitempty"` // section key, or "preamble" for the title and preamble
	Clause  string `json:"clause,omitempty"`  // clause slug
	Line    int    `json:"line"`              // 1-based line within the field
	HTML    string `json:"html"`              // the HTML as written, shortened
}

func rawHTMLError(field, what string, d RawHTMLDetails) error {
	return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "raw_html", Field: field, Data: d,
		Message: fmt.Sprintf("%s contains HTML (%s, line %d); the PDF would print what the page hides. "+
			`Write it as text, or put a backslash before "<" to show it literally.`, what, d.HTML, d.Line)}
}

// checkContentHTML refuses a revision whose title, preamble or any section
// heading or body holds raw HTML. Each part is parsed as it stands in the
// canonical Markdown the renderer gets ("## 3. Heading" and the body under
// it); the error's field is the section's: "sections.KEY.heading" or
// "sections.KEY.body", or "title" / "preamble".
func checkContentHTML(c *mou.Content) error {
	parts := mou.Parts(c.Title, c.Preamble, c.Sections)
	for i, p := range parts {
		found, ok := render.FindRawHTML([]byte(p.Text))
		if !ok {
			continue
		}
		headLen := strings.IndexByte(p.Text, '\n') + 1
		inHead := found.Offset < headLen
		d := RawHTMLDetails{Section: p.Key, Line: found.Line, HTML: found.Text}
		if !inHead {
			d.Line = found.Line - 2 // the heading line and the blank line after it
		}
		switch {
		case i == 0 && inHead:
			return rawHTMLError("title", "The title", d)
		case i == 0:
			return rawHTMLError("preamble", "The preamble", d)
		case inHead:
			return rawHTMLError("sections."+p.Key+".heading", fmt.Sprintf("The heading of section %q", p.Key), d)
		default:
			return rawHTMLError("sections."+p.Key+".body", fmt.Sprintf("Section %q (%s)", p.Key, p.Heading), d)
		}
	}
	return nil
}

// checkClauseHTML refuses a library clause whose body holds raw HTML; the
// field is "body", as in every other clause error, and the details name
// the clause.
func checkClauseHTML(c *clause.Clause) error {
	found, ok := render.FindRawHTML([]byte(c.Body))
	if !ok {
		return nil
	}
	return rawHTMLError("body", fmt.Sprintf("Clause %q", c.Slug), RawHTMLDetails{Clause: c.Slug, Line: found.Line, HTML: found.Text})
}

// checkTemplateHTML refuses an MOU template whose preamble or section
// headings hold raw HTML, so no MOU can start from one. Placeholders are
// checked as written: the values that replace them are escaped.
func checkTemplateHTML(t *mou.Template) error {
	if found, ok := render.FindRawHTML([]byte(t.Preamble)); ok {
		return fmt.Errorf("template %s: the preamble holds HTML on line %d (%s)", t.Slug, found.Line, found.Text)
	}
	for _, s := range t.Sections {
		if found, ok := render.FindRawHTML([]byte("## " + s.Heading)); ok {
			return fmt.Errorf("template %s: the heading of section %s holds HTML (%s)", t.Slug, s.Key, found.Text)
		}
	}
	return nil
}
