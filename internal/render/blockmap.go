package render

import (
	"slices"

	"github.com/yuin/goldmark/ast"
)

// BlockPage is where a block of the Markdown source (a paragraph, a list
// item's paragraph, a heading, a table, a code block) began to be drawn:
// Offset is the byte offset in the source of the block's first text, Page
// the page its first line landed on. Callers that know an offset in the
// source (where a change falls) find its page with PageMap.PageAt.
type BlockPage struct {
	Offset int
	Page   int
}

// PageAt is the page on which the block holding source byte offset at
// begins: the last block whose first text starts before the end of at's
// line. ok is false when no block starts by then.
func (m PageMap) PageAt(src []byte, at int) (page int, ok bool) {
	end := at
	for end < len(src) && src[end] != '\n' {
		end++
	}
	var blocks []BlockPage
	for _, s := range m.Sections {
		blocks = append(blocks, s.blocks...)
	}
	slices.SortStableFunc(blocks, func(a, b BlockPage) int { return a.Offset - b.Offset })
	for _, b := range blocks {
		if b.Offset > end {
			break
		}
		if b.Page > 0 {
			page, ok = b.Page, true
		}
	}
	return page, ok
}

// noteBlock records that block n is about to be drawn; placeBlock gives
// it the page of its first line. Containers (lists, items, quotes) are
// not noted: their children are.
func (r *renderer) noteBlock(n ast.Node) {
	if n.Type() != ast.TypeBlock || n.Lines().Len() == 0 {
		return
	}
	si := r.currentSection()
	r.sections[si].blocks = append(r.sections[si].blocks, BlockPage{Offset: n.Lines().At(0).Start})
}

// placeBlock gives the block noted last, if it has no page yet, the page
// being drawn on. A heading's block sits in the section before the one
// its heading starts, so the last two sections are looked at.
func (r *renderer) placeBlock() {
	for i := len(r.sections) - 1; i >= 0 && i >= len(r.sections)-2; i-- {
		if b := r.sections[i].blocks; len(b) > 0 {
			if b[len(b)-1].Page == 0 {
				b[len(b)-1].Page = r.pdf.PageNo()
			}
			return
		}
	}
}
