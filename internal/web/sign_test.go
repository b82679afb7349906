package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/render"
	"github.com/moudesk/moudesk/internal/testtool"
)

const signPassword = "correct horse battery staple"

// signatory is a signing user of the test: their token and who they are.
type signatory struct {
	token, email, name, title, party string
}

// signEnv is a review environment plus the four signatories of the SRO
// template's signature block and one more signatory-role user who is not
// assigned to this MOU.
type signEnv struct {
	*wfEnv
	chief, superintendent, manager, president, outsider signatory
}

func newSignEnv(t *testing.T) *signEnv {
	t.Helper()
	e := &signEnv{wfEnv: newWFEnv(t)}
	mk := func(email, name, title, party string) signatory {
		t.Helper()
		return newSignatory(t, e.db, email, name, title, party)
	}
	e.chief = mk("chief@cityofpleasantonca.gov", "David Swing", "Chief of Police", "pleasanton")
	e.superintendent = mk("super@pleasantonusd.net", "Zoë Ortíz-Łukasz", "Superintendent", "pusd")
	e.manager = mk("manager@cityofpleasantonca.gov", "Nelson Fialho", "City Manager", "pleasanton")
	e.president = mk("president@pleasantonusd.net", "Joan Laursen", "President, Board of Trustees", "pusd")
	e.outsider = mk("other@pleasantonusd.net", "Pat Other", "Deputy Superintendent", "pusd")
	return e
}

// testHasher matches the one the test server verifies with.
var testHasher = auth.Hasher{Memory: 256, Time: 1, Threads: 1}

// approved builds an MOU through the real workflow API up to signature:
// liaison and joint review, then council and board approving revision 1
// with resolutions.
func (e *signEnv) approved() int64 {
	e.t.Helper()
	id := e.createMOU("")
	e.toApproval(id)
	for _, a := range []struct {
		clerk, body, date, resolution string
	}{{e.cityClerk, "city_council", "2025-06-03", "25-117"}, {e.districtClerk, "school_board", "2025-06-10", "2025-44"}} {
		m := e.meet(id, a.body, a.date)
		e.call(a.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", m.ID), map[string]any{
			"outcome": "approve", "votes": rollCall(5, 4), "minutes": "Approved.", "resolution": a.resolution,
		}, http.StatusCreated, nil)
	}
	e.at(id, "signature")
	return id
}

func (e *signEnv) assignAll(id int64) {
	e.t.Helper()
	e.call(e.drafter, "PUT", fmt.Sprintf("/api/v1/mous/%d/signatories", id), map[string]any{"signatories": []map[string]any{
		{"line": 1, "email": e.chief.email}, {"line": 2, "email": e.superintendent.email},
		{"line": 3, "email": e.manager.email}, {"line": 4, "email": e.president.email},
	}}, http.StatusOK, nil)
}

// signingRows counts every row signing could write.
func (e *signEnv) signingRows() map[string]int {
	e.t.Helper()
	out, err := e.db.SigningRowCounts(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	maps.Copy(out, e.rows())
	return out
}

func (e *signEnv) sign(s signatory, id int64, body map[string]any, want int) []byte {
	e.t.Helper()
	req := map[string]any{"typed_name": s.name, "consent": true, "password": signPassword}
	maps.Copy(req, body)
	return e.call(s.token, "POST", fmt.Sprintf("/api/v1/mous/%d/signatures", id), req, want, nil)
}

// get fetches path with token ("" for the public) and returns status and body.
func (e *signEnv) get(token, path string) (int, http.Header, []byte) {
	e.t.Helper()
	return httpGet(e.t, e.url, token, path)
}

// httpGet fetches base+path with a bearer token ("" for the public).
func httpGet(t *testing.T, base, token, path string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, body := testtool.Do(t, http.DefaultClient, req)
	return res.StatusCode, res.Header, body
}

// nss is an NSS database trusting the server's CA, fetched the way a
// reader would: from /api/v1/ca.pem.
func (e *signEnv) nss() string {
	e.t.Helper()
	status, _, body := e.get("", "/api/v1/ca.pem")
	b, _ := pem.Decode(body)
	if status != http.StatusOK || b == nil {
		e.t.Fatalf("GET /api/v1/ca.pem = %d %s", status, body)
	}
	return testtool.NSSDB(e.t, b.Bytes)
}

// TestSigningFlowOverHTTP is the whole signing flow through the API: an MOU
// approved through the real workflow, its four signatories assigned, the
// refusals that write nothing, the two signing orders (equal orders in any
// order), the seal, and the MOU executed; then the signed PDF, every step
// and the certificate checked with pdfsig and qpdf.
func TestSigningFlowOverHTTP(t *testing.T) {
	e := newSignEnv(t)
	id := e.approved()
	signingURL := fmt.Sprintf("/api/v1/mous/%d/signing", id)

	// Before signatories are assigned there is nothing to sign, and
	// nothing is written.
	before := e.signingRows()
	e.refused(e.chief.token, "GET", signingURL, nil, http.StatusUnprocessableEntity, "signatories_missing")
	if got := e.signingRows(); !maps.Equal(got, before) {
		t.Fatalf("rows changed by a refused preparation: %v → %v", before, got)
	}

	// Assigning signatories: refusals first.
	put := fmt.Sprintf("/api/v1/mous/%d/signatories", id)
	for _, tc := range []struct {
		name, token string
		lines       []map[string]any
		status      int
		code        string
	}{
		{"Reviewer", e.reviewer, []map[string]any{{"line": 1, "email": e.chief.email}}, http.StatusForbidden, "forbidden"},
		{"OtherParty", e.drafter, []map[string]any{{"line": 1, "email": e.superintendent.email}}, http.StatusUnprocessableEntity, "wrong_party"},
		{"NotSignatoryRole", e.drafter, []map[string]any{{"line": 1, "email": "clerk@cityofpleasantonca.gov"}}, http.StatusUnprocessableEntity, "not_signatory_role"},
		{"UnknownLine", e.drafter, []map[string]any{{"line": 9, "email": e.chief.email}}, http.StatusUnprocessableEntity, "unknown_line"},
		{"UnknownUser", e.drafter, []map[string]any{{"line": 1, "email": "nobody@example.org"}}, http.StatusUnprocessableEntity, "unknown_user"},
		{"OneBadLineOfTwo", e.drafter, []map[string]any{{"line": 1, "email": e.chief.email}, {"line": 2, "email": e.chief.email}}, http.StatusUnprocessableEntity, "wrong_party"},
	} {
		t.Run("Assign"+tc.name, func(t *testing.T) {
			before := e.signingRows()
			e.refused(tc.token, "PUT", put, map[string]any{"signatories": tc.lines}, tc.status, tc.code)
			after := e.signingRows()
			if tc.status == http.StatusForbidden {
				after["audit_events"]-- // the denied write is audited, as every denied write is
			}
			if !maps.Equal(after, before) {
				t.Fatalf("rows changed: %v → %v", before, after)
			}
		})
	}
	e.assignAll(id)
	var shown struct {
		Signatories []desk.Signatory `json:"signatories"`
	}
	e.call(e.reviewer, "GET", fmt.Sprintf("/api/v1/mous/%d", id), nil, http.StatusOK, &shown)
	if len(shown.Signatories) != 4 || shown.Signatories[1].Name != e.superintendent.name || shown.Signatories[1].PartyName != "Pleasanton Unified School District" || shown.Signatories[2].Order != 2 {
		t.Fatalf("GET mou signatories: %+v", shown.Signatories)
	}

	// The ceremony shows the exact PDF and its SHA-256.
	var view struct {
		Signing struct {
			ContentHash string `json:"content_hash"`
			Revision    int    `json:"revision"`
			Document    struct {
				SHA256 string `json:"sha256"`
				Kind   string `json:"kind"`
			} `json:"document"`
			Next        []int  `json:"next"`
			ConsentText string `json:"consent_text"`
		} `json:"signing"`
	}
	e.call(e.chief.token, "GET", signingURL, nil, http.StatusOK, &view)
	sv := view.Signing
	if sv.Document.Kind != "certified" || fmt.Sprint(sv.Next) != "[1 2]" || sv.ContentHash == "" {
		t.Fatalf("signing view %+v", sv)
	}
	status, hdr, certified := e.get(e.chief.token, fmt.Sprintf("/api/v1/mous/%d/signing.pdf", id))
	sum := sha256.Sum256(certified)
	if status != http.StatusOK || hex.EncodeToString(sum[:]) != sv.Document.SHA256 || hdr.Get("X-Content-SHA256") != sv.Document.SHA256 {
		t.Fatalf("signing.pdf %d, sha256 %x, view says %s", status, sum, sv.Document.SHA256)
	}
	text := testtool.PDFText(t, certified)
	footer := fmt.Sprintf("moudesk · %d rev %d · %s · verify at https://moudesk.example.org/verify", id, sv.Revision, sv.ContentHash[:12])
	pages := strings.Count(text, "\f")
	if n := strings.Count(text, footer); n != pages || pages < 2 {
		t.Errorf("footer %q on %d of %d pages", footer, n, pages)
	}
	if strings.Contains(text, "DRAFT") || !strings.Contains(text, e.superintendent.name) {
		t.Errorf("signing PDF shows DRAFT or lacks the signatory's name")
	}
	if out := testtool.PDFSig(t, e.nss(), certified); strings.Count(out, "Signature is Valid.") != 1 || strings.Count(out, "The signature form field is not signed.") != 5 {
		t.Errorf("certified PDF: want the certification and five empty fields:\n%s", out)
	}
	var certAns struct {
		Signatures []struct {
			Reason        string `json:"reason"`
			Certification bool   `json:"certification"`
		} `json:"signatures"`
	}
	if status, body := e.upload(certified); status != http.StatusOK || jsonInto(t, body, &certAns) != nil || len(certAns.Signatures) != 1 {
		t.Fatalf("verify certified: %d %s", status, body)
	}
	if r := certAns.Signatures[0].Reason; !certAns.Signatures[0].Certification || !strings.Contains(r, "City Council on 2025-06-03 (resolution 25-117)") ||
		!strings.Contains(r, "Board of Trustees on 2025-06-10 (resolution 2025-44)") || !strings.Contains(r, sv.ContentHash) {
		t.Errorf("certification reason does not cite the approvals: %q", r)
	}

	// Refusals of the signing act write nothing.
	for _, tc := range []struct {
		name   string
		who    signatory
		body   map[string]any
		status int
		code   string
	}{
		{"OutOfTurn", e.manager, nil, http.StatusUnprocessableEntity, "signature_order"},
		{"NotASignatory", e.outsider, nil, http.StatusForbidden, "not_signatory"},
		{"WrongPassword", e.chief, map[string]any{"password": "not the password"}, http.StatusForbidden, "wrong_password"},
		{"TypedNameMismatch", e.chief, map[string]any{"typed_name": "Someone Else"}, http.StatusUnprocessableEntity, "name_mismatch"},
		{"NoConsent", e.chief, map[string]any{"consent": false}, http.StatusUnprocessableEntity, "consent_required"},
		{"StaleContent", e.chief, map[string]any{"content_hash": strings.Repeat("ab", 32)}, http.StatusUnprocessableEntity, "stale_revision"},
		{"OldDocument", e.chief, map[string]any{"document_sha256": strings.Repeat("cd", 32)}, http.StatusConflict, "document_changed"},
	} {
		t.Run("Refuse"+tc.name, func(t *testing.T) {
			before := e.signingRows()
			req := map[string]any{"typed_name": tc.who.name, "consent": true, "password": signPassword}
			maps.Copy(req, tc.body)
			e.refused(tc.who.token, "POST", fmt.Sprintf("/api/v1/mous/%d/signatures", id), req, tc.status, tc.code)
			if after := e.signingRows(); !maps.Equal(after, before) {
				t.Fatalf("rows changed: %v → %v", before, after)
			}
		})
	}
	t.Run("RefuseDrafter", func(t *testing.T) {
		before := e.signingRows()
		e.refused(e.drafter, "POST", fmt.Sprintf("/api/v1/mous/%d/signatures", id), map[string]any{"typed_name": "x", "consent": true, "password": "x"}, http.StatusForbidden, "forbidden")
		after := e.signingRows()
		after["audit_events"]--
		if !maps.Equal(after, before) {
			t.Fatalf("rows changed: %v → %v", before, after)
		}
	})
	if status, _, _ := e.get("", fmt.Sprintf("/api/v1/mous/%d/signed.pdf", id)); status != http.StatusNotFound {
		t.Fatalf("signed.pdf before execution: %d", status)
	}

	// Order 1 signs in either order: the superintendent first, consenting
	// to the server's text with the exact document pinned; then the chief.
	e.sign(e.superintendent, id, map[string]any{"content_hash": sv.ContentHash, "document_sha256": sv.Document.SHA256, "typed_name": "  zoë ortíz-łukasz "}, http.StatusCreated)
	e.refused(e.superintendent.token, "POST", fmt.Sprintf("/api/v1/mous/%d/signatures", id),
		map[string]any{"typed_name": e.superintendent.name, "consent": true, "password": signPassword}, http.StatusUnprocessableEntity, "signature_order")
	e.sign(e.chief, id, map[string]any{"consent_text": "I, David Swing, consent to sign electronically."}, http.StatusCreated)
	e.sign(e.manager, id, nil, http.StatusCreated)
	e.at(id, "signature")
	var last struct {
		Executed bool   `json:"executed"`
		Stage    string `json:"stage"`
	}
	e.call(e.president.token, "POST", fmt.Sprintf("/api/v1/mous/%d/signatures", id),
		map[string]any{"typed_name": e.president.name, "consent": true, "password": signPassword}, http.StatusCreated, &last)
	if !last.Executed || last.Stage != "executed" {
		t.Fatalf("last signature: %+v", last)
	}
	e.at(id, "executed")

	// signed.pdf is public: every signature valid and trusted, the seal
	// covering the whole file, qpdf content, the names readers show.
	status, hdr, signed := e.get("", fmt.Sprintf("/api/v1/mous/%d/signed.pdf", id))
	if status != http.StatusOK || hdr.Get("Content-Type") != "application/pdf" {
		t.Fatalf("public signed.pdf: %d %s", status, hdr.Get("Content-Type"))
	}
	if !bytes.HasPrefix(signed, certified) {
		t.Fatal("signed.pdf does not extend the certified PDF the signatories were shown")
	}
	nss := e.nss()
	testtool.QPDFCheck(t, signed)
	out := testtool.PDFSig(t, nss, signed)
	if n := strings.Count(out, "Signature Validation: Signature is Valid."); n != 6 {
		t.Errorf("%d valid signatures, want 6 (certification, 4 signatories, seal):\n%s", n, out)
	}
	if n := strings.Count(out, "Certificate Validation: Certificate is Trusted."); n != 6 {
		t.Errorf("%d trusted certificates, want 6:\n%s", n, out)
	}
	if n := strings.Count(out, "Total document signed"); n != 1 || !strings.HasSuffix(strings.TrimSpace(out), "Certificate is Trusted.") ||
		strings.LastIndex(out, "Total document signed") < strings.LastIndex(out, "Signature Field Name: moudesk seal") {
		t.Errorf("the seal, last, must be the one covering the whole document:\n%s", out)
	}
	partyNames := map[string]string{"pleasanton": "City of Pleasanton", "pusd": "Pleasanton Unified School District"}
	for _, s := range []signatory{e.chief, e.superintendent, e.manager, e.president} {
		if dn := "Signer full Distinguished Name: CN=" + s.name + ",O=" + partyNames[s.party]; !strings.Contains(out, dn) {
			t.Errorf("pdfsig does not show %q:\n%s", dn, out)
		}
	}
	if text := testtool.PDFText(t, signed); !strings.Contains(text, "Digitally signed") || !strings.Contains(text, footer) {
		t.Errorf("signed PDF lacks appearances or footer")
	}

	// Every stored step passes qpdf and grows by appending only.
	docs, err := e.db.SigningDocuments(context.Background(), id, sv.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 7 || docs[0].Kind != "rendered" || docs[6].Kind != "seal" {
		t.Fatalf("signing steps: %+v", docs)
	}
	var prev []byte
	for _, d := range docs {
		var pdf []byte
		if err := e.db.QueryRowForTest(context.Background(), "SELECT pdf FROM signing_documents WHERE mou_id = ? AND revision = ? AND seq = ?", id, d.Revision, d.Seq).Scan(&pdf); err != nil {
			t.Fatal(err)
		}
		testtool.QPDFCheck(t, pdf)
		if prev != nil && !bytes.HasPrefix(pdf, prev) {
			t.Errorf("step %d (%s) rewrote earlier bytes", d.Seq, d.Kind)
		}
		prev = pdf
	}

	// The ceremony record: consent verbatim, address, agent.
	sigs, err := e.db.Signatures(context.Background(), id, sv.Revision)
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 4 || sigs[0].Name != e.superintendent.name || sigs[1].ConsentText != "I, David Swing, consent to sign electronically." ||
		sigs[0].ClientAddr != "127.0.0.1" || sigs[0].UserAgent == "" || sigs[0].TypedName != "  zoë ortíz-łukasz " {
		t.Fatalf("signatures: %+v", sigs)
	}

	// The certificate of completion: public, sealed, and complete.
	status, _, cert := e.get("", fmt.Sprintf("/api/v1/mous/%d/certificate.pdf", id))
	if status != http.StatusOK {
		t.Fatalf("certificate.pdf: %d %s", status, cert)
	}
	testtool.QPDFCheck(t, cert)
	if out := testtool.PDFSig(t, nss, cert); !strings.Contains(out, "Signature is Valid.") || !strings.Contains(out, "Certificate is Trusted.") {
		t.Errorf("certificate seal:\n%s", out)
	}
	signedSum := sha256.Sum256(signed)
	ctext := strings.Join(strings.Fields(testtool.PDFText(t, cert)), " ")
	for _, want := range []string{
		sv.ContentHash[:40], hex.EncodeToString(signedSum[:])[:40], "City Council, 2025-06-03", "resolution 25-117", "Member 1: aye", "Member 5: nay",
		e.superintendent.name, "President, Board of Trustees", "127.0.0.1", "I, David Swing, consent to sign electronically.", "Liaison Committee",
	} {
		if !strings.Contains(ctext, want) {
			t.Errorf("certificate lacks %q:\n%s", want, ctext)
		}
	}
	if _, _, again := e.get("", fmt.Sprintf("/api/v1/mous/%d/certificate.pdf", id)); !bytes.Equal(again, cert) {
		t.Error("a second certificate request returned other bytes")
	}
	var certMatch struct {
		AllValid bool `json:"all_valid"`
		Match    *struct {
			MOUID    int64  `json:"mou_id"`
			Step     string `json:"step"`
			Executed bool   `json:"executed"`
			Exact    bool   `json:"exact"`
		} `json:"match"`
	}
	if status, body := e.upload(cert); status != http.StatusOK || jsonInto(t, body, &certMatch) != nil || !certMatch.AllValid ||
		certMatch.Match == nil || certMatch.Match.MOUID != id || certMatch.Match.Step != "certificate" || !certMatch.Match.Executed || !certMatch.Match.Exact {
		t.Errorf("verify of the certificate: %d %s", status, body)
	}

	// Public verification knows the file, and sees a changed byte.
	var ans struct {
		AllValid   bool `json:"all_valid"`
		Signatures []struct {
			Signer          string `json:"signer"`
			Valid           bool   `json:"valid"`
			Trusted         bool   `json:"trusted"`
			CoversWholeFile bool   `json:"covers_whole_file"`
		} `json:"signatures"`
		Match *struct {
			MOUID    int64  `json:"mou_id"`
			Revision int    `json:"revision"`
			Executed bool   `json:"executed"`
			Step     string `json:"step"`
			Exact    bool   `json:"exact"`
		} `json:"match"`
	}
	if status, body := e.upload(signed); status != http.StatusOK || jsonInto(t, body, &ans) != nil {
		t.Fatalf("verify: %d %s", status, body)
	}
	if !ans.AllValid || len(ans.Signatures) != 6 || !ans.Signatures[5].CoversWholeFile || !ans.Signatures[1].Trusted || ans.Signatures[1].Signer != e.superintendent.name ||
		ans.Match == nil || ans.Match.MOUID != id || !ans.Match.Executed || ans.Match.Step != "seal" || !ans.Match.Exact {
		t.Fatalf("verify answer: %+v match %+v", ans, ans.Match)
	}
	bad := append([]byte(nil), signed...)
	at := bytes.Index(bad, []byte("/Producer"))
	bad[at+1] ^= 0x20
	if out := testtool.PDFSig(t, nss, bad); strings.Contains(out, "Signature is Valid.") {
		t.Errorf("pdfsig still calls a signature of the changed file valid:\n%s", out)
	}
	ans.Match = nil
	if status, body := e.upload(bad); status != http.StatusOK || jsonInto(t, body, &ans) != nil || ans.AllValid || ans.Signatures[0].Valid {
		t.Fatalf("verify of a changed file: %d %s", status, body)
	}
}

func jsonInto(t *testing.T, body []byte, v any) error {
	t.Helper()
	return json.Unmarshal(body, v)
}

// upload posts data to the public verify endpoint as multipart field file.
func (e *signEnv) upload(data []byte) (int, []byte) {
	e.t.Helper()
	return e.postFile("/api/v1/verify", data)
}

// postFile posts data to path as the multipart field file.
func (e *signEnv) postFile(path string, data []byte) (int, []byte) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "mou.pdf")
	if err != nil {
		e.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	res, err := http.Post(e.url+path, mw.FormDataContentType(), &buf)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body
}

// TestEqualOrderSignaturesAtOnce: the chief and the superintendent (both
// order 1) sign at the same moment; both succeed, one appended after the
// other, and every step only appends.
func TestEqualOrderSignaturesAtOnce(t *testing.T) {
	e := newSignEnv(t)
	id := e.approved()
	e.assignAll(id)
	e.call(e.chief.token, "GET", fmt.Sprintf("/api/v1/mous/%d/signing", id), nil, http.StatusOK, nil)
	done := make(chan int, 2)
	for _, s := range []signatory{e.chief, e.superintendent} {
		go func() {
			body, _ := json.Marshal(map[string]any{"typed_name": s.name, "consent": true, "password": signPassword})
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/mous/%d/signatures", e.url, id), bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+s.token)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				done <- 0
				return
			}
			res.Body.Close()
			done <- res.StatusCode
		}()
	}
	for range 2 {
		if got := <-done; got != http.StatusCreated {
			t.Fatalf("concurrent equal-order signature: %d", got)
		}
	}
	docs, err := e.db.SigningDocuments(context.Background(), id, 1)
	if err != nil || len(docs) != 4 || docs[2].Kind != "signature" || docs[3].Kind != "signature" {
		t.Fatalf("steps after two signatures: %+v %v", docs, err)
	}
	_, _, pdf := e.get(e.chief.token, fmt.Sprintf("/api/v1/mous/%d/signing.pdf", id))
	if out := testtool.PDFSig(t, e.nss(), pdf); strings.Count(out, "Signature is Valid.") != 3 {
		t.Fatalf("after two concurrent signatures:\n%s", out)
	}
}

// TestNewRevisionStopsSigning: a revision saved during signing sends the
// MOU back to draft; the half-signed revision can no longer be signed and
// the signatories may be changed again.
func TestNewRevisionStopsSigning(t *testing.T) {
	e := newSignEnv(t)
	id := e.approved()
	e.assignAll(id)
	e.sign(e.chief, id, nil, http.StatusCreated)
	e.refused(e.drafter, "PUT", fmt.Sprintf("/api/v1/mous/%d/signatories", id), map[string]any{"signatories": []map[string]any{{"line": 1, "email": e.chief.email}}},
		http.StatusConflict, "signatories_locked")
	e.revise(id, map[string]string{"duties": "The SRO does not enforce the school's code of conduct."})
	e.at(id, "draft")
	before := e.signingRows()
	e.refused(e.superintendent.token, "POST", fmt.Sprintf("/api/v1/mous/%d/signatures", id),
		map[string]any{"typed_name": e.superintendent.name, "consent": true, "password": signPassword}, http.StatusUnprocessableEntity, "wrong_stage")
	if after := e.signingRows(); !maps.Equal(after, before) {
		t.Fatalf("rows changed: %v → %v", before, after)
	}
	e.call(e.drafter, "PUT", fmt.Sprintf("/api/v1/mous/%d/signatories", id), map[string]any{"signatories": []map[string]any{{"line": 1, "email": e.chief.email}}}, http.StatusOK, nil)
	if status, _, _ := e.get("", fmt.Sprintf("/api/v1/mous/%d/signed.pdf", id)); status != http.StatusNotFound {
		t.Fatalf("signed.pdf of an unexecuted MOU: %d", status)
	}
}

// TestVerifyRefusals: the public endpoint answers bad uploads with the
// error shape and the right status.
func TestVerifyRefusals(t *testing.T) {
	e := newSignEnv(t)
	post := func(contentType string, body io.Reader) (int, []byte) {
		res, err := http.Post(e.url+"/api/v1/verify", contentType, body)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	code := func(b []byte) string {
		var v struct{ Error struct{ Code string } }
		json.Unmarshal(b, &v)
		return v.Error.Code
	}
	if status, b := post("application/pdf", strings.NewReader("%PDF-1.7")); status != http.StatusUnsupportedMediaType || code(b) != "unsupported_media_type" {
		t.Errorf("raw PDF body: %d %s", status, b)
	}
	if status, b := e.upload([]byte("this is not a PDF")); status != http.StatusUnprocessableEntity || code(b) != "not_pdf" {
		t.Errorf("not a PDF: %d %s", status, b)
	}
	if status, b := e.upload(append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 25<<20)...)); status != http.StatusRequestEntityTooLarge || code(b) != "too_large" {
		t.Errorf("over 25 MiB: %d %.200s", status, b)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("other", "x")
	mw.Close()
	if status, b := post(mw.FormDataContentType(), &buf); status != http.StatusBadRequest || code(b) != "missing_file" {
		t.Errorf("no file part: %d %s", status, b)
	}
	// A PDF with no signatures is answered, not refused: nothing is valid.
	var ans struct {
		AllValid   bool  `json:"all_valid"`
		Signatures []any `json:"signatures"`
	}
	plain, err := render.PDF([]byte("# Unsigned\n\nNo signatures here.\n"), render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	status, b := e.upload(plain.PDF)
	if status != http.StatusOK || json.Unmarshal(b, &ans) != nil || ans.AllValid || len(ans.Signatures) != 0 {
		t.Errorf("unsigned PDF: %d %s", status, b)
	}
}
