package desk_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/pdfsign"
	"github.com/moudesk/moudesk/internal/shipped"
	"github.com/moudesk/moudesk/internal/testtool"
)

// block is the signature block of the MOU's current revision.
func (e *env) block(id int64) []mou.SignatureLine {
	e.t.Helper()
	rev, err := e.svc.Revision(e.ctx, id, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return rev.Signatures
}

// saveBlock saves the next revision of id with block as its signature
// block and nothing else changed.
func (e *env) saveBlock(id int64, block []mou.SignatureLine) (*mou.RevisionInfo, error) {
	return e.svc.SaveRevision(e.ctx, actorOf(e.drafter), id, desk.RevisionRequest{
		Base: e.mou(id).CurrentRevision, Message: "signature block", SignatureBlock: block})
}

// TestSignatureBlockIsRevisionContent: revision 1 stores its template's
// block, which the content hash covers; a save without signature_block
// carries it; an edited title is a new revision whose hash differs, whose
// approvals are stale, and whose changed line needs its signatory again.
func TestSignatureBlockIsRevisionContent(t *testing.T) {
	e := newEnv(t)
	id := e.approved()
	first, err := e.svc.Revision(e.ctx, id, 1)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := shipped.Templates(t)["sro-mou"]
	if len(first.Signatures) != len(tmpl.Signatures) || first.Signatures[2].Title != "City Manager" || first.Signatures[0].Kind != mou.KindSignatory {
		t.Fatalf("revision 1 block: %+v", first.Signatures)
	}
	if !strings.Contains(first.Markdown(), "## Signatures\n\n1. Signatory for city, order 1\n   Title: Chief of Police\n") ||
		first.ContentHash != mou.Hash(first.Markdown()) || strings.Contains(first.TextMarkdown(), "## Signatures") {
		t.Fatalf("canonical text of revision 1 does not end with its block:\n%s", first.Markdown())
	}

	edited := slices.Clone(first.Signatures)
	edited[2].Title, edited[2].Name = "Mayor", "Nelson Fialho"
	info, err := e.saveBlock(id, edited)
	if err != nil {
		t.Fatal(err)
	}
	if info.ContentHash == first.ContentHash {
		t.Fatal("a new title left the content hash as it was")
	}
	records, err := e.svc.ApprovalRecords(e.ctx, id)
	if err != nil || len(records) != 2 || !records[0].Stale || !records[1].Stale {
		t.Fatalf("approvals after the title changed: %+v %v", records, err)
	}
	if st := e.mou(id).Stage; st == "signature" {
		t.Fatal("the MOU stayed in signature with stale approvals")
	}
	lines, err := e.svc.SignatoryLines(e.ctx, e.mou(id))
	if err != nil {
		t.Fatal(err)
	}
	if lines[2].Title != "Mayor" || lines[2].LineName != "Nelson Fialho" || lines[2].UserID != 0 || lines[0].UserID != e.chief.UserID {
		t.Fatalf("lines after the edit: want line 3 unassigned and line 1 kept: %+v", lines)
	}

	// A save of the text alone carries the block unchanged.
	if _, err := e.svc.SaveRevision(e.ctx, actorOf(e.drafter), id, desk.RevisionRequest{Base: info.Number, Message: "text",
		Edits: []mou.Edit{{Op: mou.OpUpdate, Key: "purpose", Body: ptr("The purpose, restated.")}}}); err != nil {
		t.Fatal(err)
	}
	if got := e.block(id); !mou.SameBlock(got, edited) || got[2].Name != "Nelson Fialho" {
		t.Fatalf("block after a text save: %+v", got)
	}
}

func ptr(s string) *string { return &s }

// TestSignatureBlockRefusals: bad lines are 422 naming the field, and
// write nothing.
func TestSignatureBlockRefusals(t *testing.T) {
	e := newEnv(t)
	id := e.createMOU().ID
	good := e.block(id)
	for _, tc := range []struct {
		name, code, field string
		change            func(b []mou.SignatureLine) []mou.SignatureLine
	}{
		{"UnknownParty", "unknown_party", "signature_block[1].party", func(b []mou.SignatureLine) []mou.SignatureLine { b[1].Party = "county"; return b }},
		{"UnknownKind", "unknown_kind", "signature_block[2].kind", func(b []mou.SignatureLine) []mou.SignatureLine { b[2].Kind = "witness"; return b }},
		{"EmptyTitle", "missing_field", "signature_block[0].title", func(b []mou.SignatureLine) []mou.SignatureLine { b[0].Title = "  "; return b }},
		{"OrderZero", "invalid_order", "signature_block[3].order", func(b []mou.SignatureLine) []mou.SignatureLine { b[3].Order = 0; return b }},
		{"TwoLineName", "invalid_text", "signature_block[0].name", func(b []mou.SignatureLine) []mou.SignatureLine { b[0].Name = "A\nB"; return b }},
		{"PartyWithoutSignatory", "missing_signatory", "signature_block", func(b []mou.SignatureLine) []mou.SignatureLine {
			return slices.DeleteFunc(b, func(l mou.SignatureLine) bool { return l.Party == "district" })
		}},
		{"Empty", "missing_signatures", "signature_block", func([]mou.SignatureLine) []mou.SignatureLine { return []mou.SignatureLine{} }},
	} {
		e.unchanged(tc.name, tc.code, func() error {
			_, err := e.saveBlock(id, tc.change(slices.Clone(good)))
			if me, ok := moudesk.AsError(err); ok && me.Field != tc.field {
				t.Errorf("%s: field %q, want %q", tc.name, me.Field, tc.field)
			}
			if ok := moudesk.IsKind(err, moudesk.KindUnprocessable); !ok {
				t.Errorf("%s: %v is not 422", tc.name, err)
			}
			return err
		})
	}
}

// threePartyTemplate is the shipped SRO template with a third party, the
// police service, and a block with an attest and an "approved as to form"
// line after the three signatories.
func threePartyTemplate(t *testing.T) *mou.Template {
	src := shipped.Templates(t)["sro-mou"]
	tp := *src
	tp.Slug = "sro-three-party"
	tp.Parties = append(slices.Clone(src.Parties), mou.PartyRole{Role: "police_service", Label: "Police Service"})
	tp.Signatures = []mou.SignatureLine{
		{Party: "city", Title: "City Manager", Order: 1},
		{Party: "district", Title: "Superintendent", Order: 1},
		{Party: "police_service", Title: "Chief of Police", Order: 1},
		{Kind: mou.KindAttest, Party: "city", Title: "City Clerk", Order: 2},
		{Kind: mou.KindApprovedAsToForm, Party: "city", Title: "City Attorney", Order: 2},
	}
	return &tp
}

// TestThreePartySigning: an MOU of three parties whose drafter gave each
// line its signatory's own name and title signs in order; the signed PDF
// prints every title, the ATTEST and APPROVED AS TO FORM lines and each
// line's signing date, pdfsig finds every signature valid and qpdf the
// file sound.
func TestThreePartySigning(t *testing.T) {
	e := newEnv(t)
	templates := shipped.Templates(t)
	tp := threePartyTemplate(t)
	templates[tp.Slug] = tp
	ca, err := pdfsign.NewCA("moudesk Test CA", "moudesk", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.svc, err = desk.New(desk.Config{Store: e.db, Workflows: shipped.Workflows(t), Templates: templates, Keys: &pdfsign.Keys{Authority: ca}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.CreateParty(e.ctx, moudesk.System, desk.Party{Slug: "pps", Name: "Pleasanton Police Service", Kind: "agency", Body: "Police Commission"}); err != nil {
		t.Fatal(err)
	}
	police := e.user("chief@police.example", "Larry Cox", "Chief of Police", "pps", auth.RoleSignatory)
	clerk := e.user("cityclerk@city.example", "Karen Diaz", "City Clerk", "pleasanton", auth.RoleSignatory)
	attorney := e.user("attorney@city.example", "Dan Sodergren", "City Attorney", "pleasanton", auth.RoleSignatory)
	mayor := e.user("mayor@city.example", "Jerry Thorne", "Mayor", "pleasanton", auth.RoleSignatory)

	m, rev, err := e.svc.CreateMOU(e.ctx, actorOf(e.drafter), desk.CreateMOURequest{
		Template: tp.Slug, Variables: shipped.Variables(t),
		Parties: map[string]string{"city": "pleasanton", "district": "pusd", "police_service": "pps"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Signatures) != 5 || rev.Signatures[3].Kind != mou.KindAttest {
		t.Fatalf("revision 1 block: %+v", rev.Signatures)
	}
	block := slices.Clone(rev.Signatures)
	block[0].Name, block[0].Title = "Jerry Thorne", "Mayor"
	block[1].Name = e.superintendent.Name
	block[2].Name = police.Name
	block[3].Name = clerk.Name
	block[4].Name = attorney.Name
	if _, err := e.saveBlock(m.ID, block); err != nil {
		t.Fatal(err)
	}
	e.toApproval(m.ID)
	e.outcome(e.cityClerk, m.ID, "city_council", "approve", ayes(5))
	if got := e.outcome(e.districtClerk, m.ID, "school_board", "approve", ayes(5)); got != "signature" {
		t.Fatalf("board approve → %s", got)
	}
	if _, err := e.svc.AssignSignatories(e.ctx, actorOf(e.drafter), m.ID, []desk.Assignment{{Line: 3, Email: e.manager.Email}}); codeOf(err) != "wrong_party" {
		t.Fatalf("a city signatory on the police service's line: %v", err)
	}
	// Line 1 prints the Mayor's name: nobody else may sign under it.
	e.unchanged("another person on a named line", "name_mismatch", func() error {
		_, err := e.svc.AssignSignatories(e.ctx, actorOf(e.drafter), m.ID, []desk.Assignment{{Line: 1, Email: e.manager.Email}})
		return err
	})
	if _, err := e.svc.AssignSignatories(e.ctx, actorOf(e.drafter), m.ID, []desk.Assignment{
		{Line: 1, Email: mayor.Email}, {Line: 2, Email: e.superintendent.Email}, {Line: 3, Email: police.Email},
		{Line: 4, Email: clerk.Email}, {Line: 5, Email: attorney.Email},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sign(clerk, m.ID); codeOf(err) != "signature_order" {
		t.Fatalf("the clerk attests before the signatories sign: %v", err)
	}
	for _, p := range []*auth.Principal{police, mayor, e.superintendent, attorney, clerk} {
		if _, err := e.sign(p, m.ID); err != nil {
			t.Fatalf("%s signs: %v", p.Name, err)
		}
	}
	if st := e.mou(m.ID).Stage; st != "executed" {
		t.Fatalf("stage after the last line: %s", st)
	}
	sealed, err := e.svc.SignedPDF(e.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	signed := sealed.PDF
	text := strings.Join(strings.Fields(testtool.PDFText(t, signed)), " ")
	today := desk.SigningDate(time.Now())
	for _, want := range []string{
		"Title: Mayor", "Title: Superintendent", "Title: Chief of Police", "Title: City Clerk", "Title: City Attorney",
		"Name: Jerry Thorne", "ATTEST: City of Pleasanton", "APPROVED AS TO FORM: City of Pleasanton", "Pleasanton Police Service",
		"Date: " + today,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("signed PDF lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "Date: "+today); n != 5 {
		t.Errorf("%d lines show the signing date, want 5:\n%s", n, text)
	}
	if strings.Contains(text, "City Manager") {
		t.Errorf("the template's title City Manager is still printed:\n%s", text)
	}
	testtool.QPDFCheck(t, signed)
	keys, err := e.svc.Keys()
	if err != nil {
		t.Fatal(err)
	}
	out := testtool.PDFSig(t, testtool.NSSDB(t, keys.RootCert().Raw), signed)
	if n := strings.Count(out, "Signature Validation: Signature is Valid."); n != 7 {
		t.Errorf("%d valid signatures, want 7 (certification, 5 lines, seal):\n%s", n, out)
	}
}
