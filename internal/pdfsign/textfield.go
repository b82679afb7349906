package pdfsign

import (
	"bytes"
	"errors"
	"fmt"
)

// FieldValue is a value to put in an empty text field. With IfPresent a
// document without the field is signed without it (one certified before
// its fields existed); otherwise a missing field is an error.
type FieldValue struct {
	Name, Value string
	IfPresent   bool
}

// Text fields: a certified document may carry empty read-only text fields
// (Request.NewTextFields), created with the certification because DocMDP
// P=2 forbids adding fields later but allows filling them. A signing update
// fills one (Request.Fill), e.g. with the signing date printed beside the
// signature line: the value is covered by that signature, and the page
// itself never changes.

// fieldReadOnly is bit 1 of /Ff: viewers let nobody type into the field.
const fieldReadOnly = 1

// helvRef is the update's Helvetica font object, made on first use.
func (b *builder) helvRef() ref {
	if b.font == (ref{}) {
		b.font = b.u.alloc()
		b.u.put(b.font, helvetica)
	}
	return b.font
}

// addTextField creates an empty read-only text field merged with its
// widget, drawn as nothing until filled.
func (b *builder) addTextField(f Field) error {
	if f.Page < 1 || !visible(f.Rect) {
		return fmt.Errorf("text field %q: needs a page and a visible rectangle", f.Name)
	}
	page, err := b.doc.pageRef(f.Page)
	if err != nil {
		return fmt.Errorf("text field %q: %w", f.Name, err)
	}
	w, h := f.Rect[2]-f.Rect[0], f.Rect[3]-f.Rect[1]
	ap := b.u.alloc()
	b.u.putStream(ap, formXObject(w, h, nil), nil)
	fr := b.u.alloc()
	b.u.put(fr, dict{
		"Type": name("Annot"), "Subtype": name("Widget"), "FT": name("Tx"),
		"T": textString(f.Name), "F": int64(4), "Ff": int64(fieldReadOnly), "P": page,
		"Rect": array{f.Rect[0], f.Rect[1], f.Rect[2], f.Rect[3]},
		"DA":   pdfString("/Helv 0 Tf 0 g"),
		"AP":   dict{"N": ap},
	})
	b.newFieldRef = append(b.newFieldRef, fr)
	b.textFont = true
	return b.addAnnot(page, fr)
}

// fillText sets the value of the empty top-level text field named fv.Name
// and draws it in the field's widget.
func (b *builder) fillText(fv FieldValue) error {
	r, fd, err := b.textField(fv.Name)
	if errors.Is(err, errNoTextField) && fv.IfPresent {
		return nil
	}
	if err != nil {
		return err
	}
	if v, ok := fd["V"].(pdfString); ok && len(v) > 0 {
		return fmt.Errorf("text field %q already holds a value", fv.Name)
	}
	rect, ok := b.rectOf(fd["Rect"])
	if !ok || !visible(rect) {
		return fmt.Errorf("text field %q has no visible rectangle", fv.Name)
	}
	w, h := rect[2]-rect[0], rect[3]-rect[1]
	encoded, width := helveticaFont{}.encode(fv.Value)
	size := min(h*0.7, 11.0)
	if width > 0 {
		size = min(size, (w-2)/(width/1000))
	}
	size = max(size, 4)
	var content bytes.Buffer
	content.WriteString("/Tx BMC q BT /Helv ")
	content.WriteString(formatReal(size))
	content.WriteString(" Tf 0 g 1 ")
	content.WriteString(formatReal(max((h-size*0.7)/2, 1)))
	content.WriteString(" Td ")
	content.Write(encoded)
	content.WriteString(" Tj ET Q EMC\n")
	ap := b.u.alloc()
	b.u.putStream(ap, formXObject(w, h, dict{"Helv": b.helvRef()}), content.Bytes())
	fd = fd.clone()
	fd["V"] = textString(fv.Value)
	fd["AP"] = dict{"N": ap}
	b.u.put(b.u.existing(r.Num), fd)
	return nil
}

// textField finds a top-level text field by name: moudesk creates its own
// fields at the top of the form, so nothing deeper is looked at.
func (b *builder) textField(fieldName string) (ref, dict, error) {
	if b.form == nil {
		return ref{}, nil, fmt.Errorf("%w %q: the document has no form", errNoTextField, fieldName)
	}
	fv, _ := b.doc.resolve(b.form["Fields"])
	top, _ := fv.(array)
	for _, f := range top {
		r, ok := f.(ref)
		if !ok {
			continue
		}
		d := b.doc.dictOf(r)
		if d == nil || d.name("FT") != "Tx" {
			continue
		}
		if t, ok := d["T"].(pdfString); ok && decodeText(t) == fieldName {
			return r, d, nil
		}
	}
	return ref{}, nil, fmt.Errorf("%w %q", errNoTextField, fieldName)
}

var errNoTextField = errors.New("no text field")
