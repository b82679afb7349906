// Package templates embeds the MOU document templates (mou/), the workflow
// definitions (workflows/) and the web page templates (web/) so that one
// binary carries everything it needs.
package templates

import "embed"

// FS holds mou/*.md, workflows/*.yaml, datasets/*.yaml (the schemas
// obligations' datasets are checked against) and web/*; loaders pick files by
// extension, so the folders' .gitkeep files are harmless.
//
//go:embed all:mou all:workflows all:web all:datasets
var FS embed.FS
