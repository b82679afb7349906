// Package fonts holds the TrueType fonts the PDF renderer embeds: Liberation
// Serif (regular, bold, italic, bold italic) for text and Liberation Mono for
// code, from Debian's fonts-liberation2, under the SIL Open Font License 1.1
// (see LICENSE in this folder). They live in their own package because
// go:embed cannot reach into a sibling folder.
package fonts

import "embed"

// FS holds the .ttf files and their LICENSE.
//
//go:embed *.ttf LICENSE
var FS embed.FS
