package pdfsign

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"time"
)

// evidence is what checking one signature found for judging it over
// time: its signer and certificates, and its (or, for a document
// timestamp, its own) timestamp when that token is sound.
type evidence struct {
	contents []byte
	signer   *x509.Certificate
	certs    []*x509.Certificate
	ts       *Timestamp // nil when absent or unsound
}

// checkDocTimestamp verifies a document timestamp: a token over the
// bytes of its ByteRange.
func checkDocTimestamp(info *SignatureInfo, ev *evidence, contents, signed []byte) {
	info.DocumentTimestamp = true
	ts, err := ParseTimestamp(contents)
	if err != nil {
		info.Problem = "document timestamp: " + err.Error()
		info.Timestamp = &TimestampInfo{Problem: err.Error()}
		return
	}
	info.SignerName, info.Time = ts.TSAName(), ts.Time
	info.Timestamp = &TimestampInfo{Time: ts.Time, TSA: ts.TSAName(), CertExpires: ts.Signer.NotAfter}
	ev.signer, ev.certs = ts.Signer, ts.Certs
	if !ts.Covers(signed) {
		info.Problem = "document timestamp is for other bytes (its message imprint does not match the file)"
		info.Timestamp.Problem = info.Problem
		return
	}
	info.TimeSource = "timestamp"
	ev.ts = ts
}

// checkSignatureTimestamp reads the signature's timestamp token: when it
// is sound and covers the signature value, its time is the signing time.
func checkSignatureTimestamp(info *SignatureInfo, ev *evidence, res cmsResult) {
	if res.token == nil {
		return
	}
	ts, err := ParseTimestamp(res.token)
	if err != nil {
		info.Timestamp = &TimestampInfo{Problem: err.Error()}
		return
	}
	info.Timestamp = &TimestampInfo{Time: ts.Time, TSA: ts.TSAName(), CertExpires: ts.Signer.NotAfter}
	if !ts.Covers(res.sigValue) {
		info.Timestamp.Problem = "the timestamp is for another message imprint, not this signature"
		return
	}
	info.Time, info.TimeSource = ts.Time, "timestamp"
	ev.ts = ts
}

// validation is the material a file and the verifier hold: every
// certificate seen and every CRL, and which of them the DSS embeds.
type validation struct {
	roots    *x509.CertPool
	pool     []*x509.Certificate
	embedded map[string]bool // certificate DER in the file
	crls     []heldCRL
}

type heldCRL struct {
	crl      *x509.RevocationList
	embedded bool
}

// dssContents reads the DSS's certificates and CRLs; unreadable entries
// are skipped (they prove nothing).
func dssContents(doc *document) (certs []*x509.Certificate, crls []*x509.RevocationList, ok bool) {
	cat, _, err := doc.catalog()
	if err != nil {
		return nil, nil, false
	}
	dss := doc.dictOf(cat["DSS"])
	if dss == nil {
		return nil, nil, false
	}
	streams := func(key string, each func([]byte)) {
		v, _ := doc.resolve(dss[key])
		a, _ := v.(array)
		for i, e := range a {
			if i > 4096 {
				return
			}
			sv, _ := doc.resolve(e)
			if s, ok := sv.(*stream); ok {
				if data, err := doc.decode(s); err == nil {
					each(data)
				}
			}
		}
	}
	streams("Certs", func(b []byte) {
		if c, err := x509.ParseCertificate(b); err == nil {
			certs = append(certs, c)
		}
	})
	streams("CRLs", func(b []byte) {
		if c, err := x509.ParseRevocationList(b); err == nil {
			crls = append(crls, c)
		}
	})
	return certs, crls, true
}

// status is the revocation verdict on cert (issued by issuer) as of t.
type status struct {
	known     bool      // a CRL from the issuer was found
	embedded  bool      // … in the file
	revoked   bool      // revoked at or before t
	revokedAt time.Time // when revoked (zero when not)
}

func (v *validation) status(cert, issuer *x509.Certificate, t time.Time) status {
	var st status
	for _, h := range v.crls {
		if !bytes.Equal(h.crl.RawIssuer, issuer.RawSubject) || h.crl.CheckSignatureFrom(issuer) != nil {
			continue
		}
		st.known = true
		st.embedded = st.embedded || h.embedded
		if at, ok := revokedAt(h.crl, cert.SerialNumber); ok && (st.revokedAt.IsZero() || at.Before(st.revokedAt)) {
			st.revokedAt = at
		}
	}
	st.revoked = !st.revokedAt.IsZero() && !st.revokedAt.After(t)
	return st
}

// chainCheck is the verdict on one certificate path at a time.
type chainCheck struct {
	chain             []*x509.Certificate
	err               error
	embedded, revData bool // whole path in the file; CRL for every issuer in the DSS
	known             bool // a CRL (file or verifier) for every issuer
	revoked           *x509.Certificate
	revokedAt         time.Time // of a certificate on the path, even after t
}

func (v *validation) check(leaf *x509.Certificate, t time.Time, usage x509.ExtKeyUsage) chainCheck {
	chain, err := chainAt(leaf, v.pool, v.roots, t, usage)
	cc := chainCheck{chain: chain, err: err, embedded: err == nil, revData: err == nil, known: err == nil}
	for i, c := range chain {
		if !v.embedded[string(c.Raw)] {
			cc.embedded = false
		}
		if i+1 >= len(chain) {
			break
		}
		st := v.status(c, chain[i+1], t)
		cc.revData = cc.revData && st.embedded
		cc.known = cc.known && st.known
		if !st.revokedAt.IsZero() && cc.revoked == nil {
			cc.revoked, cc.revokedAt = c, st.revokedAt
		}
	}
	return cc
}

// evaluateLTV judges every signature at its signing time and at rep.At.
// Document timestamps are judged from the last back: the last must be
// valid at At, each earlier one at the time of the next that is; a
// signature's own timestamp is then judged at the first valid document
// timestamp after it (else at At). A signature whose certificates have
// expired or been revoked since still verifies when its time is proven
// by a valid timestamp and its chain was valid and unrevoked then.
func evaluateLTV(doc *document, rep *Report, evs []evidence, opts VerifyOptions) {
	v := &validation{roots: opts.Roots, embedded: map[string]bool{}}
	dssCerts, dssCRLs, hasDSS := dssContents(doc)
	rep.DSS = hasDSS
	for _, c := range dssCerts {
		v.pool = append(v.pool, c)
		v.embedded[string(c.Raw)] = true
	}
	for _, c := range dssCRLs {
		v.crls = append(v.crls, heldCRL{crl: c, embedded: true})
	}
	for _, der := range opts.CRLs {
		if c, err := x509.ParseRevocationList(der); err == nil {
			v.crls = append(v.crls, heldCRL{crl: c})
		}
	}
	for _, ev := range evs {
		for _, c := range ev.certs {
			v.pool = append(v.pool, c)
			v.embedded[string(c.Raw)] = true
		}
		if ev.ts != nil {
			for _, c := range ev.ts.Certs {
				v.pool = append(v.pool, c)
				v.embedded[string(c.Raw)] = true
			}
		}
	}
	at := opts.At
	// proof[i] is when signature i's time is last proven: the time of the
	// first valid document timestamp after it, else At.
	proof := make([]time.Time, len(evs))
	next := at
	for i := len(evs) - 1; i >= 0; i-- {
		proof[i] = next
		info := &rep.Signatures[i]
		if !info.DocumentTimestamp {
			continue
		}
		judgeDocTimestamp(v, info, evs[i], next)
		if info.ValidAt {
			next = info.Time
		}
	}
	for i := range evs {
		if !rep.Signatures[i].DocumentTimestamp {
			judgeSignature(v, &rep.Signatures[i], evs[i], at, proof[i])
		}
	}
}

// judgeDocTimestamp: sound and its TSA valid, unrevoked, at q.
func judgeDocTimestamp(v *validation, info *SignatureInfo, ev evidence, q time.Time) {
	if info.Problem != "" || ev.ts == nil {
		info.AtProblem = "the document timestamp is not intact"
		return
	}
	cc := v.check(ev.signer, q, x509.ExtKeyUsageTimeStamping)
	info.ChainEmbedded, info.RevocationEmbedded = cc.embedded, cc.revData
	info.Revocation = revocationWords(cc, ev.ts.Time)
	info.ValidAtSigning = v.check(ev.signer, ev.ts.Time, x509.ExtKeyUsageTimeStamping).err == nil
	info.Trusted = info.ValidAtSigning
	switch {
	case cc.err != nil:
		info.AtProblem = fmt.Sprintf("the TSA certificate is not valid at %s: %v", q.UTC().Format(time.RFC3339), cc.err)
	case cc.revoked != nil && !cc.revokedAt.After(ev.ts.Time):
		info.AtProblem = "the TSA certificate was revoked before the timestamp"
	default:
		info.ValidAt = true
	}
}

// judgeSignature judges a signature at its signing time and at at, its
// timestamp at proof.
func judgeSignature(v *validation, info *SignatureInfo, ev evidence, at, proof time.Time) {
	if info.Problem != "" || ev.signer == nil {
		info.AtProblem = "the signature is not intact"
		return
	}
	signing := v.check(ev.signer, info.Time, x509.ExtKeyUsageAny)
	info.ChainEmbedded, info.RevocationEmbedded = signing.embedded, signing.revData
	info.Revocation = revocationWords(signing, info.Time)
	revokedBefore := signing.revoked != nil && !signing.revokedAt.After(info.Time)
	info.ValidAtSigning = signing.err == nil && !revokedBefore
	var tsErr error
	if ev.ts != nil {
		tc := v.check(ev.ts.Signer, proof, x509.ExtKeyUsageTimeStamping)
		tsErr = tc.err
		if tsErr == nil {
			tsErr = checkTSACert(ev.ts.Signer)
		}
		if c := ev.ts.Signer; tsErr == nil && (ev.ts.Time.Before(c.NotBefore) || ev.ts.Time.After(c.NotAfter)) {
			tsErr = fmt.Errorf("the timestamp's time lies outside its TSA certificate's validity")
		}
		if tsErr == nil && tc.revoked != nil && !tc.revokedAt.After(ev.ts.Time) {
			tsErr = fmt.Errorf("the TSA certificate was revoked before the timestamp")
		}
		info.ChainEmbedded = info.ChainEmbedded && tc.embedded
		info.RevocationEmbedded = info.RevocationEmbedded && tc.revData
		if tsErr != nil && info.Timestamp.Problem == "" {
			info.Timestamp.Problem = "untrusted TSA: " + tsErr.Error()
		}
	}
	now := v.check(ev.signer, at, x509.ExtKeyUsageAny)
	switch {
	case signing.err != nil:
		info.AtProblem = "the certificate chain was not valid at signing time: " + signing.err.Error()
	case revokedBefore:
		info.AtProblem = fmt.Sprintf("the certificate of %s was revoked on %s, before signing", signing.revoked.Subject.CommonName, signing.revokedAt.UTC().Format(time.RFC3339))
	case now.err == nil && now.revoked == nil:
		info.ValidAt = true // still valid: no proof of time needed
	case ev.ts == nil:
		info.AtProblem = fmt.Sprintf("no timestamp proves the signature was made while the certificate was valid, and at %s %s", at.UTC().Format("2006-01-02"), atReason(now))
	case tsErr != nil:
		info.AtProblem = "the signature timestamp cannot be trusted at " + proof.UTC().Format("2006-01-02") + ": " + tsErr.Error()
	case !signing.known:
		info.AtProblem = "no revocation data for the signer's chain (not embedded and not held by this verifier)"
	default:
		info.ValidAt = true // proven by the timestamp and revocation data of its time
	}
}

func atReason(cc chainCheck) string {
	if cc.err != nil {
		return "the certificate chain is not valid: " + cc.err.Error()
	}
	return fmt.Sprintf("the certificate of %s is revoked (%s)", cc.revoked.Subject.CommonName, cc.revokedAt.UTC().Format(time.RFC3339))
}

func revocationWords(cc chainCheck, signing time.Time) string {
	switch {
	case cc.err != nil && len(cc.chain) == 0:
		return "not checked (no valid path to a trusted root)"
	case cc.revoked != nil && !cc.revokedAt.After(signing):
		return fmt.Sprintf("revoked on %s, before signing: invalid", cc.revokedAt.UTC().Format(time.RFC3339))
	case cc.revoked != nil:
		return fmt.Sprintf("revoked on %s, after signing: valid at signing time", cc.revokedAt.UTC().Format(time.RFC3339))
	case !cc.known:
		return "unknown: no CRL from the issuing CA"
	case cc.revData:
		return "not revoked (CRLs embedded)"
	}
	return "not revoked (verifier's CRL)"
}
