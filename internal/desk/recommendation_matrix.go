package desk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/render"
)

// Matrix is an MOU's recommendations matrix: every recommendation with
// its current disposition and, for an adopted or met one, the sections
// that do it, each linked to its text and quoted by heading.
type Matrix struct {
	MOUID int64       `json:"mou_id"`
	Title string      `json:"title"`
	Rows  []MatrixRow `json:"recommendations"`
	// Counts is how many recommendations stand at each disposition.
	Counts map[string]int `json:"counts"`
}

// MatrixRow is one recommendation in the matrix. EnteredBy, DecidedBy and
// History are staff's; the public matrix leaves them out.
type MatrixRow struct {
	ID          int64                `json:"id"`
	Source      RecommendationSource `json:"source"`
	Text        string               `json:"text"`
	Disposition string               `json:"disposition"`
	Reason      string               `json:"reason,omitempty"`
	Revision    int                  `json:"revision,omitempty"`
	Sections    []MatrixSection      `json:"sections,omitempty"`
	DecidedAt   time.Time            `json:"decided_at"`
	EnteredBy   string               `json:"entered_by,omitempty"`
	DecidedBy   string               `json:"decided_by,omitempty"`
	History     []Disposition        `json:"history,omitempty"`
}

// MatrixSection is a section a disposition names, as it reads in the
// revision named: its number (position) and heading, and Link, the
// address of its text (staff: the revision's page; public: the executed
// text on the public page).
type MatrixSection struct {
	Key     string `json:"key"`
	Number  int    `json:"number"`
	Heading string `json:"heading"`
	Link    string `json:"link"`
}

// SectionLink is the address of section key of revision n on MOU id's
// page, where each section is anchored "section-KEY".
func SectionLink(id int64, n int, key string) string {
	return fmt.Sprintf("/mous/%d?rev=%d#section-%s", id, n, key)
}

// PublicSectionLink is the address of section key in the executed text
// of MOU id's public page, where each section is anchored "p-KEY".
func PublicSectionLink(id int64, key string) string {
	return fmt.Sprintf("/public/mous/%d#p-%s", id, key)
}

// Matrix is MOU mouID's recommendations matrix for actor, who may see the
// MOU (404 otherwise).
func (s *Service) Matrix(ctx context.Context, actor moudesk.Actor, mouID int64) (*Matrix, error) {
	m, err := s.VisibleMOU(ctx, actor, mouID)
	if err != nil {
		return nil, err
	}
	return s.matrix(ctx, m, false)
}

// PublicMatrix is the recommendations matrix of an executed MOU as the
// public sees it: sources, texts, dispositions, reasons and the sections
// quoted, linked into the public page's executed text where the section
// is still there; no staff names and no history. Anything not executed is
// 404, as for PublicExecuted.
func (s *Service) PublicMatrix(ctx context.Context, mouID int64) (*Matrix, error) {
	m, err := s.MOU(ctx, mouID)
	if err != nil || m.ExecutedRevision == nil {
		if err == nil || moudesk.IsKind(err, moudesk.KindNotFound) {
			return nil, ErrNotExecuted(mouID)
		}
		return nil, err
	}
	return s.matrix(ctx, m, true)
}

// matrix builds the matrix of m; public leaves out what is staff's.
func (s *Service) matrix(ctx context.Context, m *MOU, public bool) (*Matrix, error) {
	recs, err := s.store.Recommendations(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	out := &Matrix{MOUID: m.ID, Title: m.Title, Rows: make([]MatrixRow, 0, len(recs)), Counts: map[string]int{}}
	for _, d := range []string{RecOpen, RecAdopted, RecMet, RecDeclined, RecDeferred} {
		out.Counts[d] = 0
	}
	var executed map[string]bool
	if public {
		rev, err := s.Revision(ctx, m.ID, *m.ExecutedRevision)
		if err != nil {
			return nil, err
		}
		executed = map[string]bool{}
		for _, sec := range rev.Sections {
			executed[sec.Key] = true
		}
	}
	for _, r := range recs {
		cur := r.Current
		row := MatrixRow{ID: r.ID, Source: r.Source, Text: r.Text, Disposition: cur.Disposition, Reason: cur.Reason,
			Revision: cur.Revision, DecidedAt: cur.CreatedAt}
		if !public {
			row.EnteredBy, row.DecidedBy, row.History = r.EnteredBy, cur.DecidedBy, r.History
		}
		if len(cur.Sections) > 0 {
			rev, err := s.Revision(ctx, m.ID, cur.Revision)
			if err != nil {
				return nil, err
			}
			for _, key := range cur.Sections {
				ms := MatrixSection{Key: key, Link: SectionLink(m.ID, cur.Revision, key)}
				for i, sec := range rev.Sections {
					if sec.Key == key {
						ms.Number, ms.Heading = i+1, sec.Heading
					}
				}
				if public {
					ms.Link = ""
					if executed[key] {
						ms.Link = PublicSectionLink(m.ID, key)
					}
				}
				row.Sections = append(row.Sections, ms)
			}
		}
		out.Counts[row.Disposition]++
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// MatrixPDF typesets MOU mouID's recommendations matrix for actor, who may
// see the MOU. It carries the time of the newest disposition, so the same
// matrix gives the same bytes.
func (s *Service) MatrixPDF(ctx context.Context, actor moudesk.Actor, mouID int64, paper string) (*PDF, error) {
	m, err := s.VisibleMOU(ctx, actor, mouID)
	if err != nil {
		return nil, err
	}
	mx, err := s.matrix(ctx, m, false)
	if err != nil {
		return nil, err
	}
	opt := render.Options{Paper: paper, Title: "Recommendations matrix: " + m.Title, HeaderNote: fmt.Sprintf("MOU %d", m.ID),
		Draft: m.Stage != "executed", Time: m.CreatedAt}
	for _, r := range mx.Rows {
		if r.DecidedAt.After(opt.Time) {
			opt.Time = r.DecidedAt
		}
	}
	res, err := render.PDF(matrixMarkdown(mx, "#"), opt)
	if err != nil {
		return nil, fmt.Errorf("render recommendations matrix of MOU %d: %w", mouID, err)
	}
	return NewPDF(res), nil
}

// matrixMarkdown is the matrix as Markdown for a PDF, its title a heading
// of level h ("#" on its own, "##" inside a packet): the counts, then each
// recommendation in order with its source, disposition, the sections that
// do it (by number and heading) and the reason. A list rather than a table:
// a recommendation is often a paragraph, too long for a cell.
func matrixMarkdown(mx *Matrix, h string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s Recommendations matrix\n\n", h)
	fmt.Fprintf(&b, "**MOU:** %s\n\n", mdEscape(mx.Title))
	var counts []string
	for _, d := range []string{RecAdopted, RecMet, RecDeferred, RecDeclined, RecOpen} {
		if n := mx.Counts[d]; n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", n, d))
		}
	}
	fmt.Fprintf(&b, "**Recommendations:** %d", len(mx.Rows))
	if len(counts) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(counts, ", "))
	}
	b.WriteString("\n\n")
	if len(mx.Rows) == 0 {
		b.WriteString("No recommendations are recorded for this MOU.\n")
		return []byte(b.String())
	}
	for i, r := range mx.Rows {
		fmt.Fprintf(&b, "**%d\\.** %s\n\n", i+1, oneLine(r.Text))
		fmt.Fprintf(&b, "- **Source:** %s\n", oneLine(sourceLine(r.Source)))
		switch r.Disposition {
		case RecAdopted, RecMet:
			fmt.Fprintf(&b, "- **Disposition:** %s, revision %d\n", r.Disposition, r.Revision)
			var secs []string
			for _, sec := range r.Sections {
				secs = append(secs, fmt.Sprintf("%d\\. %s", sec.Number, oneLine(sec.Heading)))
			}
			fmt.Fprintf(&b, "- **Text:** %s\n", strings.Join(secs, "; "))
		default:
			fmt.Fprintf(&b, "- **Disposition:** %s\n", r.Disposition)
		}
		if r.Reason != "" {
			fmt.Fprintf(&b, "- **Reason:** %s\n", oneLine(r.Reason))
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// sourceLine is a recommendation's source in one line: body, report,
// date, item.
func sourceLine(src RecommendationSource) string {
	parts := []string{src.Body}
	if src.Title != "" {
		parts = append(parts, src.Title)
	}
	if src.Date != "" {
		parts = append(parts, src.Date)
	}
	if src.Item != "" {
		parts = append(parts, "item "+src.Item)
	}
	return strings.Join(parts, ", ")
}

// oneLine is text escaped as one paragraph of Markdown: its lines joined
// and its punctuation escaped, so a recommendation cannot start a heading
// or a list of its own.
func oneLine(s string) string {
	return mdEscape(strings.Join(strings.Fields(s), " "))
}

// withRecommendations is a packet's preface with the recommendations
// matrix appended as a part of its own, when the MOU has any; a packet of
// an MOU without recommendations is as it was.
func (s *Service) withRecommendations(ctx context.Context, m *MOU, parts ...[]byte) ([][]byte, error) {
	mx, err := s.matrix(ctx, m, false)
	if err != nil {
		return nil, err
	}
	if len(mx.Rows) > 0 {
		parts = append(parts, matrixMarkdown(mx, "##"))
	}
	return parts, nil
}
