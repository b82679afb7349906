package pdfsign

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
)

// update collects the objects of one incremental update and writes them,
// with a cross-reference section of the same kind as the file's newest one
// (table after a table, stream after a stream) and /Prev pointing back.
type update struct {
	doc  *document
	next int
	objs map[int]pending
}

type pending struct {
	gen  int
	body []byte // serialised object, without "n g obj"/"endobj"
}

func newUpdate(doc *document) *update {
	return &update{doc: doc, next: max(doc.size, 1), objs: map[int]pending{}}
}

func (u *update) alloc() ref {
	r := ref{Num: u.next}
	u.next++
	return r
}

// put stores v as the new version of object r.
func (u *update) put(r ref, v any) {
	var b bytes.Buffer
	writeObject(&b, v)
	u.objs[r.Num] = pending{gen: r.Gen, body: b.Bytes()}
}

func (u *update) putStream(r ref, d dict, data []byte) {
	d = d.clone()
	d["Length"] = int64(len(data))
	var b bytes.Buffer
	writeObject(&b, d)
	b.WriteString("stream\n")
	b.Write(data)
	b.WriteString("\nendstream")
	u.objs[r.Num] = pending{gen: r.Gen, body: b.Bytes()}
}

// existing returns r with the generation the file's xref gives it, for
// rewriting an object in place.
func (u *update) existing(num int) ref {
	e := u.doc.xref[num]
	if e.compressed {
		return ref{Num: num}
	}
	return ref{Num: num, Gen: e.gen}
}

// write appends the update to prev and returns the whole file and the
// offset at which each object of the update starts.
func (u *update) write(prev []byte) ([]byte, map[int]int) {
	out := make([]byte, 0, len(prev)+16<<10+len(u.objs)*256)
	out = append(out, prev...)
	if n := len(out); n > 0 && out[n-1] != '\n' && out[n-1] != '\r' {
		out = append(out, '\n')
	}
	nums := make([]int, 0, len(u.objs)+1)
	for n := range u.objs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	offsets := make(map[int]int, len(nums)+1)
	for _, n := range nums {
		p := u.objs[n]
		offsets[n] = len(out)
		out = fmt.Appendf(out, "%d %d obj\n", n, p.gen)
		out = append(out, p.body...)
		out = append(out, "\nendobj\n"...)
	}
	trailer := dict{"Root": u.doc.trailer["Root"], "Prev": u.doc.startxref}
	for _, k := range []string{"Info", "ID"} {
		if v, ok := u.doc.trailer[k]; ok {
			trailer[k] = v
		}
	}
	if u.doc.xrefStream {
		out = u.writeXrefStream(out, nums, offsets, trailer)
	} else {
		out = u.writeXrefTable(out, nums, offsets, trailer)
	}
	return out, offsets
}

// runs groups sorted object numbers into consecutive subsections.
func runs(nums []int) [][]int {
	var rs [][]int
	for _, n := range nums {
		if l := len(rs); l > 0 && rs[l-1][len(rs[l-1])-1] == n-1 {
			rs[l-1] = append(rs[l-1], n)
			continue
		}
		rs = append(rs, []int{n})
	}
	return rs
}

func (u *update) writeXrefTable(out []byte, nums []int, offsets map[int]int, trailer dict) []byte {
	xrefAt := len(out)
	out = append(out, "xref\n"...)
	for _, r := range runs(nums) {
		out = fmt.Appendf(out, "%d %d\n", r[0], len(r))
		for _, n := range r {
			out = fmt.Appendf(out, "%010d %05d n\r\n", offsets[n], u.objs[n].gen)
		}
	}
	trailer["Size"] = int64(u.next)
	var b bytes.Buffer
	writeObject(&b, trailer)
	out = append(out, "trailer\n"...)
	out = append(out, b.Bytes()...)
	out = append(out, "\nstartxref\n"+strconv.Itoa(xrefAt)+"\n%%EOF\n"...)
	return out
}

// writeXrefStream writes an uncompressed cross-reference stream (W 1 4 2),
// which lists itself as the spec requires.
func (u *update) writeXrefStream(out []byte, nums []int, offsets map[int]int, trailer dict) []byte {
	self := u.alloc()
	xrefAt := len(out)
	offsets[self.Num] = xrefAt
	all := append(append([]int(nil), nums...), self.Num)
	var index array
	var data []byte
	for _, r := range runs(all) {
		index = append(index, int64(r[0]), int64(len(r)))
		for _, n := range r {
			o, g := offsets[n], u.objs[n].gen
			data = append(data, 1, byte(o>>24), byte(o>>16), byte(o>>8), byte(o), byte(g>>8), byte(g))
		}
	}
	trailer["Type"] = name("XRef")
	trailer["Size"] = int64(u.next)
	trailer["W"] = array{int64(1), int64(4), int64(2)}
	trailer["Index"] = index
	trailer["Length"] = int64(len(data))
	var b bytes.Buffer
	writeObject(&b, trailer)
	out = fmt.Appendf(out, "%d 0 obj\n", self.Num)
	out = append(out, b.Bytes()...)
	out = append(out, "stream\n"...)
	out = append(out, data...)
	out = append(out, "\nendstream\nendobj\nstartxref\n"+strconv.Itoa(xrefAt)+"\n%%EOF\n"...)
	return out
}
