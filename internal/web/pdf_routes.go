package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/redline"
	"github.com/moudesk/moudesk/internal/render"
)

// pdfHandlers serves the PDF downloads; the renderings are cached by the
// service.
type pdfHandlers struct {
	*Server
}

func newPDFHandlers(s *Server) *pdfHandlers {
	return &pdfHandlers{Server: s}
}

// pdfRoutes registers the PDF downloads: revisions, redlines, packets. The
// query forms of DESIGN.md (?format=pdf on a revision or redline) are
// served by the MOU handlers calling revisionPDF, revisionPageMap and
// redlinePDF; the path forms below reach the same code.
func (s *Server) pdfRoutes() {
	p := newPDFHandlers(s)
	s.handle(http.MethodGet, "/api/v1/mous/:id/revisions/:n/pdf", auth.MOURead, p.getRevisionPDF)
	s.handle(http.MethodGet, "/api/v1/mous/:id/revisions/:n/pagemap", auth.MOURead, p.getRevisionPageMap)
	s.handle(http.MethodGet, "/api/v1/mous/:id/redline.pdf", auth.MOURead, p.getRedlinePDF)
	s.handle(http.MethodGet, "/api/v1/mous/:id/packet.pdf", auth.MOURead, p.getPacket)
}

func (p *pdfHandlers) getRevisionPDF(c *gin.Context) error {
	id, n, err := pdfRevisionParams(c)
	if err != nil {
		return err
	}
	return p.revisionPDF(c, id, n)
}

func (p *pdfHandlers) getRevisionPageMap(c *gin.Context) error {
	id, n, err := pdfRevisionParams(c)
	if err != nil {
		return err
	}
	return p.revisionPageMap(c, id, n)
}

func (p *pdfHandlers) getRedlinePDF(c *gin.Context) error {
	id, err := pdfPositive(c.Param("id"), "id")
	if err != nil {
		return err
	}
	from, err := pdfPositive(c.Query("from"), "from")
	if err != nil {
		return err
	}
	to, err := pdfPositive(c.Query("to"), "to")
	if err != nil {
		return err
	}
	return p.redlinePDF(c, id, int(from), int(to))
}

func pdfRevisionParams(c *gin.Context) (int64, int, error) {
	id, err := pdfPositive(c.Param("id"), "id")
	if err != nil {
		return 0, 0, err
	}
	n, err := pdfPositive(c.Param("n"), "n")
	if err != nil {
		return 0, 0, err
	}
	return id, int(n), nil
}

// pdfPositive parses a positive whole number from a path or query value.
func pdfPositive(v, name string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || n < 1 {
		return 0, errInvalid("invalid_"+name, "%s must be a whole number, 1 or more", name)
	}
	return n, nil
}

// revisionPDF answers with revision n of MOU id as a PDF (?paper=letter|a4).
func (p *pdfHandlers) revisionPDF(c *gin.Context, id int64, n int) error {
	params, err := readPDFParams(c)
	if err != nil {
		return err
	}
	m, rev, err := p.loadRevision(c.Request.Context(), id, n)
	if err != nil {
		return err
	}
	doc, err := p.desk.RevisionPDF(m, rev, params.paper)
	if err != nil {
		return err
	}
	c.Header("X-Content-Hash", rev.ContentHash)
	writePDF(c, doc, fmt.Sprintf("mou-%d-revision-%d.pdf", id, n))
	return nil
}

// revisionPageMap answers with where each heading and numbered item of
// revision n's PDF landed, and each section by its key.
func (p *pdfHandlers) revisionPageMap(c *gin.Context, id int64, n int) error {
	params, err := readPDFParams(c)
	if err != nil {
		return err
	}
	m, rev, err := p.loadRevision(c.Request.Context(), id, n)
	if err != nil {
		return err
	}
	doc, err := p.desk.RevisionPDF(m, rev, params.paper)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{
		"revision":     rev.Number,
		"content_hash": rev.ContentHash,
		"pdf_etag":     doc.ETag,
		"pages":        doc.Pages,
		"page_map":     doc.PageMap,
		"sections":     keyedPages(rev, doc.PageMap),
	})
	return nil
}

// comparison is two revisions of one MOU, their redline and the change
// citations into the newer one's PDF.
type comparison struct {
	mou      *desk.MOU
	from, to *mou.Revision
	redline  *redline.Result
	cites    []citation
}

func (p *pdfHandlers) compare(c *gin.Context, id int64, fromN, toN int, params pdfParams) (*comparison, error) {
	m, from, err := p.loadRevision(c.Request.Context(), id, fromN)
	if err != nil {
		return nil, err
	}
	to, err := p.desk.Revision(c.Request.Context(), id, toN)
	if err != nil {
		return nil, err
	}
	toDoc, err := p.desk.RevisionPDF(m, to, params.paper)
	if err != nil {
		return nil, err
	}
	res := redline.Compare(from.Document(), to.Document(), redline.Options{})
	return &comparison{mou: m, from: from, to: to, redline: res, cites: citations(res, keyedPages(to, toDoc.PageMap))}, nil
}

// redlineOptions are the render options shared by redline PDFs and packets.
func redlineOptions(cmp *comparison, params pdfParams, header string) render.Options {
	return render.Options{
		Paper:      params.paper,
		Title:      desk.DocumentTitle(cmp.mou, cmp.to),
		HeaderNote: fmt.Sprintf("%s · revision %d → %d", header, cmp.from.Number, cmp.to.Number),
		Subject:    fmt.Sprintf("Changes from revision %d (%s) to revision %d (%s)", cmp.from.Number, cmp.from.ContentHash, cmp.to.Number, cmp.to.ContentHash),
		DocumentID: mou.Hash(cmp.from.ContentHash + cmp.to.ContentHash),
		Draft:      cmp.mou.Stage != "executed",
		Time:       cmp.to.CreatedAt,
	}
}

// redlinePDF answers with the redline from revision from to revision to: a
// first page summarising each change with its page in revision to, then
// the marked-up text.
func (p *pdfHandlers) redlinePDF(c *gin.Context, id int64, from, to int) error {
	params, err := readPDFParams(c)
	if err != nil {
		return err
	}
	cmp, err := p.compare(c, id, from, to, params)
	if err != nil {
		return err
	}
	opt := redlineOptions(cmp, params, "Redline")
	key, err := desk.PDFKey("redline", []string{cmp.from.ContentHash, cmp.to.ContentHash, strconv.Itoa(to)}, opt)
	if err != nil {
		return err
	}
	doc, err := p.desk.RenderCached(key, func() (*render.Result, error) {
		summary := summaryMarkdown(cmp.to.Title, cmp.from, cmp.to, cmp.redline, cmp.cites)
		res, err := render.RedlineReport([][]byte{summary}, cmp.redline, opt)
		if err != nil {
			return nil, fmt.Errorf("render redline of MOU %d, %d to %d: %w", id, from, to, err)
		}
		return res, nil
	})
	if err != nil {
		return err
	}
	writePDF(c, doc, fmt.Sprintf("mou-%d-redline-%d-%d.pdf", id, from, to))
	return nil
}

// getPacket answers with a meeting packet: a cover naming the MOU, the
// revisions compared and the date; the change summary with page citations;
// then the redline. With meeting= it is that meeting's packet (packet.go);
// otherwise from= and to= choose the revisions, by default the current one
// and the one before it.
func (p *pdfHandlers) getPacket(c *gin.Context) error {
	ctx := c.Request.Context()
	id, err := pdfPositive(c.Param("id"), "id")
	if err != nil {
		return err
	}
	params, err := readPDFParams(c)
	if err != nil {
		return err
	}
	if v := c.Query("meeting"); v != "" {
		if c.Query("from") != "" || c.Query("to") != "" {
			return errInvalid("invalid_request", "pass meeting= or from= and to=, not both")
		}
		mid, err := pdfPositive(v, "meeting")
		if err != nil {
			return err
		}
		return p.meetingPacket(c, id, mid, params)
	}
	m, err := p.desk.MOU(ctx, id)
	if err != nil {
		return err
	}
	to := m.CurrentRevision
	if v := c.Query("to"); v != "" {
		n, err := pdfPositive(v, "to")
		if err != nil {
			return err
		}
		to = int(n)
	}
	from := to - 1
	if v := c.Query("from"); v != "" {
		n, err := pdfPositive(v, "from")
		if err != nil {
			return err
		}
		from = int(n)
	}
	if from < 1 {
		return moudesk.Errorf(moudesk.KindUnprocessable, "nothing_to_compare", "the MOU has only revision %d; pass from= and to= to choose two revisions", to)
	}
	cmp, err := p.compare(c, id, from, to, params)
	if err != nil {
		return err
	}
	now := p.cfg.Now().UTC()
	opt := redlineOptions(cmp, params, "Meeting packet")
	opt.Time = now
	cover := packetCover(cmp, now.Format("2 January 2006"))
	summary := summaryMarkdown(cmp.to.Title, cmp.from, cmp.to, cmp.redline, cmp.cites)
	res, err := render.RedlineReport([][]byte{cover, summary}, cmp.redline, opt)
	if err != nil {
		return fmt.Errorf("render packet of MOU %d, %d to %d: %w", id, from, to, err)
	}
	writePDF(c, desk.NewPDF(res), fmt.Sprintf("mou-%d-packet-%d-%d.pdf", id, from, to))
	return nil
}

// packetCover is the first page of a meeting packet.
func packetCover(cmp *comparison, date string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n## Meeting packet\n\n", mdEscape(cmp.to.Title))
	fmt.Fprintf(&b, "**Revisions compared:** revision %d (%s, %s) to revision %d (%s, %s)\n\n",
		cmp.from.Number, moudesk.ShortHash(cmp.from.ContentHash, moudesk.HeaderHashLen), cmp.from.CreatedAt.UTC().Format("2 January 2006"),
		cmp.to.Number, moudesk.ShortHash(cmp.to.ContentHash, moudesk.HeaderHashLen), cmp.to.CreatedAt.UTC().Format("2 January 2006"))
	fmt.Fprintf(&b, "**Stage:** %s\n\n**Prepared:** %s\n\n", mdEscape(cmp.mou.Stage), mdEscape(date))
	var parties []string
	for _, pt := range cmp.mou.Parties {
		parties = append(parties, mdEscape(pt.Name))
	}
	if len(parties) > 0 {
		fmt.Fprintf(&b, "**Parties:** %s\n\n", strings.Join(parties, "; "))
	}
	b.WriteString("**Contents:** summary of changes with page citations into revision " + strconv.Itoa(cmp.to.Number) + ", then the full redline.\n")
	return []byte(b.String())
}
