package pdfsign

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"sort"
	"time"

	"github.com/moudesk/moudesk/internal/pdfsyntax"
)

// Report describes the signatures found in a PDF, in signing order.
type Report struct {
	Signatures []SignatureInfo
	// Revisions counts the cross-reference sections: the original file plus
	// one per incremental update.
	Revisions int
	// At is the time validity was judged at (VerifyOptions.At, else now);
	// DSS says the file carries a Document Security Store (B-LT).
	At  time.Time
	DSS bool
}

// SignatureInfo is the verdict on one signature.
type SignatureInfo struct {
	Field, SignerName, Reason string
	Time                      time.Time // CMS signing time, else /M
	Certification             bool
	Valid                     bool
	Problem                   string // why not Valid
	CoversWholeFile           bool
	SignedBytes               int64
	Trusted                   bool // the signer chains to one of the roots given to Verify
	// SignerSerial is the serial number (decimal) of the signer's
	// certificate, as `moudesk ca revoke --serial` takes it.
	SignerSerial string
	// DocumentTimestamp marks a document timestamp (B-LTA) rather than a
	// signature: Time is its time and SignerName its TSA.
	DocumentTimestamp bool
	// Timestamp is the signature's RFC 3161 timestamp (for a document
	// timestamp, the token itself); nil when it carries none.
	Timestamp *TimestampInfo
	// TimeSource says where Time comes from: "timestamp" (a valid token),
	// or "claimed" (the signer's own clock: CMS signing time, else /M).
	TimeSource string
	// ChainEmbedded: every certificate from the signer (and its
	// timestamp's TSA) to the root is in the file; RevocationEmbedded: a
	// CRL from every issuing CA on those paths is in the DSS.
	ChainEmbedded, RevocationEmbedded bool
	// Revocation is the signer's revocation status in words.
	Revocation string
	// ValidAtSigning: intact, and the chain was valid and unrevoked at
	// Time. ValidAt: it still verifies at Report.At — directly, or through
	// its timestamp, the embedded validation data and document timestamps
	// when the certificates have expired or were revoked since.
	ValidAtSigning, ValidAt bool
	AtProblem               string // why not ValidAt
}

// TimestampInfo describes an RFC 3161 timestamp token.
type TimestampInfo struct {
	Time time.Time
	TSA  string
	// CertExpires is when the TSA's certificate expires: a document
	// timestamp must be renewed (moudesk ltv refresh) before then.
	CertExpires time.Time
	Problem     string // empty when the token is intact and covers what it should
}

// VerifyOptions tune VerifyWith.
type VerifyOptions struct {
	Roots *x509.CertPool
	// At is when validity is judged (`moudesk verify --at`); zero is now.
	At time.Time
	// CRLs are current CRLs (DER) the verifier holds besides those in the
	// file, e.g. its own CA's.
	CRLs [][]byte
}

// Verify checks every signature in pdf. A signature is Valid when its CMS
// verifies over exactly its /ByteRange, the range starts at 0 and skips
// only its own /Contents string, and it covers the whole file — or, for
// all but the last, ends at a revision boundary (later updates follow).
// Input may be hostile: every loop and length is bounded, and ctx is
// honoured. Unreadable input gives an error wrapping ErrNotPDF.
func Verify(ctx context.Context, pdf []byte, roots *x509.CertPool) (*Report, error) {
	return VerifyWith(ctx, pdf, VerifyOptions{Roots: roots})
}

// VerifyWith is Verify with a time to judge validity at and CRLs.
func VerifyWith(ctx context.Context, pdf []byte, opts VerifyOptions) (*Report, error) {
	roots := opts.Roots
	if opts.At.IsZero() {
		opts.At = time.Now()
	}
	doc, err := openDocument(ctx, pdf)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	rep := &Report{Revisions: doc.sections}
	_, fields, err := doc.formFields()
	if err != nil {
		return nil, fmt.Errorf("verify: %w: %w", ErrNotPDF, err)
	}
	cat, _, _ := doc.catalog()
	var docMDP any
	if perms := doc.dictOf(cat["Perms"]); perms != nil {
		docMDP = perms["DocMDP"]
	}
	type found struct {
		info     SignatureInfo
		end      int64
		revision int64 // where the signature dictionary is stored: orders signatures
		ev       evidence
	}
	var sigs []found
	for _, f := range fields {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
		if f.value == nil {
			continue
		}
		info, end, ev := checkSignature(doc, f, docMDP, roots)
		sigs = append(sigs, found{info, end, doc.storedAt(f.value), ev})
	}
	sort.SliceStable(sigs, func(i, j int) bool { return sigs[i].revision < sigs[j].revision })
	for i, s := range sigs {
		if s.info.Problem == "" && !s.info.CoversWholeFile {
			if i == len(sigs)-1 {
				s.info.Problem = fmt.Sprintf("%d bytes after the signed range are not covered by any signature", int64(len(pdf))-s.end)
			} else if !endsAtRevision(pdf[:s.end]) {
				s.info.Problem = "signed range does not end at a revision boundary"
			}
		}
		s.info.Valid = s.info.Problem == ""
		rep.Signatures = append(rep.Signatures, s.info)
	}
	evs := make([]evidence, len(sigs))
	for i, s := range sigs {
		evs[i] = s.ev
	}
	rep.At = opts.At
	evaluateLTV(doc, rep, evs, opts)
	return rep, nil
}

// storedAt returns the file offset of the object v refers to (its object
// stream's for compressed objects), or -1.
func (d *document) storedAt(v any) int64 {
	r, ok := v.(ref)
	if !ok {
		return -1
	}
	e, ok := d.xref[r.Num]
	if ok && e.compressed {
		e, ok = d.xref[e.stm]
	}
	if !ok || e.compressed {
		return -1
	}
	return e.off
}

// checkSignature verifies one signature field and returns its verdict and
// where its signed range ends (0 when the range is unusable).
func checkSignature(doc *document, f sigField, docMDP any, roots *x509.CertPool) (SignatureInfo, int64, evidence) {
	info := SignatureInfo{Field: f.name, TimeSource: "claimed"}
	var ev evidence
	sd := doc.dictOf(f.value)
	if sd == nil {
		info.Problem = "signature value is not a dictionary"
		return info, 0, ev
	}
	if s, ok := sd["Reason"].(pdfString); ok {
		info.Reason = decodeText(s)
	}
	if s, ok := sd["Name"].(pdfString); ok {
		info.SignerName = decodeText(s)
	}
	if s, ok := sd["M"].(pdfString); ok {
		info.Time = parsePDFDate(string(s))
	}
	info.Certification = isCertification(doc, f.value, docMDP, sd)
	data := doc.data
	a, b, c, problem := byteRange(doc, sd)
	if problem != "" {
		info.Problem = problem
		return info, 0, ev
	}
	info.SignedBytes = a + (c)
	info.CoversWholeFile = b+c == int64(len(data))
	contents, _ := sd["Contents"].(pdfString)
	if gap, ok := pdfsyntax.DecodeHex(data[a+1 : b-1]); !ok || !bytes.Equal(gap, contents) {
		info.Problem = "ByteRange gap is not this signature's /Contents string"
		return info, b + c, ev
	}
	signed := make([]byte, 0, a+c)
	signed = append(append(signed, data[:a]...), data[b:b+c]...)
	ev.contents = contents
	if sd.name("SubFilter") == "ETSI.RFC3161" {
		checkDocTimestamp(&info, &ev, contents, signed)
		return info, b + c, ev
	}
	res := checkCMS(contents, signed)
	ev.signer, ev.certs = res.signer, res.certs
	info.Problem = res.problem
	if res.signer != nil {
		if cn := res.signer.Subject.CommonName; cn != "" {
			info.SignerName = cn
		}
		info.SignerSerial = res.signer.SerialNumber.String()
		if !res.signingTime.IsZero() {
			info.Time = res.signingTime
		}
		checkSignatureTimestamp(&info, &ev, res)
		info.Trusted = res.problem == "" && trusted(res, roots, info.Time)
	}
	return info, b + c, ev
}

// byteRange validates /ByteRange [0 a b c]: it starts at 0, the gap [a,b)
// is exactly one hex string, and it stays inside the file.
func byteRange(doc *document, sd dict) (a, b, c int64, problem string) {
	v, _ := doc.resolve(sd["ByteRange"])
	br, ok := v.(array)
	if !ok || len(br) != 4 {
		return 0, 0, 0, "ByteRange is not four numbers"
	}
	var n [4]int64
	for i, e := range br {
		if n[i], ok = e.(int64); !ok {
			return 0, 0, 0, "ByteRange is not four integers"
		}
	}
	size := int64(len(doc.data))
	switch {
	case n[0] != 0:
		return 0, 0, 0, "ByteRange does not start at 0"
	case n[1] <= 0 || n[2] < n[1]+2 || n[3] < 0 || n[2] > size || n[3] > size-n[2]:
		return 0, 0, 0, "ByteRange lies outside the file or is malformed"
	}
	a, b, c = n[1], n[2], n[3]
	if doc.data[a] != '<' || doc.data[b-1] != '>' {
		return 0, 0, 0, "ByteRange gap is not exactly the /Contents hex string"
	}
	for _, ch := range doc.data[a+1 : b-1] {
		if !isHexDigit(ch) {
			return 0, 0, 0, "ByteRange gap is not exactly the /Contents hex string"
		}
	}
	return a, b, c, ""
}

func isHexDigit(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isCertification(doc *document, value, docMDP any, sd dict) bool {
	if r, ok := value.(ref); ok && docMDP == r {
		return true
	}
	rv, _ := doc.resolve(sd["Reference"])
	refs, _ := rv.(array)
	for _, e := range refs {
		if d := doc.dictOf(e); d != nil && d.name("TransformMethod") == "DocMDP" {
			return true
		}
	}
	return false
}

// endsAtRevision reports whether b ends with an %%EOF marker (and an
// optional end of line): the end of a revision.
func endsAtRevision(b []byte) bool {
	b = bytes.TrimRight(b, "\r\n")
	return bytes.HasSuffix(b, []byte("%%EOF"))
}

func trusted(res cmsResult, roots *x509.CertPool, at time.Time) bool {
	if roots == nil {
		return false
	}
	inter := x509.NewCertPool()
	for _, c := range res.certs {
		if c != res.signer {
			inter.AddCert(c)
		}
	}
	if at.IsZero() {
		at = time.Now()
	}
	_, err := res.signer.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err == nil
}
