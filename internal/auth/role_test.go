package auth

import (
	"slices"
	"strings"
	"testing"
)

func TestParseRoles(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Role
		wantErr string
	}{
		{"OK", "drafter,clerk", []Role{RoleDrafter, RoleClerk}, ""},
		{"Spaces", " admin , signatory ", []Role{RoleAdmin, RoleSignatory}, ""},
		{"Dedupe", "clerk,drafter,clerk", []Role{RoleClerk, RoleDrafter}, ""},
		{"Empty", "", nil, ""},
		{"EmptyItems", ",reviewer,,", []Role{RoleReviewer}, ""},
		{"ErrUnknown", "drafter,mayor", nil, `"mayor"`},
		{"ErrCase", "Admin", nil, `"Admin"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRoles(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseRoles(%q) error = %v, want one naming %s", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRoles(%q): %v", tt.in, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParseRoles(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatRolesRoundTrip(t *testing.T) {
	s := FormatRoles(Roles())
	got, err := ParseRoles(s)
	if err != nil || !slices.Equal(got, Roles()) {
		t.Fatalf("ParseRoles(FormatRoles(Roles())) = %v, %v", got, err)
	}
}
