// Package docx writes MOU revisions and redlines as Word documents
// (WordprocessingML, ECMA-376) and reads Word documents back into MOU
// sections. It is written on archive/zip and encoding/xml: no maintained
// Go library both reads and writes tracked changes (w:ins, w:del,
// w:moveFrom, w:moveTo) and comments, and the ones that write only would
// still leave the reader to us.
//
// Both directions go through one block model (block, run): Markdown is
// turned into blocks by one goldmark walker (markdown.go), blocks into
// WordprocessingML (write.go); a document's XML is read into blocks
// (read.go) and blocks into Markdown (tomarkdown.go). A section's
// fingerprint is a hash of its blocks, so the importer can tell a section
// Word left as exported from one someone edited.
package docx

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// format is a run's character formatting.
type format uint8

const (
	fBold format = 1 << iota
	fItalic
	fUnderline
	fStrike
	fCode
)

// run is a piece of text of one format. br marks a hard line break
// (the text is empty then).
type run struct {
	text string
	f    format
	link string
	br   bool
}

// kind is what a block is.
type kind uint8

const (
	kPara    kind = iota // body paragraph; level > 0 continues a list item at that depth
	kHeading             // heading inside a section body (### and lower), level 3..6
	kItem                // list item paragraph, level = nesting depth from 0
	kTable               // simple table, rows of cells of runs
	kCode                // code block, one paragraph with line breaks
	kRule                // thematic break
)

// block is one paragraph or table of a section.
type block struct {
	kind    kind
	level   int
	quote   bool // inside a block quote
	ordered bool // kItem: numbered rather than bulleted
	start   int  // kItem, ordered: the list's first number
	list    int  // kItem: which list the item belongs to (an id unique in the document)
	runs    []run
	rows    [][][]run
}

// text is the block's plain text, tables cell by cell.
func (b *block) text() string {
	var sb strings.Builder
	writeRuns(&sb, b.runs)
	for _, row := range b.rows {
		for i, c := range row {
			if i > 0 {
				sb.WriteString(" ")
			}
			writeRuns(&sb, c)
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

func writeRuns(sb *strings.Builder, runs []run) {
	for _, r := range runs {
		if r.br {
			sb.WriteString("\n")
			continue
		}
		sb.WriteString(r.text)
	}
}

// mergeRuns joins neighbouring runs of the same format and link, and drops
// empty ones: Word and LibreOffice split and join runs freely, so only the
// merged form says what the text is.
func mergeRuns(runs []run) []run {
	out := runs[:0:0]
	for _, r := range runs {
		if !r.br && r.text == "" {
			continue
		}
		if n := len(out); n > 0 && !r.br && !out[n-1].br && out[n-1].f == r.f && out[n-1].link == r.link {
			out[n-1].text += r.text
			continue
		}
		out = append(out, r)
	}
	return out
}

// fingerprint is a hash of a section's heading and blocks as a reader sees
// them: text, formatting, links, list shape. Two sections with the same
// fingerprint print the same.
func fingerprint(heading []run, blocks []block) string {
	h := sha256.New()
	w := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	wr := func(runs []run) {
		for _, r := range mergeRuns(runs) {
			w(strconv.Itoa(int(r.f)) + "|" + strconv.FormatBool(r.br) + "|" + r.link)
			w(r.text)
		}
		w("/")
	}
	wr(heading)
	for _, b := range blocks {
		start := 0
		if b.kind == kItem && b.ordered {
			start = b.start
		}
		w(strconv.Itoa(int(b.kind)) + "," + strconv.Itoa(b.level) + "," + strconv.FormatBool(b.quote) + "," +
			strconv.FormatBool(b.ordered) + "," + strconv.Itoa(start))
		wr(b.runs)
		for _, row := range b.rows {
			for _, c := range row {
				wr(c)
			}
			w("row")
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
