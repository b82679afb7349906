package render

import (
	"fmt"
	"strings"

	"github.com/moudesk/moudesk/internal/redline"
)

// Redline styles: inserted text is blue and underlined, deleted text red and
// struck through, so the change reads without colour too.
var (
	styleInserted = Style{Color: colorInserted, Underline: true}
	styleDeleted  = Style{Color: colorDeleted, Strike: true}
)

// RedlinePDF draws a redline: every section in order with its status beside
// the heading, its text with insertions and deletions marked, and a change
// bar in the left margin beside each changed paragraph. The section text is
// drawn as written (Markdown marks other than heading hashes stay visible),
// since a diff of Markdown cannot always be parsed back into Markdown.
func RedlinePDF(res *redline.Result, opt Options) (out *Result, err error) {
	if res == nil {
		return nil, fmt.Errorf("render: redline pdf: no redline")
	}
	size := 0
	for _, s := range res.Sections {
		for _, op := range s.Ops {
			size += len(op.Text)
		}
	}
	if size > 2*MaxInput {
		return nil, fmt.Errorf("render: redline is %d bytes, over the %d byte limit", size, 2*MaxInput)
	}
	r, err := newRenderer(opt)
	if err != nil {
		return nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("render: pdf library failed: %v", p)
		}
	}()
	for _, sec := range res.Sections {
		r.redlineSection(sec)
	}
	r.signatures(opt.Signatures)
	return r.finish()
}

func (r *renderer) redlineSection(sec redline.SectionChange) {
	title := []Run{{Text: sec.Label(), Style: Style{Bold: true}}}
	if note := statusNote(sec); note != "" {
		title = append(title, Run{Text: "  (" + note + ")", Style: Style{Italic: true, Color: colorMuted}})
	}
	r.heading(2, title)
	for _, para := range opParagraphs(sec.Ops) {
		changed := false
		for _, run := range para {
			changed = changed || run.Style != Style{}
		}
		r.changeBar = changed
		r.paragraph(para, bodySize, alignLeft)
		r.changeBar = false
		r.y += paraGap
	}
}

func statusNote(sec redline.SectionChange) string {
	switch sec.Status {
	case redline.StatusUnchanged:
		if sec.OldNumber != "" {
			return "renumbered from §" + sec.OldNumber
		}
		return ""
	case redline.StatusMoved:
		if sec.MovedFrom != "" {
			return "moved from " + sec.MovedFrom
		}
	case redline.StatusRenamed:
		if sec.OldHeading != "" {
			return "renamed from “" + sec.OldHeading + "”"
		}
	}
	return sec.Status
}

// opParagraphs turns a section's ops into paragraphs of styled runs:
// paragraphs end at blank lines, single newlines become line breaks, and
// heading hashes at the start of a line are dropped (the section heading is
// drawn separately).
func opParagraphs(ops []redline.Op) [][]Run {
	// The heading line is drawn as the section heading; show it again only
	// when it changed.
	if len(ops) > 0 && ops[0].Op == redline.OpEqual && strings.HasPrefix(ops[0].Text, "#") {
		if i := strings.IndexByte(ops[0].Text, '\n'); i >= 0 {
			ops = append([]redline.Op{{Op: redline.OpEqual, Text: ops[0].Text[i+1:]}}, ops[1:]...)
		}
	}
	var paras [][]Run
	var cur []Run
	atLineStart := true
	for _, op := range ops {
		st := Style{}
		switch op.Op {
		case redline.OpInsert:
			st = styleInserted
		case redline.OpDelete:
			st = styleDeleted
		}
		text := op.Text
		for text != "" {
			if atLineStart {
				if h := strings.TrimLeft(text, "#"); len(h) < len(text) && (h == "" || h[0] == ' ') {
					text = strings.TrimPrefix(h, " ")
					if text == "" {
						break
					}
				}
			}
			i := strings.IndexByte(text, '\n')
			if i < 0 {
				cur = append(cur, Run{Text: text, Style: st})
				atLineStart = false
				break
			}
			if i > 0 {
				cur = append(cur, Run{Text: text[:i], Style: st})
			}
			text = text[i+1:]
			if atLineStart && i == 0 { // blank line: paragraph ends
				if len(cur) > 0 {
					paras = append(paras, cur)
					cur = nil
				}
			} else {
				cur = append(cur, Run{Text: "\n", Style: st})
			}
			atLineStart = true
		}
	}
	if len(cur) > 0 {
		paras = append(paras, cur)
	}
	// Drop trailing line breaks that a blank line would have ended.
	for i, p := range paras {
		for len(p) > 0 && p[len(p)-1].Text == "\n" {
			p = p[:len(p)-1]
		}
		paras[i] = p
	}
	return paras
}
