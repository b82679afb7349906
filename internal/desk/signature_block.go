package desk

import (
	"slices"

	"github.com/moudesk/moudesk/internal/mou"
)

// checkSignatureBlock validates a drafter's signature block for m and
// returns it in canonical form (a copy: the request is not changed). Every
// line must sign for one of m's parties, each party needs a signatory line,
// kinds are signatory, attest or approved_as_to_form, titles are required
// and orders start at 1 (422 naming signature_block[i].<field>).
func checkSignatureBlock(m *MOU, block []mou.SignatureLine) ([]mou.SignatureLine, error) {
	roles := make([]string, 0, len(m.Parties))
	for _, p := range m.Parties {
		roles = append(roles, p.Role)
	}
	out := slices.Clone(block)
	if out == nil {
		out = []mou.SignatureLine{}
	}
	if err := mou.CheckBlock(out, roles); err != nil {
		return nil, err
	}
	return out, nil
}

// keepParties drops the lines of block for parties the MOU does not have:
// a template's optional party left off the MOU signs nothing.
func keepParties(block []mou.SignatureLine, parties map[string]string) []mou.SignatureLine {
	return slices.DeleteFunc(slices.Clone(block), func(l mou.SignatureLine) bool {
		_, ok := parties[l.Party]
		return !ok
	})
}
