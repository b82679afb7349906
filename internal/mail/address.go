package mail

import (
	"net/mail"
	"strings"
)

// Limits of RFC 5321 section 4.5.3.1: a path of 256 octets holds an
// address of at most 254, with a local part of at most 64.
const (
	maxAddress   = 254
	maxLocalPart = 64
	maxLabel     = 63
)

// ValidAddress reports why s cannot be a person's e-mail address, or nil.
// It is the rule for saving a user's address (422 otherwise) and for every
// recipient and sender of Send. Beyond net/mail.ParseAddress it asks for:
//
//   - a bare address, "name@example.org": no display name, no angle
//     brackets, no quoted local part, no comments, nothing around it;
//   - ASCII only: moudesk does not rely on SMTPUTF8, which many city relays
//     lack (an internationalised domain is written in its xn-- form);
//   - at most 254 characters, a local part of at most 64;
//   - a domain of two or more dot-separated labels of letters, digits and
//     inner hyphens, whose last label is not all digits: "localhost",
//     "intranet", "[192.0.2.1]" and "192.0.2.1" are refused, since a
//     notification to them could only stay on the relay's own host.
//
// The messages are for the person typing the address.
func ValidAddress(s string) error {
	if s == "" {
		return invalid("e-mail address is empty")
	}
	if len(s) > maxAddress {
		return invalidf("e-mail address is longer than %d characters", maxAddress)
	}
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t':
			return invalid("e-mail address contains a space")
		case r < ' ' || r == 0x7f:
			return invalid("e-mail address contains a control character")
		case r > 0x7e:
			return invalid("e-mail address must be ASCII (write an international domain in its xn-- form)")
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return invalid("e-mail address is not of the form name@example.org")
	}
	if a.Name != "" || a.Address != s {
		return invalid("e-mail address must be a bare address like name@example.org, without a name, brackets or quotes")
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if len(local) > maxLocalPart {
		return invalidf("e-mail address: the part before @ is longer than %d characters", maxLocalPart)
	}
	return validDomain(domain)
}

func validDomain(d string) error {
	if strings.HasPrefix(d, "[") {
		return invalid("e-mail address: the domain must be a name, not an IP address")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return invalid("e-mail address: the domain must contain a dot, as in example.org")
	}
	for _, l := range labels {
		if l == "" {
			return invalid("e-mail address: the domain has an empty part between dots")
		}
		if len(l) > maxLabel {
			return invalidf("e-mail address: a part of the domain is longer than %d characters", maxLabel)
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return invalid("e-mail address: a part of the domain starts or ends with a hyphen")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return invalid("e-mail address: the domain may hold only letters, digits, hyphens and dots")
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return invalid("e-mail address: the domain must be a name, not an IP address")
	}
	return nil
}
