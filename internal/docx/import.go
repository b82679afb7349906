package docx

import (
	"encoding/json"
	"path"
	"strconv"
	"strings"
	"unicode"

	"github.com/moudesk/moudesk"
)

// Imported is a Word document read as an MOU: title, preamble, sections
// with Markdown bodies, and the report of what was accepted, found or
// left out.
type Imported struct {
	Title    string    `json:"title"`
	Preamble string    `json:"preamble"`
	Sections []Section `json:"sections"`
	Report   Report    `json:"report"`
	// Meta is what a moudesk export recorded inside the document, empty
	// for other documents.
	Meta Meta `json:"-"`
}

// Report says what an import did besides reading text.
type Report struct {
	// Source names the moudesk MOU and revision the file was exported
	// from, when it was.
	Source         *Source        `json:"source,omitempty"`
	TrackedChanges TrackedChanges `json:"tracked_changes"`
	Comments       []Comment      `json:"comments"`
	Warnings       []Warning      `json:"warnings"`
	// Unchanged lists the sections read back from the export's own
	// Markdown because Word left them as exported.
	Unchanged []string `json:"unchanged,omitempty"`
	// SectionsFrom says what started sections: "headings", "numbering",
	// "numbered_text", "bold_lines" or "none" (one section holds
	// everything).
	SectionsFrom string `json:"sections_from"`
}

// Source is the moudesk revision a document was exported from.
type Source struct {
	MOU         int64  `json:"mou"`
	Revision    int    `json:"revision"`
	ContentHash string `json:"content_hash"`
}

// TrackedChanges counts the tracked changes accepted on import.
type TrackedChanges struct {
	Insertions    int `json:"insertions"`
	Deletions     int `json:"deletions"`
	FormatChanges int `json:"format_changes"`
}

// Comment is a Word comment, with the section it is anchored in.
type Comment struct {
	Section string `json:"section"`
	Author  string `json:"author"`
	Date    string `json:"date,omitempty"`
	Text    string `json:"text"`
}

// Warning is something the import could not keep as it was.
type Warning struct {
	Code    string `json:"code"`
	Section string `json:"section,omitempty"`
	Message string `json:"message"`
	Count   int    `json:"count"`
}

// warn records a warning, counting repeats of one code instead of listing
// them.
func (r *Report) warn(code, section, msg string) {
	for i := range r.Warnings {
		if r.Warnings[i].Code == code {
			r.Warnings[i].Count++
			return
		}
	}
	r.Warnings = append(r.Warnings, Warning{Code: code, Section: section, Message: msg, Count: 1})
}

// metaSection is one section as the export recorded it.
type metaSection struct {
	fingerprint, heading, body string
}

// Import reads a Word document. It refuses (with *Error) what is not a
// DOCX, is over the size limits, inflates past them, has a DOCTYPE, or
// has no text; anything it reads but cannot keep is in the report.
func Import(data []byte) (*Imported, error) {
	p, err := openPackage(data)
	if err != nil {
		return nil, err
	}
	main := mainPart(p)
	docXML, err := p.read(main)
	if err != nil {
		return nil, err
	}
	if docXML == nil {
		return nil, refuse(CodeNotDocx, "the archive has no Word document part (word/document.xml)")
	}
	out := &Imported{Report: Report{Comments: []Comment{}, Warnings: []Warning{}}}
	r := &reader{styles: map[string]*styleInfo{}, nums: map[string]map[int]numLevel{}, links: map[string]string{},
		rep: &out.Report, listIDs: map[string]int{}}
	dir := path.Dir(main)
	if err := readPart(p, dir+"/styles.xml", r.readStyles); err != nil {
		return nil, err
	}
	if err := readPart(p, dir+"/numbering.xml", r.readNumbering); err != nil {
		return nil, err
	}
	if err := readPart(p, dir+"/_rels/"+path.Base(main)+".rels", func(root *xnode) {
		for _, rel := range root.kids {
			if strings.HasSuffix(rel.attrVal("Type"), "/hyperlink") {
				r.links[rel.attrVal("Id")] = rel.attrVal("Target")
			}
		}
	}); err != nil {
		return nil, err
	}
	comments := map[string]Comment{}
	if err := readPart(p, dir+"/comments.xml", func(root *xnode) {
		for _, c := range root.kids {
			if c.local != "comment" {
				continue
			}
			sub := &reader{styles: r.styles, nums: r.nums, links: r.links, rep: &Report{}, listIDs: map[string]int{}}
			sub.body(c)
			var texts []string
			for _, p := range sub.paras {
				if t := strings.TrimSpace(plain(p.runs)); t != "" {
					texts = append(texts, t)
				}
			}
			comments[c.attrVal("id")] = Comment{Author: c.attrVal("author"), Date: c.attrVal("date"), Text: strings.Join(texts, "\n")}
		}
	}); err != nil {
		return nil, err
	}
	meta, err := readMeta(p)
	if err != nil {
		return nil, err
	}
	root, err := parseXML(main, docXML)
	if err != nil {
		return nil, err
	}
	b := root.child("body")
	if b == nil {
		return nil, refuse(CodeNotDocx, "%s has no body", main)
	}
	r.body(b)
	if err := out.sections(r.paras, meta, comments); err != nil {
		return nil, err
	}
	if meta != nil {
		out.Meta = meta.Meta
		if meta.MOU > 0 {
			out.Report.Source = &Source{MOU: meta.MOU, Revision: meta.Revision, ContentHash: meta.ContentHash}
		}
	}
	return out, nil
}

// mainPart is the target of the package's officeDocument relationship,
// word/document.xml when the relationships do not say.
func mainPart(p *pkg) string {
	data, err := p.read("_rels/.rels")
	if err != nil || data == nil {
		return "word/document.xml"
	}
	root, err := parseXML("_rels/.rels", data)
	if err != nil {
		return "word/document.xml"
	}
	for _, rel := range root.kids {
		if strings.HasSuffix(rel.attrVal("Type"), "/officeDocument") {
			t := strings.TrimPrefix(path.Clean("/"+rel.attrVal("Target")), "/")
			if _, ok := p.files[t]; ok {
				return t
			}
		}
	}
	return "word/document.xml"
}

func readPart(p *pkg, name string, use func(*xnode)) error {
	data, err := p.read(name)
	if err != nil || data == nil {
		return err
	}
	root, err := parseXML(name, data)
	if err != nil {
		return err
	}
	use(root)
	return nil
}

// docMeta is the export's metadata as read back.
type docMeta struct {
	Meta
	sections map[string]metaSection
}

// readMeta finds the moudesk metadata among the custom XML parts.
func readMeta(p *pkg) (*docMeta, error) {
	for name := range p.files {
		if !strings.HasPrefix(name, "customXml/item") || strings.Contains(name, "Props") || !strings.HasSuffix(name, ".xml") {
			continue
		}
		data, err := p.read(name)
		if err != nil {
			return nil, err
		}
		root, err := parseXML(name, data)
		if err != nil {
			return nil, err
		}
		if root.local != "moudesk" {
			continue
		}
		m := &docMeta{sections: map[string]metaSection{}}
		m.MOU, _ = strconv.ParseInt(root.attrVal("mou"), 10, 64)
		m.Revision, _ = strconv.Atoi(root.attrVal("revision"))
		m.ContentHash = root.attrVal("content_hash")
		for _, k := range root.kids {
			switch k.local {
			case "signature_block":
				if json.Valid([]byte(k.text)) {
					m.SignatureBlock = json.RawMessage(k.text)
				}
			case "section":
				ms := metaSection{fingerprint: k.attrVal("fingerprint")}
				if h := k.child("heading"); h != nil {
					ms.heading = h.text
				}
				if b := k.child("body"); b != nil {
					ms.body = b.text
				}
				m.sections[k.attrVal("key")] = ms
			}
		}
		return m, nil
	}
	return nil, nil
}

// sections cuts the paragraphs into title, preamble and sections.
func (out *Imported) sections(paras []rpara, meta *docMeta, comments map[string]Comment) error {
	// The signature block is the revision's, not text: leave it out.
	var body []rpara
	sigs := 0
	for _, p := range paras {
		if p.signature {
			sigs++
			continue
		}
		body = append(body, p)
	}
	if sigs > 0 && (meta == nil || len(meta.SignatureBlock) == 0) {
		out.Report.warn("signature_block", "", "the signature block was left out; the MOU's signature block is set in moudesk")
	}
	// The title: a Title paragraph, or the first top-level heading, before
	// any other text.
	titleAt := -1
	for i, p := range body {
		if p.title {
			titleAt = i
			break
		}
		if len(strings.TrimSpace(plain(p.runs))) > 0 || p.kind == kTable {
			break
		}
	}
	start, secLevel := startsOf(body, titleAt, &out.Report)
	if titleAt < 0 {
		for i, p := range body {
			if p.heading == 1 && !start[i] || boldLine(p) && !start[i] {
				titleAt = i
				break
			}
			if len(strings.TrimSpace(plain(p.runs))) > 0 || p.kind == kTable {
				break
			}
		}
	}
	var titleRuns []run
	if titleAt >= 0 {
		titleRuns = stripFormat(body[titleAt].runs)
		out.Title = oneLineText(titleRuns)
	}
	type cut struct {
		key      string
		heading  []run
		blocks   []block
		paraKeys []string
	}
	pre := cut{key: preambleKey, heading: titleRuns}
	var secs []*cut
	cur := &pre
	commentSection := map[string]string{}
	used := map[string]bool{preambleKey: true}
	for i, p := range body {
		if i == titleAt {
			for _, c := range p.comments {
				commentSection[c] = preambleKey
			}
			continue
		}
		if start[i] {
			h, rest := splitHeading(p)
			key := ""
			for _, k := range p.keys {
				if k = fullKey(k, meta, slug(plain(h))); validKey(k) && !used[k] {
					key = k
					break
				}
			}
			if key == "" {
				key = uniqueKey(used, slug(plain(h)))
			}
			used[key] = true
			c := &cut{key: key, heading: h}
			if rest != nil {
				c.blocks = append(c.blocks, *rest)
			}
			secs = append(secs, c)
			cur = c
		} else if p.kind != kPara || strings.TrimSpace(plain(p.runs)) != "" {
			// An empty paragraph is Word's spacing, not text.
			cur.blocks = append(cur.blocks, bodyBlock(p, secLevel, out.Report.SectionsFrom == "numbering"))
		}
		for _, id := range p.comments {
			commentSection[id] = cur.key
		}
	}
	// Blocks are shifted so that the shallowest heading inside a body is
	// "###".
	fromMeta := func(key string, h []run, bs []block) (metaSection, bool) {
		if meta == nil {
			return metaSection{}, false
		}
		ms, ok := meta.sections[key]
		return ms, ok && ms.fingerprint == fingerprint(h, bs)
	}
	if ms, ok := fromMeta(preambleKey, pre.heading, pre.blocks); ok {
		out.Title, out.Preamble = ms.heading, ms.body
		out.Report.Unchanged = append(out.Report.Unchanged, preambleKey)
	} else {
		out.Preamble = moudesk.NormalizeText(markdown(pre.blocks))
	}
	text := strings.TrimSpace(plain(titleRuns)) != "" || strings.TrimSpace(out.Preamble) != ""
	for _, c := range secs {
		s := Section{Key: c.key}
		if ms, ok := fromMeta(c.key, c.heading, c.blocks); ok {
			s.Heading, s.Body = ms.heading, ms.body
			out.Report.Unchanged = append(out.Report.Unchanged, c.key)
		} else {
			s.Heading = oneLineText(c.heading)
			s.Body = moudesk.NormalizeText(markdown(c.blocks))
		}
		if s.Heading == "" {
			s.Heading = "Section " + strconv.Itoa(len(out.Sections)+1)
		}
		text = text || strings.TrimSpace(s.Heading+s.Body) != ""
		out.Sections = append(out.Sections, s)
	}
	if !text {
		return refuse(CodeNoText, "the document has no text to import")
	}
	if len(out.Sections) == 0 {
		// No section starts: the whole text is one section.
		out.Sections = []Section{{Key: "text", Heading: "Text", Body: out.Preamble}}
		out.Preamble = ""
		out.Report.SectionsFrom = "none"
		out.Report.warn("no_sections", "", "no headings or numbered paragraphs were found, so all the text is one section")
	}
	for id, c := range comments {
		c.Section = commentSection[id]
		out.Report.Comments = append(out.Report.Comments, c)
	}
	sortComments(out.Report.Comments)
	return nil
}

// startsOf decides which paragraphs start sections: the shallowest
// heading level below the title when the document has headings; else
// Word-numbered top-level paragraphs; else paragraphs that begin with
// typed numbers ("1. Term"). It records which in the report.
func startsOf(body []rpara, titleAt int, rep *Report) ([]bool, int) {
	start := make([]bool, len(body))
	lvl := 0
	for i, p := range body {
		if i != titleAt && p.heading > 0 && (lvl == 0 || p.heading < lvl) && strings.TrimSpace(plain(p.runs)) != "" {
			lvl = p.heading
		}
	}
	// A lone Heading 1 at the top is the title, and sections are below it.
	if lvl == 1 && titleAt < 0 {
		ones, first := 0, -1
		for i, p := range body {
			if p.heading == 1 {
				ones++
				if first < 0 {
					first = i
				}
			}
		}
		if ones == 1 {
			lvl = 0
			for i, p := range body {
				if i != first && p.heading > 1 && (lvl == 0 || p.heading < lvl) {
					lvl = p.heading
				}
			}
			if lvl == 0 {
				rep.SectionsFrom = "none"
				return start, 1
			}
		}
	}
	if lvl > 0 {
		for i, p := range body {
			start[i] = i != titleAt && p.heading == lvl && strings.TrimSpace(plain(p.runs)) != ""
		}
		rep.SectionsFrom = "headings"
		return start, lvl
	}
	// Word numbering: top-level numbered paragraphs of the list that has
	// the most of them.
	count := map[int]int{}
	for _, p := range body {
		if p.kind == kItem && p.level == 0 && p.ordered && !p.quote {
			count[p.list]++
		}
	}
	best, n := 0, 0
	for id, c := range count {
		if c > n || (c == n && id < best) {
			best, n = id, c
		}
	}
	if n >= 2 {
		for i, p := range body {
			start[i] = p.kind == kItem && p.level == 0 && p.list == best
		}
		rep.SectionsFrom = "numbering"
		return start, 1
	}
	found := 0
	for i, p := range body {
		if p.kind == kPara && p.level == 0 && typedNumber(plain(p.runs)) > 0 {
			start[i] = true
			found++
		}
	}
	if found >= 2 {
		rep.SectionsFrom = "numbered_text"
		return start, 1
	}
	// Last, short lines all in bold ("PURPOSE"), the way a document typed
	// without styles sets its headings.
	start = make([]bool, len(body))
	found = 0
	first := -1 // the first paragraph with text: the title when bold
	for i, p := range body {
		if strings.TrimSpace(plain(p.runs)) != "" || p.kind == kTable {
			first = i
			break
		}
	}
	for i, p := range body {
		if i != titleAt && (titleAt >= 0 || i != first) && boldLine(p) {
			start[i] = true
			found++
		}
	}
	if found >= 2 {
		rep.SectionsFrom = "bold_lines"
		return start, 1
	}
	rep.SectionsFrom = "none"
	return make([]bool, len(body)), 1
}

// typedNumber is the length of a typed section number ("1. ", "12. ",
// "IV. ", "Section 3. ") at the start of s, leading spaces included, or 0.
func typedNumber(s string) int {
	t := strings.TrimLeft(s, " \t")
	lead := len(s) - len(t)
	for _, w := range []string{"Section ", "SECTION ", "Article ", "ARTICLE "} {
		if strings.HasPrefix(t, w) {
			t, lead = t[len(w):], lead+len(w)
			break
		}
	}
	j := 0
	for j < len(t) && j < 3 && t[j] >= '0' && t[j] <= '9' {
		j++
	}
	if j == 0 {
		for j < len(t) && j < 6 && strings.IndexByte("IVXLC", t[j]) >= 0 {
			j++
		}
	}
	if j == 0 || j+1 >= len(t) || t[j] != '.' || (t[j+1] != ' ' && t[j+1] != '\t') {
		return 0
	}
	return lead + j + 2
}

// splitHeading is a section-starting paragraph's heading, and the body
// text it carries when it is a numbered paragraph with text after a bold
// lead-in ("1. **Term.** This MOU begins …").
func splitHeading(p rpara) ([]run, *block) {
	runs := p.runs
	if n := typedNumber(plain(runs)); n > 0 && p.heading == 0 && p.kind == kPara {
		runs = dropPrefix(runs, n)
	}
	if p.heading > 0 {
		// "3. Term" typed into a heading: the number is Word's to give.
		if n := typedNumber(plain(runs)); n > 0 {
			runs = dropPrefix(runs, n)
		}
		return stripFormat(runs), nil
	}
	text := plain(runs)
	if len(text) <= 80 && !strings.ContainsAny(strings.TrimRight(text, ".:"), ".\n") {
		return stripFormat(runs), nil
	}
	// A bold lead-in is the heading; the rest is the first paragraph.
	k := 0
	for k < len(runs) && (runs[k].f&fBold != 0 || strings.TrimSpace(runs[k].text) == "") && !runs[k].br {
		k++
	}
	if k > 0 && k < len(runs) && strings.TrimSpace(plain(runs[:k])) != "" {
		h := stripFormat(runs[:k])
		h = trimRuns(h, " .:—–-")
		rest := trimLeftRuns(runs[k:])
		return h, &block{kind: kPara, runs: rest}
	}
	// Otherwise the first sentence, when short, else the first words.
	if i := strings.Index(text, ". "); i > 0 && i <= 80 {
		return []run{{text: text[:i]}}, &block{kind: kPara, runs: trimLeftRuns(dropPrefix(runs, i+2))}
	}
	words := strings.Fields(text)
	if len(words) > 8 {
		words = words[:8]
	}
	return []run{{text: strings.Join(words, " ") + " …"}}, &block{kind: kPara, runs: runs}
}

// bodyBlock is a paragraph as a body block. A heading one level below the
// sections' becomes "###", and so on down; when numbered paragraphs start
// sections, the deeper items of their lists move up a level.
func bodyBlock(p rpara, secLevel int, numbered bool) block {
	b := p.block
	if p.heading > 0 {
		b.kind = kHeading
		b.level = min(max(p.heading-secLevel+2, 3), 6)
	}
	if numbered && b.kind == kItem && b.level > 0 {
		b.level--
	}
	return b
}

func dropPrefix(runs []run, n int) []run {
	var out []run
	for _, r := range runs {
		if n <= 0 {
			out = append(out, r)
			continue
		}
		if len(r.text) <= n {
			n -= len(r.text)
			continue
		}
		r.text = r.text[n:]
		n = 0
		out = append(out, r)
	}
	return out
}

func trimLeftRuns(runs []run) []run {
	for len(runs) > 0 && !runs[0].br && strings.TrimLeft(runs[0].text, " \t") == "" {
		runs = runs[1:]
	}
	if len(runs) > 0 && !runs[0].br {
		r := runs[0]
		r.text = strings.TrimLeft(r.text, " \t")
		runs = append([]run{r}, runs[1:]...)
	}
	return runs
}

func trimRuns(runs []run, cut string) []run {
	runs = append([]run(nil), runs...)
	for len(runs) > 0 {
		last := &runs[len(runs)-1]
		last.text = strings.TrimRight(last.text, cut)
		if last.text != "" || last.br {
			break
		}
		runs = runs[:len(runs)-1]
	}
	return trimLeftRuns(runs)
}

// stripFormat drops bold from a heading's runs (a heading is bold by its
// style) and hard breaks.
func stripFormat(runs []run) []run {
	out := make([]run, 0, len(runs))
	for _, r := range runs {
		if r.br {
			r = run{text: " "}
		}
		r.f &^= fBold
		out = append(out, r)
	}
	return mergeRuns(out)
}

// oneLineText is a heading or title as one line of inline Markdown.
func oneLineText(runs []run) string {
	s := inlineMarkdown(stripFormat(runs), false)
	return strings.Join(strings.Fields(moudesk.NormalizeText(s)), " ")
}

// slug makes a section key from a heading: lowercase letters and digits
// joined by single hyphens, at most 64 bytes.
func slug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			if r >= 128 {
				if a := fold(r); a != "" {
					if hyphen && b.Len() > 0 {
						b.WriteByte('-')
					}
					hyphen = false
					b.WriteString(a)
					continue
				}
			}
			hyphen = true
		}
		if b.Len() >= 56 {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" || out == preambleKey {
		out = "section"
	}
	return out
}

// fold spells a few accented letters in ASCII for keys.
func fold(r rune) string {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å':
		return "a"
	case 'ç':
		return "c"
	case 'è', 'é', 'ê', 'ë':
		return "e"
	case 'ì', 'í', 'î', 'ï':
		return "i"
	case 'ñ':
		return "n"
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø':
		return "o"
	case 'ù', 'ú', 'û', 'ü':
		return "u"
	case 'ß':
		return "ss"
	}
	return ""
}

func uniqueKey(used map[string]bool, k string) string {
	if !used[k] {
		return k
	}
	for n := 2; ; n++ {
		c := k + "-" + strconv.Itoa(n)
		if !used[c] {
			return c
		}
	}
}

// validKey is the section-key rule of the MOU package: a lowercase slug.
func validKey(k string) bool {
	if k == "" || len(k) > 64 || k == preambleKey || k[0] == '-' || k[len(k)-1] == '-' || strings.Contains(k, "--") {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func sortComments(cs []Comment) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && commentLess(cs[j], cs[j-1]); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

func commentLess(a, b Comment) bool {
	if a.Date != b.Date {
		return a.Date < b.Date
	}
	return a.Text < b.Text
}

// boldLine says whether a paragraph is one short line all in bold: how a
// document without a Title style sets its title.
func boldLine(p rpara) bool {
	text := strings.TrimSpace(plain(p.runs))
	if p.kind != kPara || p.level > 0 || text == "" || len(text) > 150 || strings.Contains(text, "\n") {
		return false
	}
	for _, r := range p.runs {
		if strings.TrimSpace(r.text) != "" && r.f&fBold == 0 {
			return false
		}
	}
	return true
}

// fullKey undoes the cut Word and LibreOffice make to bookmark names
// longer than 40 characters: a key read from a cut bookmark is the one
// key of the export's metadata, or else the heading's slug, that it
// begins.
func fullKey(k string, meta *docMeta, headingSlug string) string {
	if len(bookmarkPrefix)+len(k) < 40 {
		return k
	}
	if meta != nil {
		if _, ok := meta.sections[k]; ok {
			return k
		}
		found := ""
		for mk := range meta.sections {
			if strings.HasPrefix(mk, k) {
				if found != "" {
					found = ""
					break
				}
				found = mk
			}
		}
		if found != "" {
			return found
		}
	}
	if strings.HasPrefix(headingSlug, k) {
		return headingSlug
	}
	return k
}
