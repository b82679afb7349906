package desk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/moudesk/moudesk/internal/cache"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/render"
)

// Bounds of the cache of rendered redlines. An entry is one rendering of
// one pair of revisions (the bench pair's JSON redline is about 220 KB); a
// few hundred cover what a review meeting looks at, and the byte bound
// keeps memory flat whatever the documents' size.
const (
	redlineCacheSize  = 256
	redlineCacheBytes = 64 << 20
)

// redlineKey identifies one rendering of one pair of revisions.
type redlineKey struct {
	mou      int64
	from, to int
	format   string
	view     redline.View
}

func newRedlineCache() *cache.LRU[redlineKey, []byte] {
	return cache.New[redlineKey](redlineCacheSize, redlineCacheBytes, cache.ByteLen)
}

// RenderRedline renders the redline from revision from to revision to of
// MOU id as format "json" (one line, as encoding/json's Encoder writes it),
// "html" (in view) or "text", from the cache when it was rendered before:
// revisions never change, so neither does their redline. The API's
// redline, a stale save's 409 and the redline and edit pages all read it.
func (s *Service) RenderRedline(ctx context.Context, id int64, from, to int, format string, view redline.View) ([]byte, error) {
	switch format {
	case "json", "html", "text":
	default:
		return nil, fmt.Errorf("render redline: unknown format %q", format)
	}
	key := redlineKey{mou: id, from: from, to: to, format: format, view: view}
	return s.redlines.Cached(key, func() ([]byte, error) {
		a, err := s.Revision(ctx, id, from)
		if err != nil {
			return nil, err
		}
		b, err := s.Revision(ctx, id, to)
		if err != nil {
			return nil, err
		}
		r := redline.Compare(a.Document(), b.Document(), redline.Options{})
		var buf bytes.Buffer
		switch format {
		case "json":
			err = json.NewEncoder(&buf).Encode(r)
		case "html":
			err = render.RedlineHTML(&buf, r, view)
		case "text":
			err = r.WriteText(&buf)
		}
		if err != nil {
			return nil, fmt.Errorf("render redline: %w", err)
		}
		return buf.Bytes(), nil
	})
}

// loadRevision reads the MOU and one of its revisions.
func (s *Service) loadRevision(ctx context.Context, id int64, n int) (*MOU, *mou.Revision, error) {
	m, err := s.MOU(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	rev, err := s.Revision(ctx, id, n)
	if err != nil {
		return nil, nil, err
	}
	return m, rev, nil
}

// RevisionDocument is revision n of MOU id as a PDF on paper ("letter" or
// "a4"), with the revision it shows.
func (s *Service) RevisionDocument(ctx context.Context, id int64, n int, paper string) (*PDF, *mou.Revision, error) {
	m, rev, err := s.loadRevision(ctx, id, n)
	if err != nil {
		return nil, nil, err
	}
	doc, err := s.RevisionPDF(m, rev, paper)
	if err != nil {
		return nil, nil, err
	}
	return doc, rev, nil
}

// RevisionPages is a revision's PDF with where each of its sections
// landed in it.
type RevisionPages struct {
	Revision *mou.Revision
	PDF      *PDF
	Sections []SectionPages
}

// PageMap is where each heading and numbered item of revision n's PDF
// landed, and each section by its key.
func (s *Service) PageMap(ctx context.Context, id int64, n int, paper string) (*RevisionPages, error) {
	doc, rev, err := s.RevisionDocument(ctx, id, n, paper)
	if err != nil {
		return nil, err
	}
	return &RevisionPages{Revision: rev, PDF: doc, Sections: keyedPages(rev, doc.PageMap)}, nil
}

// comparison is two revisions of one MOU, their redline and the change
// citations into the newer one's PDF.
type comparison struct {
	mou      *MOU
	from, to *mou.Revision
	redline  *redline.Result
	cites    []citation
}

func (s *Service) compare(ctx context.Context, id int64, fromN, toN int, paper string) (*comparison, error) {
	m, from, err := s.loadRevision(ctx, id, fromN)
	if err != nil {
		return nil, err
	}
	to, err := s.Revision(ctx, id, toN)
	if err != nil {
		return nil, err
	}
	toDoc, err := s.RevisionPDF(m, to, paper)
	if err != nil {
		return nil, err
	}
	res := redline.Compare(from.Document(), to.Document(), redline.Options{})
	return &comparison{mou: m, from: from, to: to, redline: res, cites: citations(res, keyedPages(to, toDoc.PageMap), newChangePages(to, toDoc.PageMap))}, nil
}

// redlineOptions are the render options shared by redline PDFs and packets.
func redlineOptions(cmp *comparison, paper, header string) render.Options {
	return render.Options{
		Paper:      paper,
		Title:      DocumentTitle(cmp.mou, cmp.to),
		HeaderNote: fmt.Sprintf("%s · revision %d → %d", header, cmp.from.Number, cmp.to.Number),
		Subject:    fmt.Sprintf("Changes from revision %d (%s) to revision %d (%s)", cmp.from.Number, cmp.from.ContentHash, cmp.to.Number, cmp.to.ContentHash),
		DocumentID: mou.Hash(cmp.from.ContentHash + cmp.to.ContentHash),
		Draft:      cmp.mou.Stage != "executed",
		Time:       cmp.to.CreatedAt,
	}
}

// RedlinePDF is the redline from revision from to revision to of MOU id as
// a PDF: a first page summarising each change with its page in revision
// to, then the marked-up text. It is cached like every rendering.
func (s *Service) RedlinePDF(ctx context.Context, id int64, from, to int, paper string) (*PDF, error) {
	cmp, err := s.compare(ctx, id, from, to, paper)
	if err != nil {
		return nil, err
	}
	opt := redlineOptions(cmp, paper, "Redline")
	key, err := PDFKey("redline", []string{cmp.from.ContentHash, cmp.to.ContentHash, strconv.Itoa(to)}, opt)
	if err != nil {
		return nil, err
	}
	return s.RenderCached(key, func() (*render.Result, error) {
		summary := summaryMarkdown(cmp.to.Title, cmp.from, cmp.to, cmp.redline, cmp.cites)
		res, err := render.RedlineReport([][]byte{summary}, cmp.redline, opt)
		if err != nil {
			return nil, fmt.Errorf("render redline of MOU %d, %d to %d: %w", id, from, to, err)
		}
		return res, nil
	})
}
