package clause

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/strictyaml"
)

// MaxDocumentSize caps a clause or template file. The largest shipped clause
// is a few kilobytes; the cap keeps a hostile upload from costing the YAML
// parser real memory.
const MaxDocumentSize = 256 << 10

// SplitFrontMatter separates a Markdown document into its YAML front matter
// (between a first line "---" and the next line that is exactly "---") and
// the body after it. The text is normalised first (moudesk.NormalizeText:
// LF line endings, NFC), a leading UTF-8 byte-order mark is dropped, and
// the body is returned canonical: without leading blank lines or trailing
// white space, ending in one "\n" (or empty). Canonical bodies matter
// because revisions are hashed. Templates share this format, so the mou
// package calls it too.
func SplitFrontMatter(data []byte) (front []byte, body string, err error) {
	if len(data) > MaxDocumentSize {
		return nil, "", errorf(CodeTooLarge, "", "document is %d bytes; the limit is %d", len(data), MaxDocumentSize)
	}
	if !utf8.Valid(data) {
		return nil, "", errorf(CodeInvalidEncoding, "", "document is not valid UTF-8")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, "", errorf(CodeInvalidEncoding, "", "document contains a NUL byte")
	}
	text := moudesk.NormalizeText(strings.TrimPrefix(string(data), "\uFEFF"))
	if !strings.HasPrefix(text, "---\n") {
		return nil, "", errorf(CodeInvalidFrontMatter, "", "document must start with a \"---\" line opening the front matter")
	}
	rest := text[len("---\n"):]
	var fm string
	switch {
	case strings.HasPrefix(rest, "---\n") || rest == "---":
		fm, rest = "", strings.TrimPrefix(strings.TrimPrefix(rest, "---"), "\n")
	default:
		end := strings.Index(rest, "\n---\n")
		if end < 0 {
			if !strings.HasSuffix(rest, "\n---") {
				return nil, "", errorf(CodeInvalidFrontMatter, "", "front matter is not closed by a \"---\" line")
			}
			end = len(rest) - len("\n---")
			fm, rest = rest[:end], ""
		} else {
			fm, rest = rest[:end], rest[end+len("\n---\n"):]
		}
	}
	return []byte(fm), CanonicalBody(rest), nil
}

// Normalize puts a clause that did not come from a file (an API or form
// edit) in the form Parse gives one that did: every text field through
// moudesk.NormalizeText, the body canonical. It changes c in place.
func (c *Clause) Normalize() {
	for _, f := range []*string{&c.Title, &c.Category, &c.Summary} {
		*f = moudesk.NormalizeText(*f)
	}
	for i := range c.Variables {
		v := &c.Variables[i]
		v.Label, v.Default = moudesk.NormalizeText(v.Label), moudesk.NormalizeText(v.Default)
	}
	for i := range c.Obligations {
		o := &c.Obligations[i]
		o.What, o.Every, o.By = moudesk.NormalizeText(o.What), moudesk.NormalizeText(o.Every), moudesk.NormalizeText(o.By)
	}
	c.Body = CanonicalBody(c.Body)
}

// CanonicalBody normalises s (moudesk.NormalizeText), trims leading blank
// lines and trailing white space from each line end and from the whole
// text, and ends non-empty text with one "\n", so that equal prose always
// hashes equally.
func CanonicalBody(s string) string {
	s = moudesk.NormalizeText(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.Trim(strings.Join(lines, "\n"), "\n")
	if s == "" {
		return ""
	}
	return s + "\n"
}

// DecodeFrontMatter decodes YAML into v strictly: unknown fields and
// duplicate keys are errors, so a typo such as "requird: false" is reported
// instead of silently ignored; tags, anchors and aliases are refused (see
// strictyaml for why).
func DecodeFrontMatter(front []byte, v any) error {
	if len(bytes.TrimSpace(front)) == 0 {
		return errorf(CodeInvalidFrontMatter, "", "front matter is empty")
	}
	if err := strictyaml.Decode(front, v); err != nil {
		return &Error{
			Code:    CodeInvalidFrontMatter,
			Message: "front matter: " + err.Error(),
			Err:     err,
		}
	}
	return nil
}
