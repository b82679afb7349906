package docx

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// markKind is the tracked change a run or paragraph mark is part of.
type markKind uint8

const (
	mNone markKind = iota
	mIns
	mDel
	mMoveFrom
	mMoveTo
)

// mrun is a run and the change it belongs to.
type mrun struct {
	run
	mark markKind
}

// body writes word/document.xml's body. It hands out the IDs that must be
// unique in the document: bookmarks, revisions, hyperlink relationships,
// list instances.
type body struct {
	b       strings.Builder
	links   []string
	linkID  map[string]int
	lists   []listInstance
	listNum map[int]int // block.list → w:numId
	nextID  int         // bookmarks and revisions share one counter
	author  string
	date    string
}

func newBody(author string, at time.Time) *body {
	w := &body{linkID: map[string]int{}, listNum: map[int]int{}, author: author}
	if author == "" {
		w.author = "moudesk"
	}
	if !at.IsZero() {
		w.date = at.UTC().Format("2006-01-02T15:04:05Z")
	}
	return w
}

func (w *body) id() int {
	w.nextID++
	return w.nextID
}

// revAttrs are the attributes of a tracked change.
func (w *body) revAttrs() string {
	s := fmt.Sprintf(` w:id="%d" w:author="%s"`, w.id(), esc(w.author))
	if w.date != "" {
		s += ` w:date="` + w.date + `"`
	}
	return s
}

var markTags = [...]string{mIns: "w:ins", mDel: "w:del", mMoveFrom: "w:moveFrom", mMoveTo: "w:moveTo"}

// para writes one paragraph: style, numbering, indentation, the mark of
// its paragraph mark, and its runs. A heading's bookmark names its key.
func (w *body) para(style string, numID, ilvl int, indent int, pmark markKind, bookmark string, runs []mrun) {
	w.b.WriteString(`<w:p><w:pPr>`)
	if style != "" {
		w.b.WriteString(`<w:pStyle w:val="` + style + `"/>`)
	}
	if numID > 0 {
		fmt.Fprintf(&w.b, `<w:numPr><w:ilvl w:val="%d"/><w:numId w:val="%d"/></w:numPr>`, ilvl, numID)
	}
	if indent > 0 {
		fmt.Fprintf(&w.b, `<w:ind w:left="%d"/>`, indent)
	}
	if pmark != mNone {
		w.b.WriteString(`<w:rPr><` + markTags[pmark] + w.revAttrs() + `/></w:rPr>`)
	}
	w.b.WriteString(`</w:pPr>`)
	bm := 0
	if bookmark != "" {
		bm = w.id()
		fmt.Fprintf(&w.b, `<w:bookmarkStart w:id="%d" w:name="%s"/>`, bm, esc(bookmark))
	}
	for i := 0; i < len(runs); {
		j := i + 1
		for j < len(runs) && runs[j].mark == runs[i].mark && runs[j].link == runs[i].link {
			j++
		}
		w.runGroup(runs[i:j])
		i = j
	}
	if bm > 0 {
		fmt.Fprintf(&w.b, `<w:bookmarkEnd w:id="%d"/>`, bm)
	}
	w.b.WriteString(`</w:p>`)
}

// runGroup writes runs sharing one change and one link.
func (w *body) runGroup(runs []mrun) {
	// A hyperlink holds tracked changes, never the other way round: w:ins
	// and w:del may hold only runs.
	m, link := runs[0].mark, runs[0].link
	if link != "" {
		if strings.HasPrefix(link, "#") {
			w.b.WriteString(`<w:hyperlink w:anchor="` + esc(link[1:]) + `">`)
		} else {
			n, ok := w.linkID[link]
			if !ok {
				n = len(w.links)
				w.links = append(w.links, link)
				w.linkID[link] = n
			}
			fmt.Fprintf(&w.b, `<w:hyperlink r:id="rId%d">`, 10+n)
		}
	}
	if m != mNone {
		w.b.WriteString(`<` + markTags[m] + w.revAttrs() + `>`)
	}
	for _, r := range runs {
		w.run(r.run, m == mDel, link != "")
	}
	if m != mNone {
		w.b.WriteString(`</` + markTags[m] + `>`)
	}
	if link != "" {
		w.b.WriteString(`</w:hyperlink>`)
	}
}

// run writes one w:r. Deleted text is w:delText, as Word requires.
func (w *body) run(r run, deleted, link bool) {
	w.b.WriteString(`<w:r>`)
	if r.f != 0 || link {
		w.b.WriteString(`<w:rPr>`)
		if link {
			w.b.WriteString(`<w:rStyle w:val="Hyperlink"/>`)
		}
		if r.f&fCode != 0 {
			w.b.WriteString(`<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>`)
		}
		if r.f&fBold != 0 {
			w.b.WriteString(`<w:b/>`)
		}
		if r.f&fItalic != 0 {
			w.b.WriteString(`<w:i/>`)
		}
		if r.f&fStrike != 0 {
			w.b.WriteString(`<w:strike/>`)
		}
		if r.f&fUnderline != 0 {
			w.b.WriteString(`<w:u w:val="single"/>`)
		}
		w.b.WriteString(`</w:rPr>`)
	}
	if r.br {
		w.b.WriteString(`<w:br/></w:r>`)
		return
	}
	tag := "w:t"
	if deleted {
		tag = "w:delText"
	}
	for i, part := range strings.Split(r.text, "\t") {
		if i > 0 {
			w.b.WriteString(`<w:tab/>`)
		}
		if part == "" {
			continue
		}
		w.b.WriteString(`<` + tag + ` xml:space="preserve">` + esc(part) + `</` + tag + `>`)
	}
	w.b.WriteString(`</w:r>`)
}

// numOf is the w:numId of a list item's list, made on first use.
func (w *body) numOf(b *block) int {
	if n, ok := w.listNum[b.list]; ok {
		return n
	}
	n := firstListNumID + len(w.lists)
	w.lists = append(w.lists, listInstance{numID: n, ordered: b.ordered, level: b.level, start: b.start})
	w.listNum[b.list] = n
	return n
}

// block writes a body block with every run and its paragraph mark under
// mark m.
func (w *body) block(b *block, m markKind) {
	if b.kind == kTable {
		w.table(b, m)
		return
	}
	w.blockRuns(b, marked(b.runs, m), rowMark(m))
}

// blockRuns writes a paragraph block with runs already marked; pmark is
// its paragraph mark's change.
func (w *body) blockRuns(b *block, runs []mrun, pmark markKind) {
	style, numID, ilvl, indent := "", 0, 0, 0
	switch b.kind {
	case kHeading:
		style = "Heading" + strconv.Itoa(min(max(b.level, 3), 6))
	case kItem:
		style, numID, ilvl = styleListPara, w.numOf(b), min(b.level, 8)
	case kCode:
		style = styleCode
	case kRule:
		style = styleRule
	case kPara:
		if b.level > 0 {
			style, indent = styleListCont, b.level*indentPerLevelTw
		}
	}
	if b.quote {
		if style == "" {
			style = styleQuote
		} else {
			indent += indentPerLevelTw
		}
	}
	w.para(style, numID, ilvl, indent, pmark, "", runs)
}

func marked(runs []run, m markKind) []mrun {
	out := make([]mrun, len(runs))
	for i, r := range runs {
		out[i] = mrun{run: r, mark: m}
	}
	return out
}

// table writes a simple table; its first row repeats as a header. A
// whole table inserted or deleted marks each row and cell.
func (w *body) table(b *block, m markKind) {
	cols := 0
	for _, row := range b.rows {
		cols = max(cols, len(row))
	}
	if cols == 0 {
		return
	}
	width := 9360 / cols
	w.b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/><w:tblLook w:val="04A0" w:firstRow="1"/></w:tblPr><w:tblGrid>`)
	for range cols {
		fmt.Fprintf(&w.b, `<w:gridCol w:w="%d"/>`, width)
	}
	w.b.WriteString(`</w:tblGrid>`)
	for i, row := range b.rows {
		w.b.WriteString(`<w:tr>`)
		if i == 0 || m != mNone {
			w.b.WriteString(`<w:trPr>`)
			if i == 0 {
				w.b.WriteString(`<w:tblHeader/>`)
			}
			// Word has no row move: a moved table's rows are deleted at
			// the old place and inserted at the new.
			if rm := rowMark(m); rm != mNone {
				w.b.WriteString(`<` + markTags[rm] + w.revAttrs() + `/>`)
			}
			w.b.WriteString(`</w:trPr>`)
		}
		for c := 0; c < cols; c++ {
			fmt.Fprintf(&w.b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>`, width)
			var runs []run
			if c < len(row) {
				runs = row[c]
			}
			w.para("", 0, 0, 0, rowMark(m), "", marked(runs, m))
			w.b.WriteString(`</w:tc>`)
		}
		w.b.WriteString(`</w:tr>`)
	}
	w.b.WriteString(`</w:tbl>`)
}

// document wraps the body in w:document with the section properties:
// US Letter, one-inch margins, the footer.
func (w *body) document() string {
	return xmlHeader + `<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:body>` + w.b.String() +
		`<w:sectPr><w:footerReference w:type="default" r:id="rId4"/><w:pgSz w:w="12240" w:h="15840"/>` +
		`<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>` +
		`</w:body></w:document>`
}

// rowMark is how a table row or a paragraph mark shows a change: moves
// as deletions and insertions. LibreOffice leaves an empty paragraph (a
// stray list number) where a moved paragraph's mark is marked as moved;
// marked deleted at the old place and inserted at the new, the paragraph
// goes whichever way the move is taken.
func rowMark(m markKind) markKind {
	switch m {
	case mIns, mMoveTo:
		return mIns
	case mDel, mMoveFrom:
		return mDel
	}
	return mNone
}
