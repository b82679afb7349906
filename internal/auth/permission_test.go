package auth

import (
	"fmt"
	"testing"
)

// wantGrants is the permission table written out a second time, by hand,
// independently of grantedTo: one row per action, one column per role, in
// the order admin, drafter, reviewer, clerk, signatory. A change to the
// real table that is not mirrored here fails the test.
var wantGrants = map[Action][5]bool{
	//                  admin  drafter reviewer clerk  signatory
	ClauseRead:      {true, true, true, true, true},
	ClauseWrite:     {true, true, false, false, false},
	TemplateRead:    {true, true, true, true, true},
	MOURead:         {true, true, true, true, true},
	MOUCreate:       {true, true, false, false, false},
	RevisionWrite:   {true, true, false, false, false},
	TransitionWrite: {true, true, false, true, false},
	MeetingWrite:    {true, false, false, true, false},
	FeedbackWrite:   {true, true, true, true, false},
	FeedbackResolve: {true, true, false, true, false},
	OutcomeWrite:    {false, false, false, true, false},
	SignatureWrite:  {false, false, false, false, true},
	SignatoryWrite:  {true, true, false, false, false},
	AuditRead:       {true, false, false, true, false},
	AdminUsers:      {true, false, false, false, false},
	WorkflowRead:    {true, true, true, true, true},
	WorkflowWrite:   {true, false, false, false, false},
	Account:         {true, true, true, true, true},
	OwnTokens:       {true, true, true, true, true},
	Public:          {true, true, true, true, true},

	RecommendationWrite: {true, true, false, true, false},
	PartyRead:           {true, true, true, true, true},
	UserRead:            {true, true, true, true, true},
	WebhookAdmin:        {true, false, false, false, false},
	ReportWrite:         {true, true, false, true, false},
	ObligationWaive:     {true, false, false, true, false},
}

var columnRoles = [5]Role{RoleAdmin, RoleDrafter, RoleReviewer, RoleClerk, RoleSignatory}

func TestPermissionTable(t *testing.T) {
	if got, want := len(Actions()), len(wantGrants); got != want {
		t.Fatalf("Actions() has %d actions, expected table has %d", got, want)
	}
	for _, a := range Actions() {
		row, ok := wantGrants[a]
		if !ok {
			t.Fatalf("action %q missing from the expected table", a)
		}
		for i, r := range columnRoles {
			t.Run(fmt.Sprintf("%s/%s", a, r), func(t *testing.T) {
				if got := Allowed([]Role{r}, a); got != row[i] {
					t.Errorf("Allowed([%s], %s) = %v, want %v", r, a, got, row[i])
				}
				p := &Principal{UserID: 1, Roles: []Role{r}}
				if got := p.Can(a); got != row[i] {
					t.Errorf("Principal{%s}.Can(%s) = %v, want %v", r, a, got, row[i])
				}
			})
		}
	}
}

func TestAllowedCombinesRoles(t *testing.T) {
	roles := []Role{RoleReviewer, RoleSignatory}
	for _, a := range Actions() {
		want := wantGrants[a][2] || wantGrants[a][4]
		if got := Allowed(roles, a); got != want {
			t.Errorf("Allowed(reviewer+signatory, %s) = %v, want %v", a, got, want)
		}
	}
}

func TestAllowedEdges(t *testing.T) {
	tests := []struct {
		name  string
		roles []Role
		a     Action
		want  bool
	}{
		{"NoRolesPublic", nil, Public, true},
		{"NoRolesRead", nil, MOURead, false},
		{"UnknownRole", []Role{"superuser"}, ClauseRead, false},
		{"UnknownAction", []Role{RoleAdmin}, Action("mou.delete"), false},
		{"EmptyAction", []Role{RoleAdmin}, Action(""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Allowed(tt.roles, tt.a); got != tt.want {
				t.Errorf("Allowed(%v, %q) = %v, want %v", tt.roles, tt.a, got, tt.want)
			}
		})
	}
}

func TestNilPrincipalOnlyPublic(t *testing.T) {
	var p *Principal
	for _, a := range Actions() {
		if got, want := p.Can(a), a == Public; got != want {
			t.Errorf("nil.Can(%s) = %v, want %v", a, got, want)
		}
	}
}

func TestCanRecordFor(t *testing.T) {
	cityClerk := &Principal{UserID: 3, PartySlug: "city", Roles: []Role{RoleClerk}}
	boardClerk := &Principal{UserID: 4, PartySlug: "district", Roles: []Role{RoleClerk}}
	otherClerk := &Principal{UserID: 5, PartySlug: "county", Roles: []Role{RoleClerk}}
	partylessClerk := &Principal{UserID: 6, Roles: []Role{RoleClerk}}
	cityAdmin := &Principal{UserID: 1, PartySlug: "city", Roles: []Role{RoleAdmin}}
	parties := []string{"city", "district"}
	tests := []struct {
		name string
		p    *Principal
		body string
		want bool
	}{
		{"OwnBody", cityClerk, "city", true},
		{"OtherPartysBody", cityClerk, "district", false},
		{"BoardClerkOwnBody", boardClerk, "district", true},
		{"JointByEmpty", boardClerk, "", true},
		{"JointBySlug", cityClerk, JointBody, true},
		{"JointNotAParty", otherClerk, JointBody, false},
		{"NoParty", partylessClerk, "", false},
		{"NoPartyNamedBody", partylessClerk, "city", false},
		{"AdminIsNotClerk", cityAdmin, "city", false},
		{"Anonymous", nil, "city", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CanRecordFor(tt.p, tt.body, parties); got != tt.want {
				t.Errorf("CanRecordFor(%s) = %v, want %v", tt.body, got, tt.want)
			}
		})
	}
}

func TestCanSignAs(t *testing.T) {
	chief := &Principal{UserID: 7, PartySlug: "city", Roles: []Role{RoleSignatory}}
	tests := []struct {
		name  string
		p     *Principal
		user  int64
		party string
		want  bool
	}{
		{"Self", chief, 7, "city", true},
		{"SomeoneElse", chief, 8, "city", false},
		{"WrongParty", chief, 7, "district", false},
		{"EmptyParty", &Principal{UserID: 7, Roles: []Role{RoleSignatory}}, 7, "", false},
		{"NotSignatory", &Principal{UserID: 7, PartySlug: "city", Roles: []Role{RoleAdmin, RoleDrafter}}, 7, "city", false},
		{"ZeroUser", &Principal{PartySlug: "city", Roles: []Role{RoleSignatory}}, 0, "city", false},
		{"Anonymous", nil, 7, "city", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CanSignAs(tt.p, tt.user, tt.party); got != tt.want {
				t.Errorf("CanSignAs = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAllowedBeforePasswordChange: a user who must set a new password may
// reach only their own account and what the public may.
func TestAllowedBeforePasswordChange(t *testing.T) {
	for _, a := range Actions() {
		want := a == Account || a == Public
		if got := AllowedBeforePasswordChange(a); got != want {
			t.Errorf("AllowedBeforePasswordChange(%s) = %v, want %v", a, got, want)
		}
	}
}
