// Package render turns Markdown into HTML (goldmark) and into PDF (goldmark's
// AST drawn with gofpdf, laid out by our own line breaker). The PDF uses
// embedded Liberation fonts so any Unicode text of a real agreement survives,
// and the output is byte-for-byte reproducible for the same input and
// options, so that a content hash can stand for a rendered copy.
package render

import (
	"fmt"
	"slices"
	"time"
)

// MaxInput is the largest Markdown document accepted, in bytes.
const MaxInput = 5 << 20

// Options control a PDF rendering.
type Options struct {
	Paper      string // "letter" (default) or "a4"; anything else is an error
	Title      string // header + metadata
	HeaderNote string // e.g. "Revision 3 · 1a2b3c4d"
	Subject    string
	Author     string
	Draft      bool   // DRAFT watermark
	FooterNote string // optional extra line in every page footer
	DocumentID string // seeds the trailer /ID (e.g. the content_hash)
	Time       time.Time
	// Signatures appends a "Signatures" section with one block per signatory.
	Signatures []SignatureBlock
}

// SignatureBlock is one signatory's block on the signature page: Party is
// the bold line above it (the party's name, or e.g. "ATTEST: City of
// Duluth"), Date the signing date when known. An empty Date leaves a blank
// line whose place Result.Signatures reports (DateRect), so a signing
// update can fill it there without touching the page.
type SignatureBlock struct{ Party, Name, Title, Date string }

// Result is a rendered PDF and where things landed in it.
type Result struct {
	PDF        []byte
	Pages      int
	PageMap    PageMap
	Signatures []SignatureRect // same order as Options.Signatures
	Warnings   []string
}

// PageMap says on which page each heading and each numbered item of a
// top-level ordered list starts (pages count from 1).
type PageMap struct {
	Sections []SectionPage `json:"sections"`
}

// SectionPage is a heading and the top-level numbered items under it. Items
// before the first heading are collected under a section with Level 0.
type SectionPage struct {
	Heading string     `json:"heading"`
	Level   int        `json:"level"`
	Page    int        `json:"page"`
	Items   []ItemPage `json:"items,omitempty"`
	// blocks are the blocks drawn under the heading, for PageMap.PageAt;
	// not in the JSON page map, which lists headings and items only.
	blocks []BlockPage
}

// ItemPage is a numbered list item; Number is the number printed beside it.
type ItemPage struct {
	Number int `json:"number"`
	Page   int `json:"page"`
}

// SignatureRect is where a signatory's signature goes: the area above the
// signature line, in PDF user space (points, origin bottom-left) as
// [llx lly urx ury].
type SignatureRect struct {
	Page int
	Rect [4]float64
	// DateRect is the blank after "Date:" on the same page, where the
	// signing date goes.
	DateRect [4]float64
}

// defaultTime is the creation date used when Options.Time is zero, so that
// renders without an explicit time are still reproducible.
var defaultTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// PDF renders Markdown to a PDF. Any input up to MaxInput renders or returns
// an error; a panic inside the PDF library is turned into an error.
func PDF(md []byte, opt Options) (res *Result, err error) {
	if len(md) > MaxInput {
		return nil, fmt.Errorf("render: markdown is %d bytes, over the %d byte limit", len(md), MaxInput)
	}
	r, err := newRenderer(opt)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("render: pdf library failed: %v", p)
		}
	}()
	r.markdown(md)
	r.signatures(opt.Signatures)
	return r.finish()
}

// finish draws headers and footers now that the page count is known, writes
// the PDF and makes it reproducible.
func (r *renderer) finish() (*Result, error) {
	r.sealPage(r.pdf.PageCount())
	r.decoratePages()
	if r.fontErr != nil {
		return nil, r.fontErr
	}
	pages := r.pdf.PageCount()
	var whole wholeWriter
	if err := r.pdf.Output(&whole); err != nil {
		return nil, fmt.Errorf("render: write pdf: %w", err)
	}
	// Let go of gofpdf, and with it every page's content buffer, while
	// its output is rewritten: the largest memory a long document holds.
	r.pdf = nil
	out, err := finalizePDF(whole.b, r.opt.DocumentID, "en-US", r.sealed, r.defl)
	if err != nil {
		return nil, err
	}
	putDeflater(r.defl)
	r.defl = nil
	return &Result{
		PDF:        out,
		Pages:      pages,
		PageMap:    PageMap{Sections: r.sections},
		Signatures: r.sigRects,
		Warnings:   append(r.warnings, r.missingWarnings()...),
	}, nil
}

// wholeWriter keeps what gofpdf's Output writes without copying it. Output
// hands over the whole document in one Write of its internal buffer, which
// it never touches again, so keeping that slice saves holding a second
// copy of the whole uncompressed PDF at the peak of a long render. Any
// further Write (another gofpdf version) appends to a copy of our own.
type wholeWriter struct {
	b     []byte
	owned bool
}

func (w *wholeWriter) Write(p []byte) (int, error) {
	switch {
	case w.b == nil:
		w.b = p
	case !w.owned:
		w.b = append(slices.Clip(w.b), p...)
		w.owned = true
	default:
		w.b = append(w.b, p...)
	}
	return len(p), nil
}
