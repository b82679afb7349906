package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
)

// finalizePDF rewrites gofpdf's (uncompressed) output object by object:
//
//   - page content streams are deflated: most of each was sealed as the
//     page was completed (sealed[page], see deflate.go), so only the
//     header and footer after it are deflated here; other plain streams
//     (the fonts' ToUnicode maps) are deflated whole. One reused
//     compressor does all of it: gofpdf allocates a new one for every
//     page, which was a third of the render time of a 40-page document;
//   - the catalog gets /Lang;
//   - the trailer gets an /ID (from documentID, or from the document itself
//     when empty), which gofpdf v1.16.2 never writes;
//   - the cross-reference table is rebuilt for the new offsets.
//
// It relies on the exact shape of gofpdf's output and fails rather than
// guess when that shape is not found.
func finalizePDF(pdf []byte, documentID, lang string, sealed []sealedPage, d *deflater) ([]byte, error) {
	objs, xrefAt, err := objectOffsets(pdf)
	if err != nil {
		return nil, fmt.Errorf("render: rewrite pdf: %w", err)
	}
	// Pages come already deflated but for their header and footer, so the
	// output is about as long as the input.
	out := bytes.NewBuffer(make([]byte, 0, len(pdf)+len(pdf)/8))
	out.Write(pdf[:objs[0].off])
	if d == nil {
		if d, err = newDeflater(); err != nil {
			return nil, err
		}
	}
	newOff := make([]int, len(objs)+1)
	// contents maps the page content streams' object numbers to their
	// pages, read from each page object (gofpdf writes them in page order).
	contents := map[int]int{}
	pageNo := 0
	for i, o := range objs {
		end := xrefAt
		if i+1 < len(objs) {
			end = objs[i+1].off
		}
		newOff[o.num] = out.Len()
		chunk := pdf[o.off:end]
		head := []byte(strconv.Itoa(o.num) + " 0 obj\n")
		if !bytes.HasPrefix(chunk, head) {
			return nil, fmt.Errorf("render: rewrite pdf: object %d not where the xref says", o.num)
		}
		body := chunk[len(head):]
		switch {
		case bytes.HasPrefix(body, []byte("<</Length ")):
			data, ok := plainStream(body)
			if !ok {
				out.Write(chunk)
				continue
			}
			var sealedPart, z []byte
			if p := contents[o.num]; p > 0 && p < len(sealed) && sealed[p].n > 0 && sealed[p].n <= len(data) {
				sealedPart = data[:sealed[p].n]
				z, err = d.finishSealed(data, sealed[p])
			} else {
				z, err = d.deflate(data, false)
			}
			if err != nil {
				return nil, fmt.Errorf("render: compress object %d: %w", o.num, err)
			}
			out.Write(head)
			fmt.Fprintf(out, "<</Filter /FlateDecode /Length %d>>\nstream\n", len(sealedPart)+len(z))
			out.Write(sealedPart)
			out.Write(z)
			out.WriteString("\nendstream\nendobj\n")
		case bytes.HasPrefix(body, []byte("<</Type /Page\n")):
			n, ok := contentsRef(body)
			if !ok {
				return nil, fmt.Errorf("render: rewrite pdf: page object %d names no content stream", o.num)
			}
			pageNo++
			contents[n] = pageNo
			out.Write(chunk)
		case bytes.HasPrefix(body, []byte("<<\n/Type /Catalog\n")):
			at := len(head) + len("<<\n/Type /Catalog\n")
			out.Write(chunk[:at])
			out.WriteString("/Lang (" + lang + ")\n")
			out.Write(chunk[at:])
		default:
			out.Write(chunk)
		}
	}
	seed := []byte(documentID)
	if documentID == "" {
		seed = pdf
	}
	sum := sha256.Sum256(seed)
	id := hex.EncodeToString(sum[:16])

	xref := out.Len()
	fmt.Fprintf(out, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for n := 1; n <= len(objs); n++ {
		fmt.Fprintf(out, "%010d 00000 n \n", newOff[n])
	}
	trailer := pdf[xrefAt:]
	t0 := bytes.Index(trailer, []byte("trailer\n<<\n"))
	t1 := bytes.Index(trailer, []byte(">>\nstartxref\n"))
	if t0 < 0 || t1 < t0 {
		return nil, fmt.Errorf("render: rewrite pdf: trailer not found")
	}
	out.Write(trailer[t0:t1])
	fmt.Fprintf(out, "/ID [<%s> <%s>]\n>>\nstartxref\n%d\n%%%%EOF\n", id, id, xref)
	return out.Bytes(), nil
}

type objOffset struct{ num, off int }

// objectOffsets reads gofpdf's xref table: every object's offset, sorted by
// position in the file, and where the xref table starts.
func objectOffsets(pdf []byte) ([]objOffset, int, error) {
	sx := bytes.LastIndex(pdf, []byte("startxref\n"))
	if sx < 0 {
		return nil, 0, fmt.Errorf("no startxref")
	}
	rest := pdf[sx+len("startxref\n"):]
	nl := bytes.IndexByte(rest, '\n')
	if nl < 0 {
		return nil, 0, fmt.Errorf("no startxref value")
	}
	xrefAt, err := strconv.Atoi(string(rest[:nl]))
	if err != nil || xrefAt < 0 || xrefAt >= sx {
		return nil, 0, fmt.Errorf("bad startxref")
	}
	lines := bytes.Split(pdf[xrefAt:sx], []byte("\n"))
	if len(lines) < 3 || string(lines[0]) != "xref" {
		return nil, 0, fmt.Errorf("no xref table at startxref")
	}
	var first, count int
	if _, err := fmt.Sscanf(string(lines[1]), "%d %d", &first, &count); err != nil || first != 0 || count < 2 || len(lines) < 2+count {
		return nil, 0, fmt.Errorf("bad xref subsection header")
	}
	objs := make([]objOffset, 0, count-1)
	for n := 1; n < count; n++ {
		ln := lines[2+n]
		if len(ln) < 18 || ln[17] != 'n' {
			return nil, 0, fmt.Errorf("xref entry %d is not in use", n)
		}
		off, err := strconv.Atoi(string(ln[:10]))
		if err != nil || off <= 0 || off >= xrefAt {
			return nil, 0, fmt.Errorf("bad xref entry %d", n)
		}
		objs = append(objs, objOffset{n, off})
	}
	slices.SortFunc(objs, func(a, b objOffset) int { return a.off - b.off })
	return objs, xrefAt, nil
}

// plainStream returns the data of an unfiltered stream object body of the
// form "<</Length N>>\nstream\n...\nendstream\nendobj\n".
func plainStream(body []byte) ([]byte, bool) {
	rest := body[len("<</Length "):]
	end := bytes.Index(rest, []byte(">>\nstream\n"))
	if end < 0 {
		return nil, false
	}
	n, err := strconv.Atoi(string(rest[:end]))
	start := end + len(">>\nstream\n")
	if err != nil || n < 0 || start+n > len(rest) {
		return nil, false
	}
	if !bytes.Equal(rest[start+n:], []byte("\nendstream\nendobj\n")) {
		return nil, false
	}
	return rest[start : start+n], true
}

// contentsRef reads the "/Contents N 0 R" of a page object.
func contentsRef(body []byte) (int, bool) {
	_, rest, ok := bytes.Cut(body, []byte("/Contents "))
	if !ok {
		return 0, false
	}
	num, _, ok := bytes.Cut(rest, []byte(" 0 R"))
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(string(num))
	return n, err == nil && n > 0
}
