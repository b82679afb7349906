package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Limits on what Import reads. A real MOU is well under a megabyte; the
// limits are far above that and far below what would hurt the server.
const (
	// MaxFileBytes is the largest DOCX accepted.
	MaxFileBytes = 25 << 20
	// MaxPartBytes bounds one part as it inflates, whatever its zip header
	// claims; maxTotalBytes bounds every part read together.
	MaxPartBytes  = 50 << 20
	maxTotalBytes = 80 << 20
	maxEntries    = 2000
	maxDepth      = 128
	maxElements   = 2_000_000
)

// Error codes of a document Import refuses.
const (
	CodeNotDocx  = "not_docx"
	CodeTooLarge = "too_large"
	CodeZipBomb  = "zip_bomb"
	CodeDoctype  = "xml_doctype"
	CodeBadXML   = "invalid_xml"
	CodeNoText   = "no_text"
)

// Error is a document Import refuses, with a code for the API.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return "docx: " + e.Message }

func refuse(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// pkg is an opened package: its entries by name and the bytes inflated so
// far, bounded.
type pkg struct {
	files    map[string]*zip.File
	inflated int64
}

func openPackage(data []byte) (*pkg, error) {
	if len(data) > MaxFileBytes {
		return nil, refuse(CodeTooLarge, "the file is %d bytes; the limit is %d (25 MiB)", len(data), MaxFileBytes)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, refuse(CodeNotDocx, "the file is not a Word document (.docx is a zip archive): %v", err)
	}
	if len(zr.File) > maxEntries {
		return nil, refuse(CodeNotDocx, "the archive has %d entries; a Word document has a few dozen", len(zr.File))
	}
	p := &pkg{files: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		p.files[strings.TrimPrefix(path.Clean("/"+f.Name), "/")] = f
	}
	return p, nil
}

// read inflates one part, at most MaxPartBytes of it: the bound is
// applied to what comes out of the decompressor, since the sizes in the
// zip header are the sender's word. A missing part is (nil, nil).
func (p *pkg) read(name string) ([]byte, error) {
	f, ok := p.files[name]
	if !ok {
		return nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, refuse(CodeNotDocx, "cannot open %s in the archive: %v", name, err)
	}
	defer rc.Close()
	limit := min(int64(MaxPartBytes), maxTotalBytes-p.inflated)
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) {
			return nil, refuse(CodeNotDocx, "%s in the archive is damaged: %v", name, err)
		}
		return nil, refuse(CodeNotDocx, "cannot read %s in the archive: %v", name, err)
	}
	if int64(len(data)) > limit {
		return nil, refuse(CodeZipBomb, "%s inflates past %d MiB; refused as a zip bomb", name, limit>>20)
	}
	p.inflated += int64(len(data))
	return data, nil
}

// xnode is an element of a parsed part. Text holds the character data
// directly inside it.
type xnode struct {
	space, local string
	attr         []xml.Attr
	kids         []*xnode
	text         string
}

// attrVal is the value of the attribute named local (any namespace).
func (n *xnode) attrVal(local string) string {
	for _, a := range n.attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// child is the first child element named local.
func (n *xnode) child(local string) *xnode {
	for _, k := range n.kids {
		if k.local == local {
			return k
		}
	}
	return nil
}

// parseXML parses a part into a tree. A DOCTYPE of any kind is refused:
// WordprocessingML never has one, and it is how entity expansion attacks
// start. encoding/xml resolves no external entity and expands no
// user-defined one (an unknown entity is an error), and the depth and
// element count are bounded, so no input makes the parse explode.
func parseXML(name string, data []byte) (*xnode, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	root := &xnode{}
	stack := []*xnode{root}
	count := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, refuse(CodeBadXML, "%s is not well-formed XML: %v", name, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, refuse(CodeDoctype, "%s has a DOCTYPE or other XML directive; Word documents have none, so it is refused", name)
		case xml.StartElement:
			count++
			if count > maxElements || len(stack) > maxDepth {
				return nil, refuse(CodeBadXML, "%s is nested too deep or has too many elements", name)
			}
			n := &xnode{space: t.Name.Space, local: t.Name.Local, attr: t.Attr}
			top := stack[len(stack)-1]
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) < 2 || stack[len(stack)-1].local != t.Name.Local {
				return nil, refuse(CodeBadXML, "%s has a mismatched end tag </%s>", name, t.Name.Local)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top := stack[len(stack)-1]
			if top != root && keepsText(top.local) {
				top.text += string(t)
			}
		}
	}
	if len(stack) != 1 || len(root.kids) != 1 {
		return nil, refuse(CodeBadXML, "%s is not one XML document", name)
	}
	return root.kids[0], nil
}

// keepsText says which elements' character data is read: run text and
// the metadata's fields. Everything else is whitespace or ignored.
func keepsText(local string) bool {
	switch local {
	case "t", "delText", "heading", "body", "signature_block", "instrText":
		return true
	}
	return false
}
