package docx

import (
	"strings"
	"unicode/utf8"
)

// Namespaces of the parts this package writes and reads.
const (
	nsW    = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR    = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRels = "http://schemas.openxmlformats.org/package/2006/relationships"
	nsMeta = "urn:moudesk:docx:1"

	relStyles    = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
	relNumbering = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
	relSettings  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings"
	relFooter    = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
	relLink      = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
	relCustomXML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
	relItemProps = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
	relDocument  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
	relCore      = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
	relComments  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
)

// esc escapes s for XML text and attribute values and drops what XML 1.0
// cannot hold (control characters other than tab and newline, invalid
// UTF-8), so no input makes a document Word refuses to open.
func esc(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '<' || c == '>' || c == '&' || c == '"' || c < 0x20 || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\t' || r == '\n':
			b.WriteRune(r)
		case r < 0x20, r == utf8.RuneError, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			// not representable in XML 1.0
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
