package pdfsign

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"
)

// Long-term validation (PAdES B-LT and B-LTA, ETSI EN 319 142-1 §5.4–5.5):
// after the seal, one incremental update adds a Document Security Store
// (/DSS in the catalog) holding every certificate of every chain — the
// signatories', the seal's, and the TSAs' of every timestamp — and a CRL
// from each issuing CA, with a /VRI entry per signature; a second update
// adds a document timestamp (/Type /DocTimeStamp, /SubFilter
// /ETSI.RFC3161) over the whole file. Both only add objects and rewrite
// the catalog and the form (a new invisible field), which DocMDP P=2
// permits, so every earlier signature stays valid.

// LTVOptions says where the validation data and the document timestamp
// come from.
type LTVOptions struct {
	// Roots are the trust anchors; their certificates go in the DSS too so
	// a verifier decades later finds the whole path in the file.
	Roots []*x509.Certificate
	// CRL returns the current CRL (DER) of issuer covering cert, or nil
	// when there is none to be had (cert then has no revocation data).
	CRL func(ctx context.Context, cert, issuer *x509.Certificate) ([]byte, error)
	// TSA makes the document timestamp; nil adds only the DSS (B-LT).
	TSA Timestamper
	Now time.Time
}

// docTSContents is the room reserved for a document timestamp token.
const docTSContents = 16 << 10

// AddLTV appends the DSS and a document timestamp to a signed PDF and
// returns the new file. Called again (`moudesk ltv refresh`), it adds the
// validation data of the last document timestamp's TSA and a new
// document timestamp, extending the proof beyond that TSA's expiry.
func AddLTV(ctx context.Context, pdf []byte, o LTVOptions) ([]byte, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	out, err := addDSS(ctx, pdf, o)
	if err != nil {
		return nil, fmt.Errorf("ltv: %w", err)
	}
	if o.TSA == nil {
		return out, nil
	}
	stamped, err := addDocTimestamp(ctx, out, o.TSA)
	if err != nil {
		return nil, fmt.Errorf("ltv: %w", err)
	}
	if stamped == nil { // an optional TSA gave no token
		return out, nil
	}
	return stamped, nil
}

// sigEvidence is what one signature value carries: its signer (the TSA
// for a document timestamp), the certificates inside, and its signature
// timestamp's.
type sigEvidence struct {
	contents []byte
	leaves   []*x509.Certificate
	certs    []*x509.Certificate
}

// evidenceOf reads the certificates of one signature dictionary.
func evidenceOf(sd dict) (ev sigEvidence, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed signature (%v)", r)
		}
	}()
	contents, _ := sd["Contents"].(pdfString)
	ev.contents = contents
	if sd.name("SubFilter") == "ETSI.RFC3161" {
		ts, err := ParseTimestamp(contents)
		if err != nil {
			return ev, err
		}
		ev.leaves, ev.certs = []*x509.Certificate{ts.Signer}, ts.Certs
		return ev, nil
	}
	p7, err := pkcs7.Parse(trimDER(contents))
	if err != nil {
		return ev, err
	}
	if s := p7.GetOnlySigner(); s != nil {
		ev.leaves = append(ev.leaves, s)
	}
	ev.certs = append(ev.certs, p7.Certificates...)
	if tok := signatureTimestampToken(p7); tok != nil {
		if ts, err := ParseTimestamp(tok); err == nil {
			ev.leaves = append(ev.leaves, ts.Signer)
			ev.certs = append(ev.certs, ts.Certs...)
		}
	}
	return ev, nil
}

// signatureTimestampToken returns the token in the signer's unsigned
// attributes, or nil.
func signatureTimestampToken(p7 *pkcs7.PKCS7) []byte {
	if len(p7.Signers) != 1 {
		return nil
	}
	for _, a := range p7.Signers[0].UnauthenticatedAttributes {
		if a.Type.Equal(oidSignatureTimeStampToken) {
			return a.Value.Bytes
		}
	}
	return nil
}

// buildChain follows issuers from leaf through pool up to a self-signed
// certificate (or as far as pool reaches), leaf first.
func buildChain(leaf *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	chain := []*x509.Certificate{leaf}
	for c := leaf; len(chain) < 8 && !selfSigned(c); {
		var next *x509.Certificate
		for _, p := range pool {
			if bytes.Equal(p.RawSubject, c.RawIssuer) && !p.Equal(c) && c.CheckSignatureFrom(p) == nil {
				next = p
				break
			}
		}
		if next == nil {
			break
		}
		chain = append(chain, next)
		c = next
	}
	return chain
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

// vriKey is the /VRI key of a signature: the uppercase hex SHA-1 of its
// /Contents string (all of it, padding included).
func vriKey(contents []byte) string {
	sum := sha1.Sum(contents)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// dssBuilder gathers the DSS: streams already in the file are kept and
// not written twice.
type dssBuilder struct {
	b     *builder
	certs array
	crls  array
	vri   dict
	seen  map[[32]byte]ref
}

func (d *dssBuilder) add(list *array, der []byte) ref {
	k := sha256.Sum256(der)
	if r, ok := d.seen[k]; ok {
		return r
	}
	r := d.b.u.alloc()
	d.b.u.putStream(r, dict{}, der)
	d.seen[k] = r
	*list = append(*list, r)
	return r
}

// loadExisting keeps the DSS already in the file.
func (d *dssBuilder) loadExisting(old dict) {
	doc := d.b.doc
	for key, list := range map[string]*array{"Certs": &d.certs, "CRLs": &d.crls} {
		v, _ := doc.resolve(old[key])
		a, _ := v.(array)
		for _, e := range a {
			r, ok := e.(ref)
			if !ok {
				continue
			}
			*list = append(*list, r)
			if sv, _ := doc.resolve(r); sv != nil {
				if s, ok := sv.(*stream); ok {
					if data, err := doc.decode(s); err == nil {
						d.seen[sha256.Sum256(data)] = r
					}
				}
			}
		}
	}
	if v := doc.dictOf(old["VRI"]); v != nil {
		for k, e := range v {
			d.vri[k] = e
		}
	}
}

func addDSS(ctx context.Context, pdf []byte, o LTVOptions) ([]byte, error) {
	doc, err := openDocument(ctx, pdf)
	if err != nil {
		return nil, err
	}
	b := &builder{doc: doc, u: newUpdate(doc)}
	if b.catalog, b.catRef, err = doc.catalog(); err != nil {
		return nil, err
	}
	b.catalog = b.catalog.clone()
	_, fields, err := doc.formFields()
	if err != nil {
		return nil, err
	}
	d := &dssBuilder{b: b, vri: dict{}, seen: map[[32]byte]ref{}}
	old := doc.dictOf(b.catalog["DSS"])
	if old != nil {
		d.loadExisting(old)
	}
	crlOf := map[string]ref{} // issuer DER → CRL stream
	signed := 0
	for _, f := range fields {
		sd := doc.dictOf(f.value)
		if sd == nil {
			continue
		}
		ev, err := evidenceOf(sd)
		if err != nil {
			return nil, fmt.Errorf("signature %q: %w", f.name, err)
		}
		signed++
		pool := append(append([]*x509.Certificate{}, ev.certs...), o.Roots...)
		entry := dict{"Cert": array{}, "CRL": array{}, "TU": pdfString(pdfDate(o.Now))}
		for _, leaf := range ev.leaves {
			chain := buildChain(leaf, pool)
			for i, c := range chain {
				entry["Cert"] = appendRef(entry["Cert"].(array), d.add(&d.certs, c.Raw))
				if i+1 >= len(chain) {
					continue
				}
				issuer := chain[i+1]
				r, ok := crlOf[string(issuer.Raw)]
				if !ok && o.CRL != nil {
					der, err := o.CRL(ctx, c, issuer)
					if err != nil {
						return nil, fmt.Errorf("CRL of %s: %w", issuer.Subject.CommonName, err)
					}
					if der != nil {
						crl, err := x509.ParseRevocationList(der)
						if err != nil || crl.CheckSignatureFrom(issuer) != nil {
							return nil, fmt.Errorf("the CRL given for %s is not one it signed", issuer.Subject.CommonName)
						}
						r, ok = d.add(&d.crls, der), true
						crlOf[string(issuer.Raw)] = r
					}
				}
				if ok {
					entry["CRL"] = appendRef(entry["CRL"].(array), r)
				}
			}
		}
		d.vri[vriKey(ev.contents)] = entry
	}
	if signed == 0 {
		return nil, errors.New("the PDF has no signatures to keep valid")
	}
	dss := dict{"Type": name("DSS"), "Certs": d.certs, "VRI": d.vri}
	if len(d.crls) > 0 {
		dss["CRLs"] = d.crls
	}
	if r, ok := b.catalog["DSS"].(ref); ok {
		b.u.put(b.u.existing(r.Num), dss)
	} else {
		r := b.u.alloc()
		b.u.put(r, dss)
		b.catalog["DSS"] = r
		b.u.put(b.u.existing(b.catRef.Num), b.catalog)
	}
	out, _ := b.u.write(pdf)
	return out, nil
}

func appendRef(a array, r ref) array {
	for _, e := range a {
		if e == r {
			return a
		}
	}
	return append(a, r)
}

// addDocTimestamp appends a document timestamp in a new invisible field;
// nil without error when an optional TSA gave no token.
func addDocTimestamp(ctx context.Context, pdf []byte, tsa Timestamper) ([]byte, error) {
	doc, err := openDocument(ctx, pdf)
	if err != nil {
		return nil, err
	}
	b := &builder{doc: doc, u: newUpdate(doc), contentsLen: docTSContents}
	if b.catalog, b.catRef, err = doc.catalog(); err != nil {
		return nil, err
	}
	b.catalog = b.catalog.clone()
	if b.form, b.fields, err = doc.formFields(); err != nil {
		return nil, err
	}
	b.sigRef = b.u.alloc()
	var rest bytes.Buffer
	writeObject(&rest, dict{"Type": name("DocTimeStamp"), "Filter": name("Adobe.PPKLite"), "SubFilter": name("ETSI.RFC3161")})
	var body bytes.Buffer
	body.WriteString(sigPrefix)
	body.Write(bytes.Repeat([]byte("0"), 2*b.contentsLen))
	body.WriteString("> ")
	body.Write(rest.Bytes()[2:])
	b.u.objs[b.sigRef.Num] = pending{body: body.Bytes()}
	fieldName := "DocTimeStamp1"
	for i := 2; ; i++ {
		if _, taken := findField(b.fields, fieldName); !taken {
			break
		}
		fieldName = "DocTimeStamp" + strconv.Itoa(i)
	}
	if _, err := b.addField(Field{Name: fieldName, Page: 1}, &b.sigRef); err != nil {
		return nil, err
	}
	b.flushForm()
	for num, p := range b.pages {
		b.u.put(b.u.existing(num), p)
	}
	if b.catDirty {
		b.u.put(b.u.existing(b.catRef.Num), b.catalog)
	}
	out, offsets := b.u.write(pdf)
	return fillContents(out, offsets[b.sigRef.Num], b.contentsLen, func(content []byte) ([]byte, error) {
		sum := sha256.Sum256(content)
		return tsa.Timestamp(ctx, sum[:])
	})
}

// fillContents is finish for a value made by value (nil: no value, the
// update is dropped).
func fillContents(out []byte, sigOff, contentsLen int, value func([]byte) ([]byte, error)) ([]byte, error) {
	nl := bytes.IndexByte(out[sigOff:], '\n')
	if nl < 0 || !bytes.HasPrefix(out[sigOff+nl+1:], []byte(sigPrefix)) {
		return nil, errors.New("signature placeholders not found")
	}
	br := sigOff + nl + 1 + len("<</ByteRange ")
	start := sigOff + nl + 1 + len(sigPrefix) - 1
	end := start + 2 + 2*contentsLen
	rng := fmt.Sprintf("[0 %d %d %d]", start, end, len(out)-end)
	if len(rng) > len(byteRangePlaceholder) {
		return nil, errors.New("byte range does not fit")
	}
	copy(out[br:], rng+strings.Repeat(" ", len(byteRangePlaceholder)-len(rng)))
	content := make([]byte, 0, len(out)-(end-start))
	content = append(append(content, out[:start]...), out[end:]...)
	der, err := value(content)
	if err != nil || der == nil {
		return nil, err
	}
	if len(der) > contentsLen {
		return nil, fmt.Errorf("token of %d bytes exceeds the %d reserved", len(der), contentsLen)
	}
	hex.Encode(out[start+1:], der)
	return out, nil
}
