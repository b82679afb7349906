package desk

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/cache"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/render"
)

// Bounds of the one cache of rendered PDFs. A 40-page MOU renders to about
// 100 KiB, so the count usually binds first; the byte bound keeps memory
// flat even for unusually long documents.
const (
	pdfCacheEntries = 64
	pdfCacheBytes   = 16 << 20
)

// Bounds of the cache of revisions as read from the store. A 40-page
// revision is about 100 KB; every racing save's 409 and every redline
// reads two.
const (
	revisionCacheSize  = 512
	revisionCacheBytes = 32 << 20
)

// PDF is one rendered PDF with what the API reports about it.
type PDF struct {
	Bytes   []byte
	ETag    string // quoted hex SHA-256 of Bytes
	Pages   int
	PageMap render.PageMap
}

// NewPDF wraps a rendering with its ETag.
func NewPDF(res *render.Result) *PDF {
	sum := sha256.Sum256(res.PDF)
	return &PDF{Bytes: res.PDF, ETag: `"` + hex.EncodeToString(sum[:]) + `"`, Pages: res.Pages, PageMap: res.PageMap}
}

func newPDFCache(maxItems, maxBytes int) *cache.LRU[string, *PDF] {
	return cache.New[string](maxItems, maxBytes, func(d *PDF) int { return len(d.Bytes) })
}

// PDFKey names a rendering: the kind, the content it came from and every
// option, so two renderings share a key only if their bytes are equal.
func PDFKey(kind string, content []string, opt render.Options) (string, error) {
	raw, err := json.Marshal(opt)
	if err != nil {
		return "", fmt.Errorf("pdf cache key: %w", err)
	}
	sum := sha256.Sum256(raw)
	return kind + "|" + strings.Join(content, "|") + "|" + hex.EncodeToString(sum[:]), nil
}

// RenderCached returns the rendering under key from the service's one PDF
// cache, drawing and keeping it on a miss. Rendering is deterministic (key
// names every input), so an entry is never stale.
func (s *Service) RenderCached(key string, draw func() (*render.Result, error)) (*PDF, error) {
	if doc, ok := s.pdfs.Get(key); ok {
		return doc, nil
	}
	res, err := draw()
	if err != nil {
		return nil, err
	}
	doc := NewPDF(res)
	s.pdfs.Put(key, doc)
	return doc, nil
}

// RevisionOptions are the render options of a revision's PDF: header with
// the revision number and hash prefix, the hash as document ID, DRAFT until
// executed, the revision's signature block, and the revision's own time, so
// the bytes depend only on the revision and the MOU's stage. paper is
// "letter" or "a4".
func (s *Service) RevisionOptions(m *MOU, rev *mou.Revision, paper string) render.Options {
	return render.Options{
		Paper:      paper,
		Title:      DocumentTitle(m, rev),
		HeaderNote: fmt.Sprintf("Revision %d · %s", rev.Number, moudesk.ShortHash(rev.ContentHash, moudesk.HeaderHashLen)),
		DocumentID: rev.ContentHash,
		Draft:      m.Stage != "executed",
		Time:       rev.CreatedAt,
		Signatures: s.signatureBlocks(m.Template, rev.Signatures),
	}
}

// RevisionPDF renders revision rev of m, or takes it from the cache.
func (s *Service) RevisionPDF(m *MOU, rev *mou.Revision, paper string) (*PDF, error) {
	opt := s.RevisionOptions(m, rev, paper)
	key, err := PDFKey("revision", []string{rev.ContentHash}, opt)
	if err != nil {
		return nil, err
	}
	return s.RenderCached(key, func() (*render.Result, error) {
		res, err := render.PDF([]byte(s.printMarkdown(m, rev)), opt)
		if err != nil {
			return nil, fmt.Errorf("render MOU %d revision %d: %w", m.ID, rev.Number, err)
		}
		return res, nil
	})
}

// DocumentTitle is what a PDF's running header and metadata call the
// document: the revision's title, except that an amendment, whose text
// restates the agreement under the agreement's own title, is named
// "<agreement> — Amendment No. N" on every page, so a printed or signed
// copy cannot pass for the agreement itself.
func DocumentTitle(m *MOU, rev *mou.Revision) string {
	if m.AmendmentNumber != nil {
		return m.Title
	}
	return rev.Title
}

// signatureBlocks is the revision's signature block as drafts print it:
// each line's heading (the template's party label, after its kind's label)
// with the name and title the block gives; a revision stored before blocks
// were prints its template's.
func (s *Service) signatureBlocks(template string, block []mou.SignatureLine) []render.SignatureBlock {
	t, ok := s.templates[template]
	if !ok {
		return nil
	}
	if block == nil {
		block = mou.BlockFromTemplate(t)
	}
	labels := map[string]string{}
	for _, p := range t.Parties {
		labels[p.Role] = p.Label
	}
	out := make([]render.SignatureBlock, 0, len(block))
	for _, l := range block {
		label := labels[l.Party]
		if label == "" {
			label = l.Party
		}
		out = append(out, render.SignatureBlock{Party: lineHeading(l.Kind, label), Name: l.Name, Title: l.Title})
	}
	return out
}

// revisionKey names revision n of an MOU (n ≥ 1: never "the current one").
type revisionKey struct {
	mou int64
	n   int
}

// revisionSize is about how many bytes a stored revision holds.
func revisionSize(r *mou.Revision) int {
	n := len(r.Title) + len(r.Preamble) + len(r.Message) + 256
	for _, s := range r.Sections {
		n += len(s.Key) + len(s.Heading) + len(s.Body) + len(s.Clause) + 64
	}
	for _, l := range r.Signatures {
		n += len(l.Kind) + len(l.Party) + len(l.Name) + len(l.Title) + 32
	}
	return n
}

func newRevisionCache() *cache.LRU[revisionKey, *mou.Revision] {
	return cache.New[revisionKey](revisionCacheSize, revisionCacheBytes, revisionSize)
}

// printMarkdown is what a revision's PDF typesets: its text, then its
// obligations as a schedule (mou.ScheduleMarkdown), so a signed copy shows
// every duty the content hash covers; the signature block follows, drawn
// by the renderer.
func (s *Service) printMarkdown(m *MOU, rev *mou.Revision) string {
	text := rev.TextMarkdown()
	if len(rev.Obligations) == 0 {
		return text
	}
	labels := map[string]string{}
	if t, ok := s.templates[m.Template]; ok {
		for _, p := range t.Parties {
			labels[p.Role] = p.Label
		}
	}
	return text + "\n" + mou.ScheduleMarkdown(rev.Obligations, labels)
}
