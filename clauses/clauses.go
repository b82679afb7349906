// Package clauses holds moudesk's shipped clause library: one Markdown file
// per clause, named <slug>.md, with YAML front matter (see internal/clause).
// The files are embedded so a single binary carries the library; the server
// seeds its database from FS on first start.
package clauses

import "embed"

// FS holds every *.md clause file at its root.
//
//go:embed *.md
var FS embed.FS
