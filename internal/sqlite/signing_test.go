package sqlite

import (
	"context"
	"maps"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/mou"
)

// TestSigningRowsAreAppendOnly: a stored signing step or certificate can
// be neither changed nor deleted, so every step of a signed MOU stays
// provable.
func TestSigningRowsAreAppendOnly(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := newTestMOU(t, db, 2)
	exec := func(q string, args ...any) error {
		_, err := db.write.ExecContext(ctx, q, args...)
		return err
	}
	if err := exec(`INSERT INTO signing_documents (mou_id, revision, seq, kind, content_hash, sha256, pdf, created_at) VALUES (?, 1, 0, 'rendered', 'h', 's', x'25504446', 't')`, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := exec(`INSERT INTO completion_certificates (mou_id, revision, sha256, pdf, created_at) VALUES (?, 1, 's', x'25504446', 't')`, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE signing_documents SET pdf = x'00'", "DELETE FROM signing_documents",
		"UPDATE completion_certificates SET pdf = x'00'", "DELETE FROM completion_certificates",
	} {
		if err := exec(q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
}

// TestAssignSignatories: a user of the line's party with the signatory
// role is assigned; every refusal writes nothing; once the revision is
// prepared for signing the assignment is locked.
func TestAssignSignatories(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	m := newTestMOU(t, db, 1)
	lines := []mou.SignatureLine{{Party: "city", Title: "City Manager", Order: 1}, {Party: "district", Title: "Superintendent", Order: 2}}
	for _, u := range []desk.NewUser{
		{Email: "manager@city.example", Name: "Ann Manager", PartySlug: "city", Roles: []auth.Role{auth.RoleSignatory}, PasswordHash: "x"},
		{Email: "super@district.example", Name: "Sam Super", PartySlug: "district", Roles: []auth.Role{auth.RoleSignatory}, PasswordHash: "x"},
		{Email: "clerk@city.example", Name: "Cal Clerk", PartySlug: "city", Roles: []auth.Role{auth.RoleClerk}, PasswordHash: "x"},
	} {
		if _, err := db.CreateUser(ctx, moudesk.System, u); err != nil {
			t.Fatal(err)
		}
	}
	counts := func() map[string]int {
		c, err := db.SigningRowCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for name, tc := range map[string]struct {
		assign []desk.Assignment
		code   string
	}{
		"Empty":       {nil, "missing_field"},
		"LineZero":    {[]desk.Assignment{{Line: 0, Email: "manager@city.example"}}, "unknown_line"},
		"Duplicate":   {[]desk.Assignment{{Line: 1, Email: "manager@city.example"}, {Line: 1, Email: "manager@city.example"}}, "duplicate_line"},
		"OtherParty":  {[]desk.Assignment{{Line: 2, Email: "manager@city.example"}}, "wrong_party"},
		"NoRole":      {[]desk.Assignment{{Line: 1, Email: "clerk@city.example"}}, "not_signatory_role"},
		"UnknownUser": {[]desk.Assignment{{Line: 1, Email: "ghost@city.example"}}, "unknown_user"},
		"SecondBad":   {[]desk.Assignment{{Line: 1, Email: "manager@city.example"}, {Line: 2, Email: "clerk@city.example"}}, "not_signatory_role"},
	} {
		t.Run(name, func(t *testing.T) {
			before := counts()
			_, err := db.AssignSignatories(ctx, moudesk.System, m.ID, 1, lines, tc.assign)
			if e, ok := moudesk.AsError(err); !ok || e.Code != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if after := counts(); !maps.Equal(before, after) {
				t.Fatalf("rows changed: %v → %v", before, after)
			}
		})
	}
	got, err := db.AssignSignatories(ctx, moudesk.System, m.ID, 1, lines, []desk.Assignment{{Line: 1, Email: "manager@city.example"}, {Line: 2, Email: "super@district.example"}})
	if err != nil || len(got) != 2 || got[1].Name != "Sam Super" || got[1].PartyName != "Example Unified" || got[1].Order != 2 || got[0].SignedAt != nil {
		t.Fatalf("assigned %+v, %v", got, err)
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO signing_documents (mou_id, revision, seq, kind, content_hash, sha256, pdf, created_at) VALUES (?, 1, 0, 'rendered', 'h', 's', x'25504446', 't')`, m.ID); err != nil {
		t.Fatal(err)
	}
	_, err = db.AssignSignatories(ctx, moudesk.System, m.ID, 1, lines, []desk.Assignment{{Line: 1, Email: "manager@city.example"}})
	if e, ok := moudesk.AsError(err); !ok || e.Code != "signatories_locked" {
		t.Fatalf("assignment after preparation: %v", err)
	}
}
