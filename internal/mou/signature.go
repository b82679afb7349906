package mou

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/redline"
)

// Kinds of signature lines. A signatory binds a party; an attest line is
// the clerk's attestation of that signature, and an "approved as to form"
// line is counsel's. Each kind is a line of its own, signed in its turn.
const (
	KindSignatory        = "signatory"
	KindAttest           = "attest"
	KindApprovedAsToForm = "approved_as_to_form"
)

// Limits on a signature block: a name or title is one short line, and no
// real agreement has dozens of lines.
const (
	MaxSignatureLines = 40
	MaxSignatureText  = 200
)

// SignatureLine is one line of a revision's signature block. Party is the
// template's party role the line signs for; Name is the person expected to
// sign (empty until the drafter knows it: the assigned signatory's name is
// printed then); Title is theirs, as printed under the signature. Lines
// sign in ascending Order; lines that share an Order may sign in any order
// among themselves. A template's lines leave Kind empty for a signatory.
type SignatureLine struct {
	Kind  string `yaml:"kind,omitempty" json:"kind"`
	Party string `yaml:"party" json:"party"`
	Name  string `yaml:"name,omitempty" json:"name"`
	Title string `yaml:"title" json:"title"`
	Order int    `yaml:"order" json:"order"`
}

// LineKind is l's kind, signatory when the template left it empty.
func (l SignatureLine) LineKind() string {
	if l.Kind == "" {
		return KindSignatory
	}
	return l.Kind
}

// KindName names l's kind for people: "Signatory", "Attest" or "Approved
// as to form".
func (l SignatureLine) KindName() string { return kindWords(l.LineKind()) }

// KindLabel is what the signed document prints above a line of kind: "" for
// a signatory (the party's name stands there), "ATTEST:" or "APPROVED AS TO
// FORM:".
func KindLabel(kind string) string {
	switch kind {
	case KindAttest:
		return "ATTEST:"
	case KindApprovedAsToForm:
		return "APPROVED AS TO FORM:"
	}
	return ""
}

// kindWords names a kind in the canonical Markdown.
func kindWords(kind string) string {
	switch kind {
	case KindAttest:
		return "Attest"
	case KindApprovedAsToForm:
		return "Approved as to form"
	}
	return "Signatory"
}

// BlockFromTemplate is the signature block a new MOU's first revision
// starts from: the template's lines, each with its kind spelled out, so the
// stored block never depends on the template again.
func BlockFromTemplate(t *Template) []SignatureLine {
	out := make([]SignatureLine, len(t.Signatures))
	for i, l := range t.Signatures {
		l.Kind = l.LineKind()
		out[i] = l
	}
	return out
}

// CheckBlock validates a drafter's signature block against the MOU's party
// roles and puts it in canonical form in place (kinds spelled out, names
// and titles trimmed). Errors are 422 naming the field as
// signature_block[i].<field>. Every party needs a signatory line of its
// own, since an agreement binds only the parties that sign it.
func CheckBlock(block []SignatureLine, roles []string) error {
	if len(block) == 0 {
		return unprocessable("missing_signatures", "signature_block", "the signature block needs at least one line per party")
	}
	if len(block) > MaxSignatureLines {
		return unprocessable("too_many_lines", "signature_block", "a signature block may have at most %d lines", MaxSignatureLines)
	}
	known := make(map[string]bool, len(roles))
	for _, r := range roles {
		known[r] = true
	}
	signs := map[string]bool{}
	seen := map[string]int{}
	for i := range block {
		l := &block[i]
		field := fmt.Sprintf("signature_block[%d]", i)
		l.Kind = l.LineKind()
		if KindLabel(l.Kind) == "" && l.Kind != KindSignatory {
			return unprocessable("unknown_kind", field+".kind", "kind %q is not one of signatory, attest, approved_as_to_form", l.Kind)
		}
		if !known[l.Party] {
			return unprocessable("unknown_party", field+".party", "party %q is not a party of this MOU (%s)", l.Party, strings.Join(roles, ", "))
		}
		var err error
		if l.Name, err = blockText(field+".name", l.Name, false); err != nil {
			return err
		}
		if l.Title, err = blockText(field+".title", l.Title, true); err != nil {
			return err
		}
		if l.Order < 1 {
			return unprocessable("invalid_order", field+".order", "signing order must be 1 or more, not %d", l.Order)
		}
		id := l.Kind + "\x00" + l.Party + "\x00" + l.Name + "\x00" + l.Title
		if j, dup := seen[id]; dup {
			return unprocessable("duplicate_line", field, "line %d repeats line %d", i+1, j+1)
		}
		seen[id] = i
		if l.Kind == KindSignatory {
			signs[l.Party] = true
		}
	}
	for _, r := range roles {
		if !signs[r] {
			return unprocessable("missing_signatory", "signature_block", "party %q has no signatory line", r)
		}
	}
	return nil
}

// blockText normalises and trims a name or title (moudesk.NormalizeText,
// as every text input is) and checks it is one line.
func blockText(field, s string, required bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", unprocessable("invalid_text", field, "%s must be one line of UTF-8 text", field)
	}
	s = strings.TrimSpace(moudesk.NormalizeText(s))
	switch {
	case required && s == "":
		return "", unprocessable("missing_field", field, "%s is required", field)
	case len(s) > MaxSignatureText:
		return "", unprocessable("too_long", field, "%s may be at most %d bytes", field, MaxSignatureText)
	case strings.ContainsAny(s, "\r\n\x00"):
		return "", unprocessable("invalid_text", field, "%s must be one line of UTF-8 text", field)
	}
	return s, nil
}

// SignaturesKey is the redline key of the signature block. It is no slug
// (slugs join letters and digits with hyphens), so no section key can be
// it.
const SignaturesKey = "signature_block"

// BlockMarkdown is the canonical Markdown of a signature block, appended to
// the canonical text of a revision that has one (empty for none, so the
// content hashes of revisions stored before blocks were keep verifying):
//
//	"## Signatures\n\n"
//	for each line i (1-based):
//	  i + ". " + kind words + " for " + party + ", order " + order + "\n"
//	  "   Name: " + name + "\n"      — omitted when the name is empty
//	  "   Title: " + title + "\n"
//	"\n"
//
// Names and titles are single trimmed lines (CheckBlock), so the form is
// unambiguous.
func BlockMarkdown(block []SignatureLine) string {
	if len(block) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("## Signatures\n\n")
	for i, l := range block {
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(". ")
		b.WriteString(kindWords(l.LineKind()))
		b.WriteString(" for ")
		b.WriteString(oneLine(l.Party))
		b.WriteString(", order ")
		b.WriteString(strconv.Itoa(l.Order))
		b.WriteString("\n")
		if n := oneLine(l.Name); n != "" {
			b.WriteString("   Name: " + n + "\n")
		}
		b.WriteString("   Title: " + oneLine(l.Title) + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

// blockPart is the signature block as a redline section, or false when the
// revision has none.
func blockPart(block []SignatureLine) (redline.Section, bool) {
	text := BlockMarkdown(block)
	if text == "" {
		return redline.Section{}, false
	}
	return redline.Section{Key: SignaturesKey, Heading: "Signatures", Text: text}, true
}

// SameBlock reports whether two blocks print and sign the same.
func SameBlock(a, b []SignatureLine) bool { return BlockMarkdown(a) == BlockMarkdown(b) }
