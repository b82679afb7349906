package desk

import (
	"context"
	"strings"
)

// CitationForTest is one citation of a change summary with the new line
// its change falls in.
type CitationForTest struct {
	Text  string // "§7 Access to Student Records, pg. 5, item #7.3"
	Page  int
	Item  string
	Label string
	Line  string // the new revision's line holding the first change
	Moves []string
}

// CitationsForTest cites the changes from revision from to revision to of
// MOU id as change summaries and packets do, and returns the PDF of
// revision to that the citations point into.
func (s *Service) CitationsForTest(ctx context.Context, id int64, from, to int, paper string) ([]CitationForTest, []byte, error) {
	cmp, err := s.compare(ctx, id, from, to, paper)
	if err != nil {
		return nil, nil, err
	}
	doc, err := s.RevisionPDF(cmp.mou, cmp.to, paper)
	if err != nil {
		return nil, nil, err
	}
	var out []CitationForTest
	i := 0
	for _, sec := range cmp.redline.Sections {
		if sec.Status == "unchanged" {
			continue
		}
		c := cmp.cites[i]
		i++
		text, at := firstChange(sec.Ops)
		at = max(at, 0)
		start := strings.LastIndexByte(text[:at], '\n') + 1
		line := text[start:]
		if end := strings.IndexByte(line, '\n'); end >= 0 {
			line = line[:end]
		}
		out = append(out, CitationForTest{Text: c.Text, Page: c.Page, Item: c.Item, Label: c.Label, Line: line, Moves: c.Moves})
	}
	return out, doc.Bytes, nil
}
