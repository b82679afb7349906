package demo

import (
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
)

// The demo's parties: a fictional city and its school district. Their
// e-mail domains end in .example, which can never reach a real mailbox.
const (
	citySlug     = "alder-creek"
	districtSlug = "acusd"
	// The regional agreement's other parties (Calgary's model): a police
	// service governed by a commission, and a second school district.
	policeSlug    = "cvps"
	district2Slug = "cvcsd"
)

func parties() []desk.Party {
	return []desk.Party{
		{Slug: citySlug, Name: "City of Alder Creek", Kind: "city", Body: "City Council"},
		{Slug: districtSlug, Name: "Alder Creek Unified School District", Kind: "district", Body: "Board of Trustees"},
		{Slug: policeSlug, Name: "Cedar Valley Police Service", Kind: "agency", Body: "Cedar Valley Police Commission"},
		{Slug: district2Slug, Name: "Cedar Valley Catholic School District", Kind: "district", Body: "Board of Trustees"},
	}
}

// accounts are the demo's people: one for each role, plus a clerk for the
// second party (each governing body's vote is recorded by its own party's
// clerk) and a signatory for each line of the SRO template's signature
// block.
func accounts() []Account {
	return []Account{
		{Email: "admin@aldercreek.example", Name: "Morgan Ellis", Title: "IT Systems Administrator", Role: auth.RoleAdmin},
		{Email: "pramana@aldercreek.example", Name: "Priya Ramana", Title: "Deputy City Attorney", Party: citySlug, Role: auth.RoleDrafter},
		{Email: "dokafor@acusd.example", Name: "Daniel Okafor", Title: "Director of Student Services", Party: districtSlug, Role: auth.RoleReviewer},
		{Email: "rdelgado@aldercreek.example", Name: "Rosa Delgado", Title: "City Clerk", Party: citySlug, Role: auth.RoleClerk},
		{Email: "hlindqvist@acusd.example", Name: "Henry Lindqvist", Title: "Clerk of the Board", Party: districtSlug, Role: auth.RoleClerk},
		{Email: "mbell@aldercreek.example", Name: "Marcus Bell", Title: "Chief of Police", Party: citySlug, Role: auth.RoleSignatory},
		{Email: "evargas@acusd.example", Name: "Elena Vargas", Title: "Superintendent", Party: districtSlug, Role: auth.RoleSignatory},
		{Email: "twhitaker@aldercreek.example", Name: "Thomas Whitaker", Title: "City Manager", Party: citySlug, Role: auth.RoleSignatory},
		{Email: "gnakamura@acusd.example", Name: "Grace Nakamura", Title: "President, Board of Trustees", Party: districtSlug, Role: auth.RoleSignatory},
		{Email: "kosei@cvps.example", Name: "Kenji Osei", Title: "Policy Analyst", Party: policeSlug, Role: auth.RoleDrafter},
		{Email: "lmorrow@cvps.example", Name: "Lena Morrow", Title: "Commission Secretary", Party: policeSlug, Role: auth.RoleClerk},
		{Email: "fbrennan@cvcsd.example", Name: "Fiona Brennan", Title: "Corporate Secretary", Party: district2Slug, Role: auth.RoleClerk},
	}
}
