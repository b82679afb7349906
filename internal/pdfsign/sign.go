package pdfsign

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Field is a signature field to create: its fully qualified name, page
// (1-based) and rectangle (llx lly urx ury in PDF points; all zero makes it
// invisible).
type Field struct {
	Name string
	Page int
	Rect [4]float64
}

// Request describes one signature.
type Request struct {
	// Field names the empty signature field to fill. When no field has that
	// name (or it is "") a new one is added in the same update, named Field
	// (or "SignatureN"), at FieldPage (default 1) and FieldRect (all zero =
	// invisible).
	Field     string
	FieldPage int
	FieldRect [4]float64
	// NewFields are empty fields created in the same update; only allowed
	// with Certify, so later signatories fill them without changing pages.
	NewFields []Field
	// NewTextFields are empty read-only text fields created in the same
	// update, only with Certify (see textfield.go); Fill puts values in
	// such fields in this update, e.g. the signing date beside a
	// signature line.
	NewTextFields []Field
	Fill          []FieldValue
	// Certify makes this the certification (DocMDP, P=2) signature: after
	// it only form filling and signing are allowed. It must be the first.
	Certify                             bool
	Name, Reason, Location, ContactInfo string
	Time                                time.Time
	// Appearance lines are drawn in visible fields (Helvetica/WinAnsi, see
	// winAnsi); ignored for invisible ones.
	Appearance []string
}

// ErrFieldSigned is returned when the requested field already holds a
// signature.
var ErrFieldSigned = errors.New("signature field already signed")

// contentsBase is the space reserved for the CMS blob without chain
// certificates; each chain certificate adds its own size.
const contentsBase = 8192

// placeholders written into the signature dictionary and replaced once the
// final file length is known. The ByteRange placeholder is wide enough for
// four ten-digit numbers.
const byteRangePlaceholder = "[0 0000000000 0000000000 0000000000]"

// Sign appends one signature to pdf as an incremental update and returns
// the new file; pdf itself is not modified.
func Sign(pdf []byte, s *Signer, req Request) ([]byte, error) {
	if s == nil || s.Key == nil || s.Cert == nil {
		return nil, errors.New("sign: signer needs a key and a certificate")
	}
	if int64(len(pdf)) >= 1<<32-1<<20 {
		return nil, errors.New("sign: PDF larger than 4 GB")
	}
	doc, err := openDocument(context.Background(), pdf)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if doc.trailer["Encrypt"] != nil {
		return nil, errors.New("sign: encrypted PDFs are not supported")
	}
	if req.Time.IsZero() {
		req.Time = time.Now()
	}
	if (len(req.NewFields) > 0 || len(req.NewTextFields) > 0) && !req.Certify {
		return nil, errors.New("sign: NewFields only with Certify")
	}
	b := &builder{doc: doc, u: newUpdate(doc), req: req, signer: s}
	if err := b.build(); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	out, offsets := b.u.write(pdf)
	return finish(out, offsets[b.sigRef.Num], b.contentsLen, s)
}

// builder gathers the objects of one signature update.
type builder struct {
	doc         *document
	u           *update
	req         Request
	signer      *Signer
	sigRef      ref
	contentsLen int // reserved bytes for the CMS blob
	catalog     dict
	catRef      ref
	catDirty    bool
	form        dict
	formRef     ref // zero when the form is inline in the catalog
	fields      []sigField
	newFieldRef []ref
	pages       map[int]dict // page objects rewritten in this update
	font        ref
	textFont    bool // text fields were added: the form needs /DR with Helvetica
}

func (b *builder) build() error {
	var err error
	if b.catalog, b.catRef, err = b.doc.catalog(); err != nil {
		return err
	}
	b.catalog = b.catalog.clone()
	if b.form, b.fields, err = b.doc.formFields(); err != nil {
		return err
	}
	if b.req.Certify {
		for _, f := range b.fields {
			if f.value != nil {
				return fmt.Errorf("certification must be the first signature, but field %q is signed", f.name)
			}
		}
		if b.catalog["Perms"] != nil {
			return errors.New("document already has /Perms (certified)")
		}
	}
	b.contentsLen = contentsBase
	for _, c := range b.signer.Chain {
		b.contentsLen += len(c.Raw)
	}
	b.contentsLen += timestampReserve(b.signer)
	b.sigRef = b.u.alloc()
	b.putSigDict()
	if b.req.Certify {
		b.catalog["Perms"] = dict{"DocMDP": b.sigRef}
		b.catDirty = true
	}
	if f, ok := findField(b.fields, b.req.Field); ok && b.req.Field != "" {
		if err := b.fillField(f); err != nil {
			return err
		}
	} else {
		nf := Field{Name: b.req.Field, Page: b.req.FieldPage, Rect: b.req.FieldRect}
		if nf.Name == "" {
			nf.Name = b.freeFieldName()
		}
		if nf.Page == 0 {
			nf.Page = 1
		}
		if _, err := b.addField(nf, &b.sigRef); err != nil {
			return err
		}
	}
	for _, nf := range b.req.NewFields {
		if _, ok := findField(b.fields, nf.Name); ok || nf.Name == "" || nf.Name == b.req.Field {
			return fmt.Errorf("new field %q: empty or duplicate name", nf.Name)
		}
		if _, err := b.addField(nf, nil); err != nil {
			return err
		}
	}
	for _, nf := range b.req.NewTextFields {
		if _, ok := findField(b.fields, nf.Name); ok || nf.Name == "" || nf.Name == b.req.Field {
			return fmt.Errorf("new text field %q: empty or duplicate name", nf.Name)
		}
		if err := b.addTextField(nf); err != nil {
			return err
		}
	}
	for _, fv := range b.req.Fill {
		if err := b.fillText(fv); err != nil {
			return err
		}
	}
	b.flushForm()
	for num, p := range b.pages {
		b.u.put(b.u.existing(num), p)
	}
	if b.catDirty {
		b.u.put(b.u.existing(b.catRef.Num), b.catalog)
	}
	return nil
}

// sigPrefix starts every signature dictionary we write, so /ByteRange and
// /Contents sit at known offsets whatever the caller's strings contain.
const sigPrefix = "<</ByteRange " + byteRangePlaceholder + " /Contents <"

// putSigDict writes the signature dictionary with the placeholders first.
func (b *builder) putSigDict() {
	d := dict{
		"Type":      name("Sig"),
		"Filter":    name("Adobe.PPKLite"),
		"SubFilter": name("ETSI.CAdES.detached"),
		"M":         pdfString(pdfDate(b.req.Time)),
	}
	for k, v := range map[string]string{"Name": b.req.Name, "Reason": b.req.Reason, "Location": b.req.Location, "ContactInfo": b.req.ContactInfo} {
		if v != "" {
			d[k] = textString(v)
		}
	}
	if b.req.Certify {
		d["Reference"] = array{dict{
			"Type":            name("SigRef"),
			"TransformMethod": name("DocMDP"),
			"TransformParams": dict{"Type": name("TransformParams"), "P": int64(2), "V": name("1.2")},
		}}
	}
	var rest bytes.Buffer
	writeObject(&rest, d)
	var body bytes.Buffer
	body.WriteString(sigPrefix)
	body.Write(bytes.Repeat([]byte("0"), 2*b.contentsLen))
	body.WriteString("> ")
	body.Write(rest.Bytes()[2:]) // drop the "<<" of the rest
	b.u.objs[b.sigRef.Num] = pending{body: body.Bytes()}
}

func (b *builder) freeFieldName() string {
	for i := 1; ; i++ {
		n := "Signature" + strconv.Itoa(i)
		if _, ok := findField(b.fields, n); !ok {
			return n
		}
	}
}

func visible(r [4]float64) bool { return r[2]-r[0] > 0 && r[3]-r[1] > 0 }

// appearanceFor writes an appearance stream for a widget of rect on page
// and returns its reference: the signature's lines when signed is true,
// else an empty box (so the unsigned field has the /AP viewers expect).
// A line is drawn in an embedded Unicode font of the page that has all its
// glyphs (so the name shows exactly, whatever the script), else in
// Helvetica.
func (b *builder) appearanceFor(page ref, rect [4]float64, signed bool) ref {
	w, h := rect[2]-rect[0], rect[3]-rect[1]
	r := b.u.alloc()
	if !signed {
		b.u.putStream(r, formXObject(w, h, nil), nil)
		return r
	}
	fonts := dict{}
	uni := b.doc.unicodeFontFor(page, b.req.Appearance)
	pick := func(line string) (string, appearanceFont) {
		if uni != nil && uni.covers(line) {
			fonts["F1"] = uni.ref
			return "F1", uni
		}
		fonts["Helv"] = b.helvRef()
		return "Helv", helveticaFont{}
	}
	content := appearance(b.req.Appearance, w, h, pick)
	b.u.putStream(r, formXObject(w, h, fonts), content)
	return r
}

// addField creates a merged field/widget on its page; value is the
// signature reference when this update signs it.
func (b *builder) addField(f Field, value *ref) (ref, error) {
	if f.Page < 1 {
		return ref{}, fmt.Errorf("field %q: page %d", f.Name, f.Page)
	}
	page, err := b.doc.pageRef(f.Page)
	if err != nil {
		return ref{}, fmt.Errorf("field %q: %w", f.Name, err)
	}
	fr := b.u.alloc()
	fd := dict{
		"Type": name("Annot"), "Subtype": name("Widget"), "FT": name("Sig"),
		"T": textString(f.Name), "F": int64(4), "P": page,
		"Rect": array{f.Rect[0], f.Rect[1], f.Rect[2], f.Rect[3]},
	}
	if value != nil {
		fd["V"] = *value
	}
	if visible(f.Rect) {
		fd["AP"] = dict{"N": b.appearanceFor(page, f.Rect, value != nil)}
	}
	b.u.put(fr, fd)
	b.newFieldRef = append(b.newFieldRef, fr)
	b.fields = append(b.fields, sigField{ref: fr, dict: fd, name: f.Name, widget: fr})
	return fr, b.addAnnot(page, fr)
}

// addAnnot adds widget w to the page's /Annots, rewriting the annotation
// array object when it is indirect, else the page dictionary.
func (b *builder) addAnnot(page, w ref) error {
	if b.pages == nil {
		b.pages = map[int]dict{}
	}
	pd, ok := b.pages[page.Num]
	if !ok {
		if pd = b.doc.dictOf(page); pd == nil {
			return fmt.Errorf("page object %d is not a dictionary", page.Num)
		}
		pd = pd.clone()
	}
	if ar, ok := pd["Annots"].(ref); ok {
		if _, pending := b.u.objs[ar.Num]; !pending {
			v, _ := b.doc.resolve(ar)
			a, _ := v.(array)
			b.u.put(b.u.existing(ar.Num), append(append(array{}, a...), w))
			return nil
		}
	}
	a, _ := pd["Annots"].(array)
	pd["Annots"] = append(append(array{}, a...), w)
	b.pages[page.Num] = pd
	return nil
}

// fillField sets /V of an existing empty field and gives its widget the
// signature's appearance, leaving pages untouched (DocMDP P=2 allows it).
func (b *builder) fillField(f sigField) error {
	if f.value != nil {
		return fmt.Errorf("%w: %q", ErrFieldSigned, f.name)
	}
	fd := f.dict.clone()
	fd["V"] = b.sigRef
	wd := fd
	if f.widget != f.ref {
		if wd = b.doc.dictOf(f.widget); wd == nil {
			return fmt.Errorf("field %q: widget is not a dictionary", f.name)
		}
		wd = wd.clone()
	}
	if rect, ok := b.rectOf(wd["Rect"]); ok && visible(rect) {
		page, _ := wd["P"].(ref)
		wd["AP"] = dict{"N": b.appearanceFor(page, rect, true)}
	}
	b.u.put(b.u.existing(f.ref.Num), fd)
	if f.widget != f.ref {
		b.u.put(b.u.existing(f.widget.Num), wd)
	}
	return nil
}

func (b *builder) rectOf(v any) ([4]float64, bool) {
	v, _ = b.doc.resolve(v)
	a, ok := v.(array)
	if !ok || len(a) != 4 {
		return [4]float64{}, false
	}
	var r [4]float64
	for i, e := range a {
		switch x := e.(type) {
		case int64:
			r[i] = float64(x)
		case float64:
			r[i] = x
		default:
			return r, false
		}
	}
	if r[0] > r[2] {
		r[0], r[2] = r[2], r[0]
	}
	if r[1] > r[3] {
		r[1], r[3] = r[3], r[1]
	}
	return r, true
}

func (b *builder) formRefFromCatalog() ref {
	r, _ := b.catalog["AcroForm"].(ref)
	return r
}

// flushForm writes the AcroForm when this update added fields or it lacks
// SigFlags 3 (signatures exist, append only). An indirect form is
// rewritten in place; an inline or missing one becomes a new object and
// the catalog points to it.
func (b *builder) flushForm() {
	if len(b.newFieldRef) == 0 && b.form != nil && b.form["SigFlags"] == int64(3) {
		return
	}
	form := dict{}
	if b.form != nil {
		form = b.form.clone()
	}
	if len(b.newFieldRef) > 0 {
		fv, _ := b.doc.resolve(form["Fields"])
		old, _ := fv.(array)
		fields := append(array{}, old...)
		for _, r := range b.newFieldRef {
			fields = append(fields, r)
		}
		form["Fields"] = fields
	}
	form["SigFlags"] = int64(3)
	if b.textFont {
		form["DR"] = dict{"Font": dict{"Helv": b.helvRef()}}
	}
	if r := b.formRefFromCatalog(); r != (ref{}) {
		b.u.put(b.u.existing(r.Num), form)
		return
	}
	r := b.u.alloc()
	b.u.put(r, form)
	b.catalog["AcroForm"] = r
	b.catDirty = true
}

// finish fills /ByteRange and /Contents of the signature object at sigOff
// in out, now that the file length is final.
func finish(out []byte, sigOff, contentsLen int, s *Signer) ([]byte, error) {
	nl := bytes.IndexByte(out[sigOff:], '\n')
	if nl < 0 || !bytes.HasPrefix(out[sigOff+nl+1:], []byte(sigPrefix)) {
		return nil, errors.New("sign: signature placeholders not found")
	}
	br := sigOff + nl + 1 + len("<</ByteRange ")
	start := sigOff + nl + 1 + len(sigPrefix) - 1
	end := start + 2 + 2*contentsLen
	rng := fmt.Sprintf("[0 %d %d %d]", start, end, len(out)-end)
	if len(rng) > len(byteRangePlaceholder) {
		return nil, errors.New("sign: byte range does not fit")
	}
	copy(out[br:], rng+string(bytes.Repeat([]byte(" "), len(byteRangePlaceholder)-len(rng))))
	content := make([]byte, 0, len(out)-(end-start))
	content = append(append(content, out[:start]...), out[end:]...)
	der, err := buildCMS(content, s)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if len(der) > contentsLen {
		return nil, fmt.Errorf("sign: CMS of %d bytes exceeds the %d reserved", len(der), contentsLen)
	}
	hex.Encode(out[start+1:], der)
	return out, nil
}
