package docx

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Document is an MOU revision as this package writes and reads it. Bodies
// are Markdown; headings are one line.
type Document struct {
	Title      string
	Preamble   string
	Sections   []Section
	Signatures []Signature // the printed signature block, in order
	Footer     string      // every page's footer, before the page number
	Meta       Meta
	Time       time.Time // the revision's time: document properties and zip entries
}

// Section is one numbered section.
type Section struct {
	Key     string `json:"key"`
	Heading string `json:"heading"`
	Body    string `json:"body"`
}

// Signature is one printed signature line: the heading above it (party,
// or "ATTEST:" and the party), and the name and title under it.
type Signature struct {
	Heading string
	Name    string
	Title   string
}

// Meta travels inside the document (customXml/item1.xml) so an import can
// tell where a document came from. SignatureBlock is the revision's block
// as the service stores it, opaque to this package.
type Meta struct {
	MOU            int64           `json:"mou,omitempty"`
	Revision       int             `json:"revision,omitempty"`
	ContentHash    string          `json:"content_hash,omitempty"`
	SignatureBlock json.RawMessage `json:"signature_block,omitempty"`
}

// Limits on what Write takes, far beyond any MOU, so a document-sized
// request cannot make a giant file.
const (
	maxExportBytes = 8 << 20
)

// bookmarkPrefix starts the hidden bookmark on each section heading that
// keeps its key. Keys are slugs (letters, digits, hyphens); Word's
// bookmark names allow no hyphen, so a hyphen is written as "_".
const bookmarkPrefix = "_mk_"

func keyBookmark(key string) string { return bookmarkPrefix + strings.ReplaceAll(key, "-", "_") }

// Write writes d as a Word document.
func Write(w io.Writer, d *Document) error {
	if n := docSize(d); n > maxExportBytes {
		return fmt.Errorf("docx: document is %d bytes, over the %d byte limit", n, maxExportBytes)
	}
	c := newConverter()
	bw := newBody("", time.Time{})
	meta := newMetaWriter(d.Meta)
	title, pre := c.inline(d.Title), c.blocks(d.Preamble)
	writeTitle(bw, title, pre, mNone)
	meta.section(preambleKey, fingerprint(title, pre), d.Title, d.Preamble)
	for _, s := range d.Sections {
		h, bs := c.inline(s.Heading), c.blocks(s.Body)
		bw.para(styleSection, 0, 0, 0, mNone, keyBookmark(s.Key), marked(h, mNone))
		for i := range bs {
			bw.block(&bs[i], mNone)
		}
		meta.section(s.Key, fingerprint(h, bs), s.Heading, s.Body)
	}
	writeSignatures(bw, d.Signatures)
	return writePackage(w, d.Time, packageParts(bw, d, meta.String(), false))
}

// preambleKey names the title and preamble in the metadata, as in
// mou.PreambleKey.
const preambleKey = "preamble"

func writeTitle(bw *body, title []run, pre []block, m markKind) {
	bw.para(styleTitle, 0, 0, 0, m, "", marked(title, m))
	for i := range pre {
		bw.block(&pre[i], m)
	}
}

// writeSignatures writes the signature block: a heading on a new page,
// then for each line its heading, room to sign, the line, name, title and
// a date blank. Its paragraphs are in the signature styles, so an import
// leaves them out of the sections.
func writeSignatures(bw *body, sigs []Signature) {
	if len(sigs) == 0 {
		return
	}
	line := func(runs ...run) { bw.para(styleSignature, 0, 0, 0, mNone, "", marked(runs, mNone)) }
	bw.para(styleSigHeading, 0, 0, 0, mNone, "", marked([]run{{text: "Signatures"}}, mNone))
	for _, s := range sigs {
		line(run{text: cmpOr(s.Heading, "Signatory"), f: fBold})
		line()
		line(run{text: strings.Repeat("_", 40)})
		line(run{text: "Name: ", f: fBold}, run{text: s.Name})
		line(run{text: "Title: ", f: fBold}, run{text: s.Title})
		line(run{text: "Date: ", f: fBold}, run{text: strings.Repeat("_", 20)})
		line()
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// packageParts are every part of the package around a written body.
func packageParts(bw *body, d *Document, meta string, track bool) []part {
	return []part{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", packageRels},
		{"word/document.xml", bw.document()},
		{"word/_rels/document.xml.rels", documentRels(bw.links)},
		{"word/styles.xml", stylesXML},
		{"word/numbering.xml", numbering(bw.lists)},
		{"word/settings.xml", settings(track)},
		{"word/footer1.xml", footer(d.Footer)},
		{"docProps/core.xml", coreProps(d.Title, d.Time)},
		{"customXml/item1.xml", meta},
		{"customXml/_rels/item1.xml.rels", itemRels},
		{"customXml/itemProps1.xml", itemProps},
	}
}

// metaWriter builds customXml/item1.xml: where the document came from,
// and each section's Markdown with the fingerprint of how it printed. An
// import takes a section's Markdown from here only while its fingerprint
// still matches, that is while no one changed it in Word; so a re-import
// of an unedited section gives its text byte for byte, and only the
// sections someone edited read differently.
type metaWriter struct{ b strings.Builder }

func newMetaWriter(m Meta) *metaWriter {
	w := &metaWriter{}
	w.b.WriteString(xmlHeader + `<moudesk xmlns="` + nsMeta + `" version="1"`)
	if m.MOU > 0 {
		w.b.WriteString(` mou="` + strconv.FormatInt(m.MOU, 10) + `" revision="` + strconv.Itoa(m.Revision) + `"`)
	}
	if m.ContentHash != "" {
		w.b.WriteString(` content_hash="` + esc(m.ContentHash) + `"`)
	}
	w.b.WriteString(`>`)
	if len(m.SignatureBlock) > 0 {
		w.b.WriteString(`<signature_block>` + esc(string(m.SignatureBlock)) + `</signature_block>`)
	}
	return w
}

func (w *metaWriter) section(key, fp, heading, body string) {
	w.b.WriteString(`<section key="` + esc(key) + `" fingerprint="` + fp + `"><heading>` + esc(heading) + `</heading><body>` + esc(body) + `</body></section>`)
}

func (w *metaWriter) String() string { return w.b.String() + `</moudesk>` }

func docSize(d *Document) int {
	n := len(d.Title) + len(d.Preamble) + len(d.Footer)
	for _, s := range d.Sections {
		n += len(s.Key) + len(s.Heading) + len(s.Body)
	}
	return n
}
