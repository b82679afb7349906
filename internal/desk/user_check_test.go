package desk_test

import (
	"testing"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
)

// TestCheckNewUser: an account is refused before anything is written when
// mail could not reach it (the rule notifications are sent by), or it has
// no name or role.
func TestCheckNewUser(t *testing.T) {
	ok := desk.NewUser{Email: "dana@pusd.example", Name: "Dana", Roles: []auth.Role{auth.RoleClerk}}
	if err := desk.CheckNewUser(ok); err != nil {
		t.Fatalf("a good account: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*desk.NewUser)
		code string
	}{
		{"NoAt", func(u *desk.NewUser) { u.Email = "dana" }, "invalid_email"},
		{"Localhost", func(u *desk.NewUser) { u.Email = "dana@localhost" }, "invalid_email"},
		{"IPAddress", func(u *desk.NewUser) { u.Email = "dana@[192.0.2.1]" }, "invalid_email"},
		{"DisplayName", func(u *desk.NewUser) { u.Email = "Dana <dana@pusd.example>" }, "invalid_email"},
		{"NoName", func(u *desk.NewUser) { u.Name = "  " }, "missing_field"},
		{"NoRole", func(u *desk.NewUser) { u.Roles = nil }, "missing_role"},
		{"NULInTitle", func(u *desk.NewUser) { u.Title = "Clerk\x00" }, "invalid_text"},
	} {
		u := ok
		tc.edit(&u)
		if got := codeOf(desk.CheckNewUser(u)); got != tc.code {
			t.Errorf("%s: %q, want %s", tc.name, got, tc.code)
		}
	}
}
