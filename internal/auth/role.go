package auth

import (
	"fmt"
	"strings"
)

// Role is what a user may do in moudesk; a user may hold several.
type Role string

// The roles of docs/design.md "Who uses it". The public has no role: anonymous
// visitors are a nil *Principal.
const (
	RoleAdmin     Role = "admin"
	RoleDrafter   Role = "drafter"
	RoleReviewer  Role = "reviewer"
	RoleClerk     Role = "clerk"
	RoleSignatory Role = "signatory"
)

// Roles returns every role, in a fixed order.
func Roles() []Role {
	return []Role{RoleAdmin, RoleDrafter, RoleReviewer, RoleClerk, RoleSignatory}
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleDrafter, RoleReviewer, RoleClerk, RoleSignatory:
		return true
	}
	return false
}

// ParseRoles reads a comma-separated role list such as "drafter,clerk", the
// form used by the CLI and stored by the sqlite adapter. Spaces around names
// are ignored, duplicates are dropped (first occurrence kept), empty items
// are skipped; an unknown name is an error that names it.
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	seen := make(map[Role]bool)
	for item := range strings.SplitSeq(s, ",") {
		r := Role(strings.TrimSpace(item))
		if r == "" || seen[r] {
			continue
		}
		if !r.Valid() {
			return nil, fmt.Errorf("unknown role %q (want one of %s)", string(r), FormatRoles(Roles()))
		}
		seen[r] = true
		out = append(out, r)
	}
	return out, nil
}

// FormatRoles is the inverse of ParseRoles.
func FormatRoles(roles []Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}
