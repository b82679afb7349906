// Package migrations embeds the numbered, forward-only schema migrations.
// A migration that has shipped is never edited; a change is a new file.
package migrations

import "embed"

// FS holds NNN_name.sql files, applied in numeric order.
//
//go:embed *.sql
var FS embed.FS
