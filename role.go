package moudesk

// MaxRoleLen bounds a party role name.
const MaxRoleLen = 64

// ValidRole reports whether s can name a party role: a template's party
// ("city", "district", "police_service", "district_2") and the workflow
// bodies that belong to it must agree on one spelling, so both use this
// rule: a lowercase letter, then lowercase letters, digits or '_'.
func ValidRole(s string) bool {
	if s == "" || len(s) > MaxRoleLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
