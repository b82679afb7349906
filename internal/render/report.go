package render

import (
	"fmt"

	"github.com/moudesk/moudesk/internal/redline"
)

// RedlineReport draws a redline behind preface pages, all in one PDF: each
// preface entry is Markdown starting on a page of its own (a cover, a change
// summary), and the redline starts on the page after them. Redline PDFs and
// meeting packets are built this way, so a packet is one valid document
// rather than files glued together afterwards.
func RedlineReport(preface [][]byte, res *redline.Result, opt Options) (out *Result, err error) {
	if res == nil {
		return nil, fmt.Errorf("render: redline report: no redline")
	}
	size := 0
	for _, p := range preface {
		size += len(p)
	}
	if size > MaxInput {
		return nil, fmt.Errorf("render: redline report preface is %d bytes, over the %d byte limit", size, MaxInput)
	}
	size += redlineSize(res)
	if size > 2*MaxInput {
		return nil, fmt.Errorf("render: redline report is %d bytes, over the %d byte limit", size, 2*MaxInput)
	}
	r, err := newRenderer(opt)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("render: pdf library failed: %v", p)
		}
	}()
	for i, md := range preface {
		if i > 0 {
			r.newPage()
		}
		r.markdown(md)
	}
	if len(preface) > 0 {
		r.newPage()
	}
	r.redline(res)
	r.signatures(opt.Signatures)
	return r.finish()
}
