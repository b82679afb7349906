package desk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/pdftext"
)

// Matching by text: the second path of verification, for a file whose
// bytes are no stored signing PDF (nor begin with one). A copy another
// tool re-saved (qpdf, an editor, "print to PDF") has other bytes but the
// same words; a copy whose words were changed names the revision it
// pretends to be in its footer but reads differently.
//
// The candidate comes from the file's own footer, "moudesk · <MOU id> rev
// <N> · <hash prefix> · verify at …", which every page of a signing PDF
// and certificate carries: at most maxClaims revisions are looked up, each
// by key, so a random upload never makes the server scan its documents.
// A file that names no revision is not compared with anything (a text
// fingerprint index could add that later). The reference text is read
// from the stored PDF itself with the same extractor, so the comparison
// never depends on how a revision is rendered today.

const maxClaims = 4

// TextMismatch says that the file names a revision of this moudesk but is
// not it: its text differs (the tampered-copy case), or the revision it
// names does not exist here.
type TextMismatch struct {
	MOUID    int64  `json:"mou_id"`
	Title    string `json:"title,omitempty"`
	Revision int    `json:"revision"`
	// ContentHash is the revision's content hash when it exists here,
	// else the prefix the file prints.
	ContentHash string `json:"content_hash"`
	// Reason is "text_differs" (the revision exists and its text is not
	// the file's) or "unknown_revision" (no such MOU revision here, or its
	// content hash does not begin with the printed prefix).
	Reason  string `json:"reason"`
	Message string `json:"message"`
	// Where the words first differ (text_differs only): the position of
	// the first differing word (1-based, in the normalised text of
	// pdftext.Words), and a few words of the revision's text and of the
	// file's from a little before it.
	Word     int    `json:"word,omitempty"`
	Expected string `json:"expected,omitempty"`
	Found    string `json:"found,omitempty"`
}

// matchText compares the words of data with the revisions its footer
// names. It returns the match, or the mismatch of the first named
// revision, or neither when the file names none or its text cannot be
// read (an unsupported encoding is not evidence of tampering).
func matchText(ctx context.Context, db Reader, data []byte, stored wordReader) (*VerifyMatch, *TextMismatch, error) {
	pages, err := pdftext.Extract(ctx, data)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return nil, nil, err
	case err != nil:
		return nil, nil, nil
	}
	claims := pdftext.Claims(pages)
	if len(claims) == 0 {
		return nil, nil, nil
	}
	words := pdftext.Words(pages)
	var first *TextMismatch
	for _, cl := range claims[:min(len(claims), maxClaims)] {
		m, mm, err := compareClaim(ctx, db, cl, words, stored)
		if err != nil || m != nil {
			return m, nil, err
		}
		if first == nil {
			first = mm
		}
	}
	return nil, first, nil
}

// compareClaim compares words with the stored documents of the revision
// cl names: its newest signing PDF, then its certificate of completion.
func compareClaim(ctx context.Context, db Reader, cl pdftext.Claim, words []string, stored wordReader) (*VerifyMatch, *TextMismatch, error) {
	unknown := &TextMismatch{MOUID: cl.MOUID, Revision: cl.Revision, ContentHash: cl.HashPrefix, Reason: "unknown_revision",
		Message: fmt.Sprintf("the file says it is MOU %d revision %d, but this moudesk has no such signed revision", cl.MOUID, cl.Revision)}
	m, err := db.MOU(ctx, cl.MOUID)
	if moudesk.IsKind(err, moudesk.KindNotFound) {
		return nil, unknown, nil
	}
	if err != nil {
		return nil, nil, err
	}
	// Only an executed revision is public. Anything else answers as if it
	// did not exist: a mismatch shows the stored text word by word, and
	// telling "no such revision" from "differs" would test hash prefixes.
	sealed, err := db.SealedDocument(ctx, m.ID)
	if moudesk.IsKind(err, moudesk.KindNotFound) || err == nil && sealed.Revision != cl.Revision {
		return nil, unknown, nil
	}
	if err != nil {
		return nil, nil, err
	}
	doc, err := db.LatestSigningDocument(ctx, cl.MOUID, cl.Revision)
	if moudesk.IsKind(err, moudesk.KindNotFound) {
		return nil, unknown, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if !strings.HasPrefix(doc.ContentHash, cl.HashPrefix) {
		return nil, unknown, nil
	}
	match := &VerifyMatch{MOUID: m.ID, Title: m.Title, Revision: cl.Revision, ContentHash: doc.ContentHash, Stage: m.Stage,
		Executed: true, Method: "text"}

	want, err := stored(ctx, doc.PDF, false)
	if err != nil {
		return nil, nil, fmt.Errorf("read the text of MOU %d revision %d: %w", m.ID, cl.Revision, err)
	}
	diff := pdftext.Compare(want, words)
	if diff == nil {
		match.Step = doc.Kind
		return match, nil, nil
	}
	// A printed copy ("print to PDF" from a viewer, pdftocairo) has the
	// signatures' visible names and dates flattened into its pages.
	printed, err := stored(ctx, doc.PDF, true)
	if err != nil {
		return nil, nil, fmt.Errorf("read the printed text of MOU %d revision %d: %w", m.ID, cl.Revision, err)
	}
	if pdftext.Compare(printed, words) == nil {
		match.Step = doc.Kind
		return match, nil, nil
	}
	cert, err := db.Certificate(ctx, m.ID, cl.Revision)
	if err != nil && !moudesk.IsKind(err, moudesk.KindNotFound) {
		return nil, nil, err
	}
	if err == nil {
		certWords, err := stored(ctx, cert, false)
		if err != nil {
			return nil, nil, fmt.Errorf("read the text of the certificate of MOU %d revision %d: %w", m.ID, cl.Revision, err)
		}
		d := pdftext.Compare(certWords, words)
		if d == nil {
			match.Step = "certificate"
			return match, nil, nil
		}
		// A certificate names its revision too: report the difference from
		// whichever of the two the file is closer to.
		if d.At > diff.At {
			diff = d
		}
	}
	return nil, &TextMismatch{MOUID: m.ID, Title: m.Title, Revision: cl.Revision, ContentHash: doc.ContentHash, Reason: "text_differs",
		Message: fmt.Sprintf("the file says it is MOU %d revision %d, but its text differs from that revision from word %d on", m.ID, cl.Revision, diff.At+1),
		Word:    diff.At + 1, Expected: strings.Join(diff.Expected, " "), Found: strings.Join(diff.Found, " ")}, nil
}

// wordReader gives the normalised words of a PDF moudesk stored, as drawn
// (printed false) or with signature appearances flattened in as a printed
// copy shows them.
type wordReader func(ctx context.Context, pdf []byte, printed bool) ([]string, error)

// extractWords reads a stored PDF's words.
func extractWords(ctx context.Context, pdf []byte, printed bool) ([]string, error) {
	extract := pdftext.Extract
	if printed {
		extract = pdftext.ExtractPrinted
	}
	pages, err := extract(ctx, pdf)
	if err != nil {
		return nil, err
	}
	return pdftext.Words(pages), nil
}

// storedTextKey names a stored PDF by its bytes: stored signing PDFs and
// certificates never change, so their words never do.
type storedTextKey struct {
	sum     [sha256.Size]byte
	printed bool
}

// storedWords is extractWords remembered across uploads: every public check
// of a copy of one executed MOU compares it with the same stored documents,
// and reading their text costs far more than hashing their bytes.
func (s *Service) storedWords(ctx context.Context, pdf []byte, printed bool) ([]string, error) {
	key := storedTextKey{sum: sha256.Sum256(pdf), printed: printed}
	return s.storedText.Cached(key, func() ([]string, error) { return extractWords(ctx, pdf, printed) })
}

func wordsSize(words []string) int {
	n := 0
	for _, w := range words {
		n += len(w) + 16 // the string header
	}
	return n
}

// VerifyMatch names the MOU revision a file's original text is.
type VerifyMatch struct {
	MOUID       int64  `json:"mou_id"`
	Title       string `json:"title"`
	Revision    int    `json:"revision"`
	ContentHash string `json:"content_hash"`
	Stage       string `json:"stage"`
	Executed    bool   `json:"executed"`
	// Step is the stored signing step the file is, or begins with
	// (rendered, certified, signature, seal), or "certificate" for a
	// certificate of completion; Exact when it is that file.
	Step  string `json:"step"`
	Exact bool   `json:"exact"`
	// Method is how the file was recognised: "bytes" when it is, or
	// extends by incremental updates, a PDF stored here; "text" when its
	// bytes differ (re-saved by another tool, or its signatures broken)
	// but its normalised words are those of the stored PDF (Step is then
	// the stored step or certificate compared, Exact false).
	Method string `json:"method"`
}

// MatchFile traces a PDF to a revision recorded in db: by its bytes when
// it is, or extends by incremental updates, a stored signing PDF or
// certificate; else by its text (see verify_text.go), which also reports a
// copy that names a revision but is not it. The verify endpoint and page
// and `moudesk verify` with a database share it. The words of stored PDFs
// are remembered across calls: they never change.
func (s *Service) MatchFile(ctx context.Context, data []byte) (*VerifyMatch, *TextMismatch, error) {
	return matchFile(ctx, s.store, data, s.storedWords)
}

func matchFile(ctx context.Context, db Reader, data []byte, stored wordReader) (*VerifyMatch, *TextMismatch, error) {
	m, err := matchBytes(ctx, db, data)
	if err != nil || m != nil {
		return m, nil, err
	}
	return matchText(ctx, db, data, stored)
}

// matchBytes looks each revision of data (the bytes up to each %%EOF)
// up among the stored signing PDFs; the longest stored prefix wins.
// Incremental updates only append, so a copy signed further elsewhere
// still begins with the bytes moudesk stored.
func matchBytes(ctx context.Context, db Reader, data []byte) (*VerifyMatch, error) {
	var sums []string
	for _, end := range revisionEnds(data, 100) {
		s := sha256.Sum256(data[:end])
		sums = append(sums, hex.EncodeToString(s[:]))
	}
	docs, err := db.DocumentsBySHA256(ctx, sums)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 && len(sums) > 0 {
		// Not a signing step: perhaps a certificate of completion, which
		// is matched only whole.
		whole := sha256.Sum256(data)
		cert, err := db.CertificateBySHA256(ctx, hex.EncodeToString(whole[:]))
		if moudesk.IsKind(err, moudesk.KindNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, *cert)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	best := docs[0]
	for _, d := range docs[1:] {
		if d.Size > best.Size {
			best = d
		}
	}
	m, err := db.MOU(ctx, best.MOUID)
	if err != nil {
		return nil, err
	}
	sealed, err := db.SealedDocument(ctx, best.MOUID)
	executed := err == nil && sealed.Revision == best.Revision
	if err != nil && !moudesk.IsKind(err, moudesk.KindNotFound) {
		return nil, err
	}
	return &VerifyMatch{MOUID: m.ID, Title: m.Title, Revision: best.Revision, ContentHash: best.ContentHash, Stage: m.Stage,
		Executed: executed, Step: best.Kind, Exact: best.Size == len(data), Method: "bytes"}, nil
}

// revisionEnds are the offsets just past each "%%EOF" marker (and its end
// of line) in data, at most limit of them, the last ones kept.
func revisionEnds(data []byte, limit int) []int {
	var ends []int
	marker := []byte("%%EOF")
	for off := 0; ; {
		i := bytes.Index(data[off:], marker)
		if i < 0 {
			break
		}
		end := off + i + len(marker)
		if end < len(data) && data[end] == '\r' {
			end++
		}
		if end < len(data) && data[end] == '\n' {
			end++
		}
		ends = append(ends, end)
		off = end
	}
	if len(ends) > limit {
		ends = ends[len(ends)-limit:]
	}
	return ends
}
