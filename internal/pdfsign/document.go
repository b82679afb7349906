package pdfsign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
)

// ErrNotPDF is returned for input that is not a PDF or whose structure
// (header, cross-reference data, trailer) cannot be read.
var ErrNotPDF = errors.New("not a readable PDF")

// Limits that keep hostile files from making the reader loop or allocate
// without bound.
const (
	maxSections = 1024    // xref sections followed through /Prev
	maxObjects  = 8 << 20 // highest object number accepted
)

// xrefEntry says where object Num lives: at byte Off (inUse), or as entry
// Index of object stream Stm (compressed). Free entries are not kept.
type xrefEntry struct {
	compressed bool
	off        int64
	gen        int
	stm, index int
}

// document is a parsed view of a PDF: its merged cross-reference table and
// newest trailer. Objects are parsed lazily and cached.
type document struct {
	ctx       context.Context
	data      []byte
	xref      map[int]xrefEntry
	trailer   dict
	startxref int64
	// xrefStream is true when the newest section is a cross-reference
	// stream; the next update then writes one too.
	xrefStream bool
	sections   int
	size       int // /Size of the newest trailer (one past the highest object)
	cache      map[int]any
	objStms    map[int]*objStm
	depth      int
	decoded    int // bytes decoded from streams so far, bounded by maxDecodedTotal
}

// maxDecodedTotal bounds all stream decoding for one document.
const maxDecodedTotal = 256 << 20

func (d *document) decode(s *stream) ([]byte, error) {
	if d.decoded > maxDecodedTotal {
		return nil, errors.New("too much compressed data")
	}
	b, err := decodeStream(s)
	d.decoded += len(b)
	return b, err
}

type objStm struct {
	data    []byte
	offsets []int // absolute offsets of each entry's value in data
}

// openDocument parses the cross-reference chain of data.
func openDocument(ctx context.Context, data []byte) (*document, error) {
	if !bytes.HasPrefix(bytes.TrimLeft(data[:min(len(data), 1024)], "\x00\t\r\n\f "), []byte("%PDF-")) &&
		!bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
		return nil, fmt.Errorf("%w: no %%PDF- header", ErrNotPDF)
	}
	tail := data[max(0, len(data)-2048):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return nil, fmt.Errorf("%w: no startxref", ErrNotPDF)
	}
	p := &parser{data: tail, pos: i + len("startxref")}
	off, ok := p.integer()
	if !ok || off <= 0 || off >= int64(len(data)) {
		return nil, fmt.Errorf("%w: bad startxref", ErrNotPDF)
	}
	d := &document{
		ctx: ctx, data: data, startxref: off,
		xref: map[int]xrefEntry{}, cache: map[int]any{}, objStms: map[int]*objStm{},
	}
	if err := d.readXrefChain(off); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotPDF, err)
	}
	if _, ok := d.trailer["Root"].(ref); !ok {
		return nil, fmt.Errorf("%w: trailer has no /Root", ErrNotPDF)
	}
	return d, nil
}

func (d *document) readXrefChain(off int64) error {
	seen := map[int64]bool{}
	for d.sections = 0; off > 0; d.sections++ {
		if d.sections >= maxSections {
			return fmt.Errorf("more than %d xref sections", maxSections)
		}
		if err := d.ctx.Err(); err != nil {
			return err
		}
		if seen[off] || off >= int64(len(d.data)) {
			return fmt.Errorf("xref /Prev loop or bad offset %d", off)
		}
		seen[off] = true
		trailer, isStream, err := d.readSection(off)
		if err != nil {
			return fmt.Errorf("xref at %d: %w", off, err)
		}
		if d.trailer == nil {
			d.trailer, d.xrefStream = trailer, isStream
			if n, ok := trailer["Size"].(int64); ok && n > 0 && n <= maxObjects {
				d.size = int(n)
			}
		}
		// A hybrid file's table points at a stream holding compressed objects.
		if x, ok := trailer["XRefStm"].(int64); ok && !isStream && x > 0 && !seen[x] && x < int64(len(d.data)) {
			seen[x] = true
			if _, _, err := d.readSection(x); err != nil {
				return fmt.Errorf("xref stream at %d: %w", x, err)
			}
		}
		prev, _ := trailer["Prev"].(int64)
		off = prev
	}
	for n := range d.xref {
		if n >= d.size {
			d.size = n + 1
		}
	}
	return nil
}

// addEntry records an entry unless a newer section already did.
func (d *document) addEntry(num int, e xrefEntry) {
	if num < 0 || num >= maxObjects {
		return
	}
	if _, ok := d.xref[num]; !ok {
		d.xref[num] = e
	}
}

func (d *document) readSection(off int64) (dict, bool, error) {
	p := &parser{data: d.data, pos: int(off)}
	p.skipWhite()
	if bytes.HasPrefix(d.data[p.pos:], []byte("xref")) {
		p.pos += 4
		t, err := d.readTable(p)
		return t, false, err
	}
	obj, err := d.parseIndirectAt(int(off), -1)
	if err != nil {
		return nil, false, err
	}
	s, ok := obj.(*stream)
	if !ok || s.Dict.name("Type") != "XRef" {
		return nil, false, errors.New("neither a table nor an xref stream")
	}
	return s.Dict, true, d.readXrefStream(s)
}

// readTable reads a classic table's subsections and the trailer after them.
// (*xrefEntry).gen keeps the generation; free entries ("f") are skipped but
// still claim their number so older sections cannot revive them.
func (d *document) readTable(p *parser) (dict, error) {
	for {
		if err := d.ctx.Err(); err != nil {
			return nil, err
		}
		save := p.pos
		start, ok1 := p.integer()
		count, ok2 := p.integer()
		if !ok1 || !ok2 {
			p.pos = save
			break
		}
		if start < 0 || count < 0 || start+count > maxObjects || count > int64(len(d.data)-p.pos)/18+1 {
			return nil, fmt.Errorf("bad subsection %d %d", start, count)
		}
		for i := int64(0); i < count; i++ {
			o, ok1 := p.integer()
			g, ok2 := p.integer()
			kind := p.keyword()
			if !ok1 || !ok2 || (kind != "n" && kind != "f") {
				return nil, fmt.Errorf("bad entry %d", start+i)
			}
			num := int(start + i)
			if kind == "f" {
				if _, ok := d.xref[num]; !ok {
					d.xref[num] = xrefEntry{off: -1}
				}
				continue
			}
			d.addEntry(num, xrefEntry{off: o, gen: int(g)})
		}
	}
	if p.keyword() != "trailer" {
		return nil, errors.New("no trailer after table")
	}
	v, err := p.value(0)
	if err != nil {
		return nil, fmt.Errorf("trailer: %w", err)
	}
	t, ok := v.(dict)
	if !ok {
		return nil, errors.New("trailer is not a dictionary")
	}
	return t, nil
}

func (d *document) readXrefStream(s *stream) error {
	data, err := d.decode(s)
	if err != nil {
		return err
	}
	w, _ := s.Dict["W"].(array)
	if len(w) != 3 {
		return errors.New("xref stream /W must have 3 entries")
	}
	var ws [3]int
	for i, v := range w {
		n, ok := v.(int64)
		if !ok || n < 0 || n > 8 {
			return errors.New("bad xref stream /W")
		}
		ws[i] = int(n)
	}
	rowLen := ws[0] + ws[1] + ws[2]
	if rowLen == 0 {
		return errors.New("empty xref stream rows")
	}
	index, _ := s.Dict["Index"].(array)
	if index == nil {
		size, _ := s.Dict["Size"].(int64)
		index = array{int64(0), size}
	}
	pos := 0
	for i := 0; i+1 < len(index); i += 2 {
		start, ok1 := index[i].(int64)
		count, ok2 := index[i+1].(int64)
		if !ok1 || !ok2 || start < 0 || count < 0 || start+count > maxObjects {
			return errors.New("bad xref stream /Index")
		}
		for j := int64(0); j < count; j++ {
			if pos+rowLen > len(data) {
				return errors.New("xref stream shorter than its /Index")
			}
			f := [3]int64{1, 0, 0} // type defaults to 1 when its width is 0
			for k := range 3 {
				if ws[k] == 0 {
					continue
				}
				var v int64
				for _, b := range data[pos : pos+ws[k]] {
					v = v<<8 | int64(b)
				}
				f[k] = v
				pos += ws[k]
			}
			num := int(start + j)
			switch f[0] {
			case 0:
				if _, ok := d.xref[num]; !ok {
					d.xref[num] = xrefEntry{off: -1}
				}
			case 1:
				d.addEntry(num, xrefEntry{off: f[1], gen: int(f[2])})
			case 2:
				d.addEntry(num, xrefEntry{compressed: true, stm: int(f[1]), index: int(f[2])})
			}
		}
	}
	return nil
}

// parseIndirectAt parses "num gen obj ... endobj" at off. want is the object
// number expected there, or -1 to accept any.
func (d *document) parseIndirectAt(off int, want int) (any, error) {
	if off < 0 || off >= len(d.data) {
		return nil, fmt.Errorf("object offset %d out of range", off)
	}
	p := &parser{data: d.data, pos: off}
	num, ok1 := p.integer()
	_, ok2 := p.integer()
	if !ok1 || !ok2 || p.keyword() != "obj" {
		return nil, fmt.Errorf("no object header at %d", off)
	}
	if want >= 0 && num != int64(want) {
		return nil, fmt.Errorf("object %d found where %d was expected", num, want)
	}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	dd, ok := v.(dict)
	if !ok {
		return v, nil
	}
	save := p.pos
	if p.keyword() != "stream" {
		p.pos = save
		return v, nil
	}
	if p.pos < len(d.data) && d.data[p.pos] == '\r' {
		p.pos++
	}
	if p.pos < len(d.data) && d.data[p.pos] == '\n' {
		p.pos++
	}
	start := p.pos
	length := -1
	if l, err := d.resolve(dd["Length"]); err == nil {
		if n, ok := l.(int64); ok && n >= 0 && n <= int64(len(d.data)-start) {
			length = int(n)
		}
	}
	if length < 0 || !bytes.HasPrefix(bytes.TrimLeft(d.data[start+length:], "\r\n\t "), []byte("endstream")) {
		// Wrong or hostile /Length: fall back to the endstream keyword.
		e := bytes.Index(d.data[start:], []byte("endstream"))
		if e < 0 {
			return nil, errors.New("stream without endstream")
		}
		length = e
	}
	return &stream{Dict: dd, Raw: d.data[start : start+length]}, nil
}

// object returns object num, parsed once and cached.
func (d *document) object(num int) (any, error) {
	if v, ok := d.cache[num]; ok {
		return v, nil
	}
	if d.depth > maxDepth {
		return nil, errors.New("references nested too deeply")
	}
	d.depth++
	defer func() { d.depth-- }()
	e, ok := d.xref[num]
	if !ok || (!e.compressed && e.off < 0) {
		return nil, nil // a missing object is null, as the spec says
	}
	var v any
	var err error
	if e.compressed {
		v, err = d.compressedObject(e.stm, e.index)
	} else {
		v, err = d.parseIndirectAt(int(e.off), num)
	}
	if err != nil {
		return nil, fmt.Errorf("object %d: %w", num, err)
	}
	d.cache[num] = v
	return v, nil
}

func (d *document) compressedObject(stmNum, index int) (any, error) {
	os, ok := d.objStms[stmNum]
	if !ok {
		e, ok := d.xref[stmNum]
		if !ok || e.compressed {
			return nil, fmt.Errorf("object stream %d missing", stmNum)
		}
		v, err := d.parseIndirectAt(int(e.off), stmNum)
		if err != nil {
			return nil, err
		}
		s, ok := v.(*stream)
		if !ok {
			return nil, fmt.Errorf("object %d is not an object stream", stmNum)
		}
		data, err := d.decode(s)
		if err != nil {
			return nil, err
		}
		n, _ := s.Dict["N"].(int64)
		first, _ := s.Dict["First"].(int64)
		if n < 0 || first < 0 || first > int64(len(data)) || n > int64(len(data)) {
			return nil, errors.New("bad object stream header")
		}
		os = &objStm{data: data}
		p := &parser{data: data}
		for range n {
			_, ok1 := p.integer()
			o, ok2 := p.integer()
			if !ok1 || !ok2 || o < 0 || first+o > int64(len(data)) {
				return nil, errors.New("bad object stream offsets")
			}
			os.offsets = append(os.offsets, int(first+o))
		}
		d.objStms[stmNum] = os
	}
	if index < 0 || index >= len(os.offsets) {
		return nil, fmt.Errorf("index %d outside object stream %d", index, stmNum)
	}
	p := &parser{data: os.data, pos: os.offsets[index]}
	return p.value(0)
}

// resolve follows indirect references until v is a direct object.
func (d *document) resolve(v any) (any, error) {
	for range maxDepth {
		r, ok := v.(ref)
		if !ok {
			return v, nil
		}
		var err error
		if v, err = d.object(r.Num); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("reference chain too long")
}

// dictOf resolves v and returns it as a dictionary (a stream's dictionary
// counts), or nil.
func (d *document) dictOf(v any) dict {
	v, err := d.resolve(v)
	if err != nil {
		return nil
	}
	switch x := v.(type) {
	case dict:
		return x
	case *stream:
		return x.Dict
	}
	return nil
}

func (d *document) catalog() (dict, ref, error) {
	r, _ := d.trailer["Root"].(ref)
	c := d.dictOf(r)
	if c == nil {
		return nil, r, fmt.Errorf("catalog %d %d R is not a dictionary", r.Num, r.Gen)
	}
	return c, r, nil
}

// pageRef returns the reference of page n (1-based), walking the page tree
// with a bound on visited nodes so cyclic trees end.
func (d *document) pageRef(n int) (ref, error) {
	cat, _, err := d.catalog()
	if err != nil {
		return ref{}, err
	}
	root, ok := cat["Pages"].(ref)
	if !ok {
		return ref{}, errors.New("catalog has no /Pages reference")
	}
	count := 0
	budget := 1 << 20
	var walk func(r ref, depth int) (ref, bool, error)
	walk = func(r ref, depth int) (ref, bool, error) {
		budget--
		if budget < 0 || depth > maxDepth {
			return ref{}, false, errors.New("page tree too deep or cyclic")
		}
		node := d.dictOf(r)
		if node == nil {
			return ref{}, false, fmt.Errorf("page tree node %d is not a dictionary", r.Num)
		}
		if node.name("Type") == "Page" || node["Kids"] == nil {
			count++
			return r, count == n, nil
		}
		kids, _ := d.resolve(node["Kids"])
		ka, _ := kids.(array)
		for _, k := range ka {
			kr, ok := k.(ref)
			if !ok {
				continue
			}
			got, found, err := walk(kr, depth+1)
			if err != nil || found {
				return got, found, err
			}
		}
		return ref{}, false, nil
	}
	got, found, err := walk(root, 0)
	if err != nil {
		return ref{}, err
	}
	if !found {
		return ref{}, fmt.Errorf("page %d not found (document has %d pages)", n, count)
	}
	return got, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
