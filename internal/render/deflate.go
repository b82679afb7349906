package render

import (
	"bytes"
	"compress/zlib"
	"encoding"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"sync"
)

// Pages are deflated as soon as they are complete. gofpdf keeps each
// page's content uncompressed until Output and then copies all of it into
// its output buffer, growing that by doubling: for a long document this
// was most of the peak memory (about three times the pages' content at
// once, and up to twice that before the garbage collector caught up), the
// 0.074 MiB a page that took a 640-page MOU past 64 MiB.
//
// A page is complete when the next one starts, except for its header and
// footer, which are drawn at the end once the page count is known. So
// sealPage deflates what the page holds with a sync flush instead of
// closing the stream: the result is a zlib header and deflate blocks that
// end on a byte boundary, which a later deflate stream may continue.
// gofpdf then appends the header and footer operators, uncompressed, after
// it, and finalizePDF deflates that tail as the stream's last blocks and
// writes the Adler-32 of the whole content (continued from the sealed
// part's), giving one valid /FlateDecode stream per page.
//
// Upstream gofpdf had no way to reach its page buffers; our copy
// (third_party/gofpdf) has PageBuffers.

// sealedPage is the deflated start of a page's content: its first n bytes
// in gofpdf's buffer, and the Adler-32 of the content they hold.
type sealedPage struct {
	n     int
	adler uint32
}

// deflater is one reused zlib compressor and its output buffer: a new
// compressor allocates about a megabyte.
type deflater struct {
	buf bytes.Buffer
	zw  *zlib.Writer
}

// deflaters are compressors that finished documents left for the next:
// each allocates about a megabyte, as much as the rest of a one-page
// document.
var deflaters sync.Pool

// getDeflater is a reused compressor, or a new one.
func getDeflater() (*deflater, error) {
	if d, ok := deflaters.Get().(*deflater); ok {
		return d, nil
	}
	return newDeflater()
}

// putDeflater leaves d for another document, without an output buffer a
// long page grew.
func putDeflater(d *deflater) {
	if d.buf.Cap() > 1<<20 {
		d.buf = bytes.Buffer{}
	}
	d.buf.Reset()
	deflaters.Put(d)
}

func newDeflater() (*deflater, error) {
	d := &deflater{}
	zw, err := zlib.NewWriterLevel(&d.buf, zlib.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("render: compressor: %w", err)
	}
	d.zw = zw
	return d, nil
}

// deflate returns data as a zlib stream (in d's buffer, valid until the
// next call); flush leaves it open for continuation instead of closing it.
func (d *deflater) deflate(data []byte, flush bool) ([]byte, error) {
	d.buf.Reset()
	d.zw.Reset(&d.buf)
	if _, err := d.zw.Write(data); err != nil {
		return nil, err
	}
	var err error
	if flush {
		err = d.zw.Flush()
	} else {
		err = d.zw.Close()
	}
	return d.buf.Bytes(), err
}

// headroom is room left after a sealed page for its header and footer
// operators, so appending them does not copy the page.
const headroom = 1 << 10

// sealPage deflates page n's content so far (see above). A page it cannot
// reach is left whole for finalizePDF.
func (r *renderer) sealPage(n int) {
	pages := r.pdf.PageBuffers()
	if n < 1 || n >= len(pages) || r.defl == nil {
		return
	}
	content := pages[n].Bytes()
	z, err := r.defl.deflate(content, true)
	if err != nil {
		return // left whole; finalizePDF deflates it
	}
	sealed := make([]byte, len(z), len(z)+headroom)
	copy(sealed, z)
	for len(r.sealed) <= n {
		r.sealed = append(r.sealed, sealedPage{})
	}
	r.sealed[n] = sealedPage{n: len(sealed), adler: adler32.Checksum(content)}
	pages[n] = bytes.NewBuffer(sealed)
}

// finishSealed returns what completes a sealed page's stream: data is
// the sealed deflate blocks, then the operators appended since,
// uncompressed; the result is the deflate blocks of those operators,
// ending in a final block, and the Adler-32 of the whole content, to be
// written after data[:s.n]. It is valid until d's next use.
func (d *deflater) finishSealed(data []byte, s sealedPage) ([]byte, error) {
	tail := data[s.n:]
	z, err := d.deflate(tail, false)
	if err != nil {
		return nil, err
	}
	// z is a zlib header, raw deflate blocks ending in a final one, and the
	// Adler-32 of tail alone: keep the blocks, replace the checksum.
	if len(z) < 6 {
		return nil, fmt.Errorf("zlib stream of %d bytes", len(z))
	}
	h := adler32.New()
	state := binary.BigEndian.AppendUint32([]byte("adl\x01"), s.adler)
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		return nil, err
	}
	h.Write(tail)
	z = z[2:]
	binary.BigEndian.PutUint32(z[len(z)-4:], h.Sum32())
	return z, nil
}
