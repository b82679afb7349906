package docx

import (
	"strconv"
	"strings"
)

// rpara is a paragraph or table of the document as read, before sections
// are cut: its block, and what decides where sections start.
type rpara struct {
	block
	style     string // style ID
	heading   int    // outline level + 1 (1 = Heading 1), 0 for body text
	title     bool   // Title style
	signature bool   // a moudesk signature-block paragraph
	numID     string
	numbered  bool // has Word numbering
	keys      []string
	comments  []string // IDs of comments anchored here
}

// styleInfo is what the importer needs of a paragraph or run style.
type styleInfo struct {
	name    string
	basedOn string
	outline int // outline level + 1, 0 for none
	numID   string
	ilvl    int
	f       format
	code    bool
}

// numLevel is one level of a numbering definition.
type numLevel struct {
	bullet bool
	start  int
}

// reader holds the parts an import reads and what it found.
type reader struct {
	styles  map[string]*styleInfo
	nums    map[string]map[int]numLevel // numId → level → definition
	links   map[string]string           // relationship ID → target
	rep     *Report
	paras   []rpara
	pending []run // runs of a paragraph whose mark was deleted: they join the next
	listIDs map[string]int
}

// styleChain walks a style and the styles it is based on.
func (r *reader) styleChain(id string, visit func(*styleInfo) bool) {
	for range 16 {
		s, ok := r.styles[id]
		if !ok || visit(s) {
			return
		}
		id = s.basedOn
	}
}

func (r *reader) headingLevel(id string, direct int) (level int, title bool) {
	if direct > 0 {
		return direct, false
	}
	r.styleChain(id, func(s *styleInfo) bool {
		n := strings.ToLower(s.name)
		switch {
		case n == "title":
			title = true
			return true
		case strings.HasPrefix(n, "heading "):
			if v, err := strconv.Atoi(strings.TrimPrefix(n, "heading ")); err == nil && v >= 1 && v <= 9 {
				level = v
				return true
			}
		}
		if s.outline > 0 {
			level = s.outline
			return true
		}
		return false
	})
	if level == 0 && !title {
		switch {
		case id == "Title":
			title = true
		case strings.HasPrefix(id, "Heading"):
			if v, err := strconv.Atoi(strings.TrimPrefix(id, "Heading")); err == nil && v >= 1 && v <= 9 {
				level = v
			}
		}
	}
	return level, title
}

// readStyles reads word/styles.xml.
func (r *reader) readStyles(root *xnode) {
	for _, s := range root.kids {
		if s.local != "style" {
			continue
		}
		info := &styleInfo{}
		if n := s.child("name"); n != nil {
			info.name = n.attrVal("val")
		}
		if n := s.child("basedOn"); n != nil {
			info.basedOn = n.attrVal("val")
		}
		if ppr := s.child("pPr"); ppr != nil {
			if o := ppr.child("outlineLvl"); o != nil {
				if v, err := strconv.Atoi(o.attrVal("val")); err == nil && v >= 0 && v < 9 {
					info.outline = v + 1
				}
			}
			if np := ppr.child("numPr"); np != nil {
				if id := np.child("numId"); id != nil {
					info.numID = id.attrVal("val")
				}
				if l := np.child("ilvl"); l != nil {
					info.ilvl, _ = strconv.Atoi(l.attrVal("val"))
				}
			}
		}
		if rpr := s.child("rPr"); rpr != nil {
			info.f, info.code = runFormat(rpr, 0, false)
		}
		r.styles[s.attrVal("styleId")] = info
	}
}

// readNumbering reads word/numbering.xml into levels per numId.
func (r *reader) readNumbering(root *xnode) {
	abstract := map[string]map[int]numLevel{}
	for _, a := range root.kids {
		if a.local != "abstractNum" {
			continue
		}
		lv := map[int]numLevel{}
		for _, l := range a.kids {
			if l.local != "lvl" {
				continue
			}
			i, _ := strconv.Atoi(l.attrVal("ilvl"))
			nl := numLevel{start: 1}
			if f := l.child("numFmt"); f != nil {
				v := f.attrVal("val")
				nl.bullet = v == "bullet" || v == "none"
			}
			if s := l.child("start"); s != nil {
				if v, err := strconv.Atoi(s.attrVal("val")); err == nil {
					nl.start = v
				}
			}
			lv[i] = nl
		}
		abstract[a.attrVal("abstractNumId")] = lv
	}
	for _, n := range root.kids {
		if n.local != "num" {
			continue
		}
		lv := map[int]numLevel{}
		if a := n.child("abstractNumId"); a != nil {
			for k, v := range abstract[a.attrVal("val")] {
				lv[k] = v
			}
		}
		for _, o := range n.kids {
			if o.local != "lvlOverride" {
				continue
			}
			i, _ := strconv.Atoi(o.attrVal("ilvl"))
			if s := o.child("startOverride"); s != nil {
				if v, err := strconv.Atoi(s.attrVal("val")); err == nil {
					l := lv[i]
					l.start = v
					lv[i] = l
				}
			}
		}
		r.nums[n.attrVal("numId")] = lv
	}
}

// on says whether a toggle property (w:b, w:i …) is set: present and not
// "false", "0" or "off".
func on(n *xnode) bool {
	if n == nil {
		return false
	}
	switch n.attrVal("val") {
	case "false", "0", "off", "none":
		return false
	}
	return true
}

var monoFonts = []string{"courier", "consolas", "mono", "menlo", "monaco", "lucida console"}

// runFormat applies a w:rPr to the format inherited from styles.
func runFormat(rpr *xnode, f format, code bool) (format, bool) {
	set := func(bit format, n *xnode) {
		if n == nil {
			return
		}
		if on(n) {
			f |= bit
		} else {
			f &^= bit
		}
	}
	set(fBold, rpr.child("b"))
	set(fItalic, rpr.child("i"))
	set(fUnderline, rpr.child("u"))
	set(fStrike, rpr.child("strike"))
	if d := rpr.child("dstrike"); on(d) {
		f |= fStrike
	}
	if fonts := rpr.child("rFonts"); fonts != nil {
		name := strings.ToLower(fonts.attrVal("ascii") + " " + fonts.attrVal("hAnsi"))
		for _, m := range monoFonts {
			if strings.Contains(name, m) {
				code = true
			}
		}
	}
	return f, code
}

// body reads the document body's blocks.
func (r *reader) body(b *xnode) {
	for _, n := range b.kids {
		r.blockNode(n)
	}
	if len(r.pending) > 0 {
		r.paras = append(r.paras, rpara{block: block{kind: kPara, runs: r.pending}})
		r.pending = nil
	}
}

func (r *reader) blockNode(n *xnode) {
	switch n.local {
	case "p":
		r.paragraph(n)
	case "tbl":
		r.table(n)
	case "sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag":
		if n.local == "ins" || n.local == "moveTo" {
			r.rep.TrackedChanges.Insertions++
		}
		for _, k := range n.kids {
			r.blockNode(k)
		}
	case "del", "moveFrom":
		r.rep.TrackedChanges.Deletions++
	case "altChunk":
		r.rep.warn("embedded_document", "", "an embedded document (altChunk) was not imported")
	}
}

// paragraph reads a w:p: its style, numbering and runs, tracked changes
// accepted.
func (r *reader) paragraph(p *xnode) {
	rp := rpara{block: block{kind: kPara}}
	var ppr *xnode
	direct := 0
	ilvl, indent := 0, 0
	markDeleted := false
	if ppr = p.child("pPr"); ppr != nil {
		if s := ppr.child("pStyle"); s != nil {
			rp.style = s.attrVal("val")
		}
		if o := ppr.child("outlineLvl"); o != nil {
			if v, err := strconv.Atoi(o.attrVal("val")); err == nil && v >= 0 && v < 9 {
				direct = v + 1
			}
		}
		if np := ppr.child("numPr"); np != nil {
			if id := np.child("numId"); id != nil {
				rp.numID = id.attrVal("val")
			}
			if l := np.child("ilvl"); l != nil {
				ilvl, _ = strconv.Atoi(l.attrVal("val"))
			}
		}
		if in := ppr.child("ind"); in != nil {
			indent, _ = strconv.Atoi(cmpOr(in.attrVal("left"), in.attrVal("start")))
		}
		if rpr := ppr.child("rPr"); rpr != nil {
			if rpr.child("del") != nil || rpr.child("moveFrom") != nil {
				markDeleted = true
			}
		}
		if ppr.child("pPrChange") != nil {
			r.rep.TrackedChanges.FormatChanges++
		}
	}
	if rp.numID == "" {
		r.styleChain(rp.style, func(s *styleInfo) bool {
			if s.numID != "" {
				rp.numID, ilvl = s.numID, s.ilvl
				return true
			}
			return false
		})
	}
	rp.heading, rp.title = r.headingLevel(rp.style, direct)
	// A paragraph style's bold or italic is its look (headings, quotes),
	// not emphasis of the text; only a monospaced style says "code".
	var base format
	baseCode := false
	r.styleChain(rp.style, func(s *styleInfo) bool {
		baseCode = baseCode || s.code
		return false
	})
	switch rp.style {
	case styleSignature, styleSigHeading:
		rp.signature = true
	case styleQuote, "IntenseQuote", "BlockText":
		rp.quote = true
	case styleCode:
		rp.kind = kCode
	case styleRule:
		rp.kind = kRule
	case styleListCont:
		rp.level = max(indent/indentPerLevelTw, 1)
	}
	if rp.numID != "" && rp.numID != "0" && rp.heading == 0 && !rp.title {
		lv, ok := r.nums[rp.numID][ilvl]
		if _, known := r.nums[rp.numID]; known || ok {
			rp.numbered = true
			rp.kind = kItem
			rp.level = min(max(ilvl, 0), 8)
			rp.ordered = !lv.bullet
			if rp.ordered {
				rp.start = max(lv.start, 0)
			}
			id, seen := r.listIDs[rp.numID]
			if !seen {
				id = len(r.listIDs) + 1
				r.listIDs[rp.numID] = id
			}
			rp.list = id
		}
	} else if rp.heading > 0 && rp.numID != "" && rp.numID != "0" {
		rp.numbered = true
	}
	var runs []run
	r.inline(p, &rp, base, baseCode, "", &runs)
	if len(r.pending) > 0 {
		runs = append(r.pending, runs...)
		r.pending = nil
	}
	if markDeleted {
		// The paragraph's mark was deleted: accepted, its text runs on
		// into the next paragraph.
		r.pending = runs
		return
	}
	rp.runs = mergeRuns(runs)
	r.paras = append(r.paras, rp)
}

// inline reads a paragraph's content into runs.
func (r *reader) inline(n *xnode, rp *rpara, base format, baseCode bool, link string, out *[]run) {
	for _, k := range n.kids {
		switch k.local {
		case "r":
			r.run(k, rp, base, baseCode, link, out)
		case "hyperlink":
			l := link
			if id := k.attrVal("id"); id != "" {
				l = r.links[id]
			} else if a := k.attrVal("anchor"); a != "" {
				l = "#" + a
			}
			r.inline(k, rp, base, baseCode, l, out)
		case "ins", "moveTo":
			r.rep.TrackedChanges.Insertions++
			r.inline(k, rp, base, baseCode, link, out)
		case "del", "moveFrom":
			r.rep.TrackedChanges.Deletions++
		case "smartTag", "sdt", "sdtContent", "customXml", "fldSimple", "dir", "bdo":
			r.inline(k, rp, base, baseCode, link, out)
		case "bookmarkStart":
			if name := k.attrVal("name"); strings.HasPrefix(name, bookmarkPrefix) {
				rp.keys = append(rp.keys, strings.ReplaceAll(strings.TrimPrefix(name, bookmarkPrefix), "_", "-"))
			}
		case "commentRangeStart":
			rp.comments = append(rp.comments, k.attrVal("id"))
		case "oMath", "oMathPara":
			r.rep.warn("equation", "", "an equation was left out")
		}
	}
}

// run reads a w:r.
func (r *reader) run(n *xnode, rp *rpara, base format, baseCode bool, link string, out *[]run) {
	f, code := base, baseCode
	if rpr := n.child("rPr"); rpr != nil {
		if s := rpr.child("rStyle"); s != nil {
			id := s.attrVal("val")
			r.styleChain(id, func(si *styleInfo) bool {
				f |= si.f
				code = code || si.code
				return false
			})
			switch id {
			case "Strong":
				f |= fBold
			case "Emphasis":
				f |= fItalic
			case "VerbatimChar", "SourceCode", "HTMLCode":
				code = true
			}
		}
		f, code = runFormat(rpr, f, code)
		if rpr.child("rPrChange") != nil {
			r.rep.TrackedChanges.FormatChanges++
		}
	}
	if link != "" {
		f &^= fUnderline // a link's underline is the link's look
	}
	if code {
		f |= fCode
	}
	for _, k := range n.kids {
		switch k.local {
		case "t":
			*out = append(*out, run{text: k.text, f: f, link: link})
		case "tab", "ptab":
			*out = append(*out, run{text: "\t", f: f, link: link})
		case "br", "cr":
			if k.attrVal("type") == "page" || k.attrVal("type") == "column" {
				continue
			}
			*out = append(*out, run{br: true})
		case "noBreakHyphen":
			*out = append(*out, run{text: "-", f: f, link: link})
		case "sym":
			r.rep.warn("symbol", "", "a symbol-font character was left out")
		case "drawing", "pict", "object":
			r.rep.warn("image", "", "an image or embedded object was left out: Markdown sections hold text only")
		case "footnoteReference", "endnoteReference":
			r.rep.warn("note", "", "a footnote or endnote was left out")
		case "commentReference":
			rp.comments = append(rp.comments, k.attrVal("id"))
		}
	}
}

// table reads a simple table: each cell's paragraphs become one line of
// runs. Merged and nested cells are flattened, and said so.
func (r *reader) table(t *xnode) {
	rp := rpara{block: block{kind: kTable}}
	for _, tr := range t.kids {
		if tr.local != "tr" {
			continue
		}
		if trPr := tr.child("trPr"); trPr != nil && trPr.child("del") != nil {
			r.rep.TrackedChanges.Deletions++
			continue
		}
		var row [][]run
		for _, tc := range tr.kids {
			if tc.local != "tc" {
				continue
			}
			if pr := tc.child("tcPr"); pr != nil && (pr.child("gridSpan") != nil || pr.child("vMerge") != nil) {
				r.rep.warn("merged_cells", "", "merged table cells were split into plain cells")
			}
			sub := &reader{styles: r.styles, nums: r.nums, links: r.links, rep: r.rep, listIDs: map[string]int{}}
			for _, k := range tc.kids {
				if k.local == "tbl" {
					r.rep.warn("nested_table", "", "a table inside a table cell was left out")
					continue
				}
				sub.blockNode(k)
			}
			sub.body(&xnode{})
			var cell []run
			for i, p := range sub.paras {
				if i > 0 && len(p.runs) > 0 {
					cell = append(cell, run{text: " "})
				}
				for _, x := range p.runs {
					if x.br {
						x = run{text: " "}
					}
					cell = append(cell, x)
				}
				rp.comments = append(rp.comments, p.comments...)
			}
			row = append(row, mergeRuns(cell))
		}
		if len(row) > 0 {
			rp.rows = append(rp.rows, row)
		}
	}
	if len(rp.rows) > 0 {
		unboldHeader(rp.rows)
		r.paras = append(r.paras, rp)
	}
}

// unboldHeader drops bold from a header row that is bold throughout: a
// Markdown table's first row is its header, already set apart, and Word
// and LibreOffice write the header's bold on its runs.
func unboldHeader(rows [][][]run) {
	for _, cell := range rows[0] {
		for _, r := range cell {
			if strings.TrimSpace(r.text) != "" && r.f&fBold == 0 {
				return
			}
		}
	}
	for _, cell := range rows[0] {
		for i := range cell {
			cell[i].f &^= fBold
		}
	}
}
