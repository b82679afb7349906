package mou

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/clause"
)

// Limits on what a revision may hold. A section body is a clause's worth
// of prose; 64 KiB is several pages, far beyond any shipped clause.
const (
	MaxBodyBytes    = 64 << 10
	MaxHeadingBytes = 200
	MaxTitleBytes   = 300
	MaxSections     = 500
	MaxMessageBytes = 2000
)

// Edit operations on a revision's sections.
const (
	OpUpdate = "update" // change heading and/or body of an existing key
	OpAdd    = "add"    // insert a new key after After ("" = first; absent = last)
	OpRemove = "remove" // drop an existing key
	OpMove   = "move"   // place an existing key after After ("" = first)
)

// Edit is one change to the base revision's sections.
type Edit struct {
	Op      string  `json:"op"`
	Key     string  `json:"key"`
	Heading *string `json:"heading,omitempty"`
	Body    *string `json:"body,omitempty"`
	After   *string `json:"after,omitempty"`
}

// SectionInput is one section of a full replacement list.
type SectionInput struct {
	Key     string `json:"key"`
	Heading string `json:"heading"`
	Body    string `json:"body"`
}

func unprocessable(code, field, format string, args ...any) *moudesk.Error {
	return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ReplaceSections makes the full ordered list in as the new sections. A key
// that was in base keeps its clause provenance (so its deviation is still
// measured against the library); a new key is the drafter's own text.
func ReplaceSections(base []Section, in []SectionInput) ([]Section, error) {
	prev := make(map[string]Section, len(base))
	for _, s := range base {
		prev[s.Key] = s
	}
	out := make([]Section, 0, len(in))
	for _, si := range in {
		s := Section{Key: si.Key, Heading: si.Heading, Body: si.Body}
		if p, ok := prev[si.Key]; ok {
			s.Clause, s.ClauseVersion = p.Clause, p.ClauseVersion
		}
		out = append(out, s)
	}
	return out, CheckSections(out)
}

// ApplyEdits applies edits in order to a copy of base.
func ApplyEdits(base []Section, edits []Edit) ([]Section, error) {
	secs := append([]Section(nil), base...)
	find := func(key string) int {
		for i, s := range secs {
			if s.Key == key {
				return i
			}
		}
		return -1
	}
	// insertAt resolves "after": "" is the first place, a key is right
	// after that key, absent is the end.
	insertAt := func(i int, e Edit) (int, error) {
		switch {
		case e.After == nil && e.Op == OpAdd:
			return len(secs), nil
		case e.After == nil:
			return 0, unprocessable("invalid_position", fmt.Sprintf("edits[%d].after", i), "move of %q needs \"after\": a section key, or \"\" for first", e.Key)
		case *e.After == "":
			return 0, nil
		}
		j := find(*e.After)
		if j < 0 {
			return 0, unprocessable("invalid_position", fmt.Sprintf("edits[%d].after", i), "there is no section %q to place %q after", *e.After, e.Key)
		}
		return j + 1, nil
	}
	for i, e := range edits {
		field := fmt.Sprintf("edits[%d]", i)
		at := find(e.Key)
		switch e.Op {
		case OpUpdate, OpRemove, OpMove:
			if at < 0 {
				return nil, unprocessable("unknown_key", field+".key", "there is no section %q", e.Key)
			}
		case OpAdd:
			if at >= 0 {
				return nil, unprocessable("duplicate_key", field+".key", "section %q already exists", e.Key)
			}
		default:
			return nil, unprocessable("invalid_edit", field+".op", "op must be update, add, remove or move, not %q", e.Op)
		}
		switch e.Op {
		case OpUpdate:
			if e.Heading == nil && e.Body == nil {
				return nil, unprocessable("invalid_edit", field, "update of %q changes neither heading nor body", e.Key)
			}
			if e.After != nil {
				return nil, unprocessable("invalid_edit", field+".after", "update does not move; use a move edit")
			}
			if e.Heading != nil {
				secs[at].Heading = *e.Heading
			}
			if e.Body != nil {
				secs[at].Body = *e.Body
			}
		case OpRemove:
			secs = append(secs[:at], secs[at+1:]...)
		case OpAdd:
			if e.Heading == nil {
				return nil, unprocessable("invalid_edit", field+".heading", "a new section needs a heading")
			}
			pos, err := insertAt(i, e)
			if err != nil {
				return nil, err
			}
			s := Section{Key: e.Key, Heading: *e.Heading}
			if e.Body != nil {
				s.Body = *e.Body
			}
			secs = append(secs[:pos], append([]Section{s}, secs[pos:]...)...)
		case OpMove:
			if e.After != nil && *e.After == e.Key {
				return nil, unprocessable("invalid_position", field+".after", "section %q cannot move after itself", e.Key)
			}
			s := secs[at]
			secs = append(secs[:at], secs[at+1:]...)
			pos, err := insertAt(i, e)
			if err != nil {
				return nil, err
			}
			secs = append(secs[:pos], append([]Section{s}, secs[pos:]...)...)
		}
	}
	return secs, CheckSections(secs)
}

// CheckSections enforces what every revision obeys and puts headings and
// bodies in canonical form in place: valid unique keys, one-line headings,
// bodies within MaxBodyBytes, valid UTF-8 without NUL or top-level
// headings.
func CheckSections(secs []Section) error {
	if len(secs) == 0 {
		return unprocessable("empty_document", "sections", "an MOU needs at least one section")
	}
	if len(secs) > MaxSections {
		return unprocessable("too_many_sections", "sections", "an MOU may have at most %d sections", MaxSections)
	}
	keys := make(map[string]bool, len(secs))
	for i := range secs {
		s := &secs[i]
		field := fmt.Sprintf("sections[%d]", i)
		if !clause.ValidSlug(s.Key) || s.Key == PreambleKey {
			return unprocessable("invalid_key", field+".key", "section key %q must be a lowercase slug other than %q", truncate(s.Key), PreambleKey)
		}
		if keys[s.Key] {
			return unprocessable("duplicate_key", field+".key", "section key %q is used twice", s.Key)
		}
		keys[s.Key] = true
		if err := checkText(field+".heading", s.Heading); err != nil {
			return err
		}
		h := strings.TrimSpace(moudesk.NormalizeText(s.Heading))
		if h == "" || strings.ContainsAny(h, "\r\n") || len(h) > MaxHeadingBytes {
			return unprocessable("invalid_heading", field+".heading", "section %q needs a one-line heading of at most %d bytes", s.Key, MaxHeadingBytes)
		}
		s.Heading = h
		if len(s.Body) > MaxBodyBytes {
			return &moudesk.Error{Kind: moudesk.KindTooLarge, Code: "too_large", Field: field + ".body",
				Message: fmt.Sprintf("section %q is %d bytes; the limit is %d", s.Key, len(s.Body), MaxBodyBytes)}
		}
		if err := checkText(field+".body", s.Body); err != nil {
			return err
		}
		body := clause.CanonicalBody(s.Body)
		for n, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, " "), "# ") || strings.TrimSpace(line) == "#" {
				return unprocessable("invalid_body", field+".body", "line %d of section %q is a top-level heading; use ### or lower", n+1, s.Key)
			}
		}
		s.Body = body
	}
	return nil
}

func checkTitle(title string) error {
	if err := checkText("title", title); err != nil {
		return err
	}
	t := strings.TrimSpace(title)
	if t == "" || strings.ContainsAny(t, "\r\n") || len(t) > MaxTitleBytes {
		return unprocessable("invalid_title", "title", "the title must be one line of at most %d bytes", MaxTitleBytes)
	}
	return nil
}

// checkText refuses text a JSON decoder could let through but a contract
// must not hold: invalid UTF-8 and NUL.
func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "invalid_utf8", Field: field, Message: "text is not valid UTF-8"}
	}
	if strings.IndexByte(s, 0) >= 0 {
		return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "nul_character", Field: field, Message: "text may not contain NUL characters"}
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
