package desk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/docx"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/redline"
)

// ClauseLinkSimilarity is the word similarity (Jaccard index of word
// sets) from which an imported section is linked to a library clause:
// high enough that a clause with a few words changed links, low enough
// that another clause on the same subject does not.
const ClauseLinkSimilarity = 0.6

// wordDocument is a revision as the docx package writes it.
func (s *Service) wordDocument(m *MOU, rev *mou.Revision, publicURL string) *docx.Document {
	d := &docx.Document{
		Title:    rev.Title,
		Preamble: rev.Preamble,
		Footer:   FooterLine(m, rev, publicURL),
		Meta:     docx.Meta{MOU: m.ID, Revision: rev.Number, ContentHash: rev.ContentHash},
		Time:     rev.CreatedAt,
	}
	for _, sec := range rev.Sections {
		d.Sections = append(d.Sections, docx.Section{Key: sec.Key, Heading: sec.Heading, Body: sec.Body})
	}
	if rev.Signatures != nil {
		// The block travels as data too, so an import of this file keeps
		// the names, titles and order the text was approved with.
		if raw, err := json.Marshal(rev.Signatures); err == nil {
			d.Meta.SignatureBlock = raw
		}
	}
	for _, b := range s.RevisionOptions(m, rev, "letter").Signatures {
		d.Signatures = append(d.Signatures, docx.Signature{Heading: b.Party, Name: b.Name, Title: b.Title})
	}
	return d
}

// RevisionDOCX is revision n of MOU id as a Word document: numbered
// section headings, lists, tables, the signature block, and a footer
// naming the MOU, revision and content hash.
func (s *Service) RevisionDOCX(ctx context.Context, id int64, n int, publicURL string) ([]byte, *mou.Revision, error) {
	m, rev, err := s.loadRevision(ctx, id, n)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	if err := docx.Write(&buf, s.wordDocument(m, rev, publicURL)); err != nil {
		return nil, nil, fmt.Errorf("word document of MOU %d revision %d: %w", id, n, err)
	}
	return buf.Bytes(), rev, nil
}

// RedlineDOCX is the change from revision from to revision to of MOU id
// as a Word document with tracked changes, each by revision to's author
// at its time; sections the redline finds moved are Word moves.
func (s *Service) RedlineDOCX(ctx context.Context, id int64, from, to int, publicURL string) ([]byte, error) {
	m, a, err := s.loadRevision(ctx, id, from)
	if err != nil {
		return nil, err
	}
	b, err := s.Revision(ctx, id, to)
	if err != nil {
		return nil, err
	}
	moved := map[string]bool{}
	for _, c := range redline.Compare(a.Document(), b.Document(), redline.Options{}).Sections {
		if c.Status == redline.StatusMoved {
			moved[c.Key] = true
		}
	}
	by, err := s.changedBy(ctx, id, a, b)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = docx.WriteRedline(&buf, &docx.Redline{Old: s.wordDocument(m, a, publicURL), New: s.wordDocument(m, b, publicURL),
		Author: b.Author, Date: b.CreatedAt, Moved: moved, By: by})
	if err != nil {
		return nil, fmt.Errorf("word redline of MOU %d, %d to %d: %w", id, from, to, err)
	}
	return buf.Bytes(), nil
}

// maxBlameRevisions bounds the revisions a redline reads to credit each
// section's change to its revision; past it, every change is revision
// to's.
const maxBlameRevisions = 100

// changedBy credits each section that changed between revisions a and b
// to the revision between them that last changed it (added, edited or
// removed it), by that revision's author and time. Between consecutive
// revisions it is empty: every change is b's.
func (s *Service) changedBy(ctx context.Context, id int64, a, b *mou.Revision) (map[string]docx.Change, error) {
	if b.Number-a.Number < 2 || b.Number-a.Number > maxBlameRevisions {
		return nil, nil
	}
	texts := func(r *mou.Revision) map[string]string {
		out := map[string]string{}
		for _, p := range mou.Parts(r.Title, r.Preamble, r.Sections) {
			// The heading line holds the section's number, which changes
			// when another section is added: compare what follows it.
			_, body, _ := strings.Cut(p.Text, "\n")
			out[p.Key] = p.Heading + "\n" + body
			if p.Key == mou.PreambleKey {
				out[p.Key] = p.Text
			}
		}
		return out
	}
	by := map[string]docx.Change{}
	prev := texts(a)
	for n := a.Number + 1; n <= b.Number; n++ {
		r := b
		if n < b.Number {
			var err error
			if r, err = s.Revision(ctx, id, n); err != nil {
				return nil, err
			}
		}
		cur := texts(r)
		for k, t := range cur {
			if prev[k] != t {
				by[k] = docx.Change{Author: r.Author, Date: r.CreatedAt}
			}
		}
		for k := range prev {
			if _, ok := cur[k]; !ok {
				by[k] = docx.Change{Author: r.Author, Date: r.CreatedAt}
			}
		}
		prev = cur
	}
	return by, nil
}

// ImportedSection is one section of an imported document with the library
// clause closest to it.
type ImportedSection struct {
	Key     string `json:"key"`
	Heading string `json:"heading"`
	// Clause is the closest library clause and Similarity how close
	// (Jaccard index of the word sets, 0 to 1); Linked is true when the
	// section was linked to it, so its deviations show.
	Clause     string  `json:"clause,omitempty"`
	Similarity float64 `json:"similarity"`
	Linked     bool    `json:"linked"`
}

// Import is what reading a Word document found, and the MOU made from it
// when one was.
type Import struct {
	MOU         *MOU              `json:"mou,omitempty"`
	Revision    int               `json:"revision,omitempty"`
	ContentHash string            `json:"content_hash,omitempty"`
	Title       string            `json:"title"`
	Sections    []ImportedSection `json:"sections"`
	Report      docx.Report       `json:"report"`
	// Text is the document as sections, for a caller that only reads.
	Text *docx.Imported `json:"-"`
}

// ReadDOCX reads a Word document into sections and matches each against
// the clause library, storing nothing. A document it refuses is 422 (413
// when too large) with field "file".
func (s *Service) ReadDOCX(ctx context.Context, data []byte) (*Import, error) {
	im, err := docx.Import(data)
	if err != nil {
		var de *docx.Error
		if errors.As(err, &de) {
			kind := moudesk.KindUnprocessable
			if de.Code == docx.CodeTooLarge {
				kind = moudesk.KindTooLarge
			}
			return nil, &moudesk.Error{Kind: kind, Code: de.Code, Field: "file", Message: de.Message}
		}
		return nil, err
	}
	out := &Import{Title: im.Title, Report: im.Report, Text: im}
	lib, err := s.library(ctx)
	if err != nil {
		return nil, err
	}
	for _, sec := range im.Sections {
		is := ImportedSection{Key: sec.Key, Heading: sec.Heading}
		is.Clause, is.Similarity = closestClause(sec.Body, lib)
		out.Sections = append(out.Sections, is)
	}
	return out, nil
}

// library is every clause's latest text as word sets.
func (s *Service) library(ctx context.Context) (map[string]map[string]bool, error) {
	hits, err := s.store.SearchClauses(ctx, ClauseQuery{Limit: 10000})
	if err != nil {
		return nil, err
	}
	slugs := make([]string, 0, len(hits))
	for _, h := range hits {
		slugs = append(slugs, h.Slug)
	}
	latest, err := s.store.LatestClauses(ctx, slugs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string]bool, len(latest))
	for slug, c := range latest {
		out[slug] = words(c.Clause.Body)
	}
	return out, nil
}

// closestClause is the clause whose words are most like body's, and the
// Jaccard index of the two word sets. Placeholders ({{name}}) count as
// words of their own, so a filled clause still scores high.
func closestClause(body string, lib map[string]map[string]bool) (string, float64) {
	w := words(body)
	best, score := "", 0.0
	for _, slug := range slices.Sorted(maps.Keys(lib)) {
		c := lib[slug]
		inter := 0
		for k := range w {
			if c[k] {
				inter++
			}
		}
		union := len(w) + len(c) - inter
		if union == 0 {
			continue
		}
		if j := float64(inter) / float64(union); j > score {
			best, score = slug, j
		}
	}
	return best, float64(int(score*1000+0.5)) / 1000
}

func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out[f] = true
	}
	return out
}

// ImportDOCX makes a draft MOU from a Word document: revision 1 is
// assembled from req's template, parties and variables as CreateMOU does
// (so every party rule applies), and revision 2 holds the document's
// sections, saved as SaveRevision saves any edit. A section that matches
// a clause of the template at ClauseLinkSimilarity or more takes that
// template section's key, so it keeps the clause as provenance and its
// deviations show. Text before the first section that differs from the
// template's preamble becomes a first section, "Recitals". The document is
// read and its sections checked before anything is stored.
func (s *Service) ImportDOCX(ctx context.Context, actor moudesk.Actor, req CreateMOURequest, data []byte) (*Import, error) {
	out, err := s.ReadDOCX(ctx, data)
	if err != nil {
		return nil, err
	}
	im := out.Text
	t, ok := s.templates[req.Template]
	if !ok {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_template", Field: "template",
			Message: fmt.Sprintf("there is no template %q; GET /api/v1/templates lists them", req.Template)}
	}
	if strings.TrimSpace(req.Title) == "" {
		req.Title = im.Title
	}
	// Link: a section whose closest clause is one the template places
	// takes that place's key.
	keyOfClause := map[string]string{}
	for _, ts := range t.Sections {
		if ts.Clause != "" {
			keyOfClause[ts.Clause] = ts.Key
		}
	}
	used := map[string]bool{}
	for _, sec := range im.Sections {
		used[sec.Key] = true
	}
	inputs := make([]mou.SectionInput, 0, len(im.Sections)+1)
	for i, sec := range im.Sections {
		is := &out.Sections[i]
		if k, ok := keyOfClause[is.Clause]; ok && is.Similarity >= ClauseLinkSimilarity && (k == sec.Key || !used[k]) {
			delete(used, sec.Key)
			used[k] = true
			sec.Key, is.Key, is.Linked = k, k, true
		}
		inputs = append(inputs, mou.SectionInput{Key: sec.Key, Heading: sec.Heading, Body: sec.Body})
	}
	if len(req.Message) == 0 {
		req.Message = "Created to import a Word document"
	}
	check := mou.Content{Title: req.Title, Preamble: im.Preamble}
	for _, in := range inputs {
		check.Sections = append(check.Sections, mou.Section{Key: in.Key, Heading: in.Heading, Body: in.Body})
	}
	if err := mou.CheckSections(check.Sections); err != nil {
		return nil, err
	}
	if err := checkContentHTML(&check); err != nil {
		return nil, err
	}
	block := importedBlock(im, req.Parties, &out.Report)
	created, rev, err := s.CreateMOU(ctx, actor, req)
	if err != nil {
		return nil, err
	}
	if p := clauseBody(im.Preamble); p != "" && p != clauseBody(rev.Preamble) && !used["recitals"] {
		inputs = append([]mou.SectionInput{{Key: "recitals", Heading: "Recitals", Body: im.Preamble}}, inputs...)
		out.Sections = append([]ImportedSection{{Key: "recitals", Heading: "Recitals"}}, out.Sections...)
		out.Report.Warnings = append(out.Report.Warnings, docx.Warning{Code: "preamble_as_section", Count: 1,
			Message: "the text before the first section differs from the template's preamble, so it is the first section, Recitals"})
	}
	if sameSections(rev.Sections, inputs) && (block == nil || mou.SameBlock(block, rev.Signatures)) {
		// The document is the template's text as assembled: revision 1
		// already holds it.
		out.MOU, out.Revision, out.ContentHash = created, rev.Number, rev.ContentHash
		return out, nil
	}
	info, err := s.SaveRevision(ctx, actor, created.ID, RevisionRequest{Base: rev.Number, Message: "Imported from a Word document", Sections: inputs, SignatureBlock: block})
	if err != nil {
		return nil, fmt.Errorf("import into MOU %d: %w", created.ID, err)
	}
	out.MOU, out.Revision, out.ContentHash = created, info.Number, info.ContentHash
	return out, nil
}

// clauseBody is text as a body is stored, for comparing.
func clauseBody(s string) string { return strings.TrimSpace(moudesk.NormalizeText(s)) }

// sameSections says whether inputs are secs, key for key, as stored.
func sameSections(secs []mou.Section, inputs []mou.SectionInput) bool {
	if len(secs) != len(inputs) {
		return false
	}
	for i, s := range secs {
		in := inputs[i]
		if s.Key != in.Key || s.Heading != clauseBody(in.Heading) || clause.CanonicalBody(s.Body) != clause.CanonicalBody(in.Body) {
			return false
		}
	}
	return true
}

// importedBlock is the signature block a moudesk export carried, when it
// fits the new MOU's parties; otherwise nil (the template's block stays)
// and a warning says why.
func importedBlock(im *docx.Imported, parties map[string]string, rep *docx.Report) []mou.SignatureLine {
	if len(im.Meta.SignatureBlock) == 0 {
		return nil
	}
	var block []mou.SignatureLine
	err := json.Unmarshal(im.Meta.SignatureBlock, &block)
	if err == nil {
		err = mou.CheckBlock(block, slices.Sorted(maps.Keys(parties)))
	}
	if err != nil {
		rep.Warnings = append(rep.Warnings, docx.Warning{Code: "signature_block", Count: 1,
			Message: "the document's signature block does not fit this MOU's parties, so the template's block is used: " + err.Error()})
		return nil
	}
	return block
}
