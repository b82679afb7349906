package docx

import (
	"strconv"
	"strings"
)

// markdown writes blocks as Markdown in the house style of the clause
// library: "-" bullets, "1." numbers, "**bold**", "*italic*", tables with
// "|---|" rules. Lists are tight unless an item continues in a further
// paragraph.
func markdown(blocks []block) string {
	var b strings.Builder
	// next is each open list's next number by depth (0 for a bullet list):
	// in Markdown, items that follow each other at one depth are one list,
	// whatever Word's numbering instances say.
	next := map[int]int{}
	closeFrom := func(level int) {
		for l := range next {
			if l >= level {
				delete(next, l)
			}
		}
	}
	var widths []int // marker widths of the enclosing list items
	kept := blocks[:0:0]
	for _, bl := range blocks {
		// An empty paragraph is spacing in Word, nothing in Markdown.
		if bl.kind == kPara && strings.TrimSpace(plain(bl.runs)) == "" {
			continue
		}
		kept = append(kept, bl)
	}
	blocks = kept
	for i := range blocks {
		bl := &blocks[i]
		prev := (*block)(nil)
		if i > 0 {
			prev = &blocks[i-1]
		}
		if i > 0 {
			// Items of one list follow each other without a blank line.
			tight := bl.kind == kItem && prev.kind == kItem && !bl.quote && !prev.quote
			if !tight {
				b.WriteString("\n")
			}
		}
		quote := ""
		if bl.quote {
			quote = "> "
		}
		switch bl.kind {
		case kItem:
			if len(widths) > bl.level {
				widths = widths[:bl.level]
			}
			for len(widths) < bl.level {
				widths = append(widths, 2)
			}
			closeFrom(bl.level + 1)
			marker := "- "
			if n, ok := next[bl.level]; bl.ordered && ok && n > 0 {
				next[bl.level] = n + 1
				marker = strconv.Itoa(n) + ". "
			} else if bl.ordered {
				n = max(bl.start, 0)
				next[bl.level] = n + 1
				marker = strconv.Itoa(n) + ". "
			} else {
				next[bl.level] = 0
			}
			pad := strings.Repeat(" ", sum(widths))
			widths = append(widths, len(marker))
			b.WriteString(quote + pad + marker + indentLines(inlineMarkdown(bl.runs, false), quote+pad+strings.Repeat(" ", len(marker))) + "\n")
		case kPara:
			closeFrom(bl.level)
			pad := ""
			if bl.level > 0 {
				pad = strings.Repeat(" ", sum(widths[:min(bl.level, len(widths))]))
				if len(widths) == 0 {
					pad = strings.Repeat(" ", 2*bl.level)
				}
			}
			b.WriteString(quote + pad + indentLines(inlineMarkdown(bl.runs, false), quote+pad) + "\n")
		case kHeading:
			b.WriteString(quote + strings.Repeat("#", min(max(bl.level, 3), 6)) + " " + strings.ReplaceAll(inlineMarkdown(bl.runs, false), "\n", " ") + "\n")
		case kCode:
			b.WriteString(quote + "```\n")
			for _, ln := range strings.Split(plain(bl.runs), "\n") {
				b.WriteString(quote + ln + "\n")
			}
			b.WriteString(quote + "```\n")
		case kRule:
			b.WriteString(quote + "---\n")
		case kTable:
			cols := 0
			for _, row := range bl.rows {
				cols = max(cols, len(row))
			}
			for ri, row := range bl.rows {
				b.WriteString(quote + "|")
				for c := 0; c < cols; c++ {
					cell := ""
					if c < len(row) {
						cell = strings.ReplaceAll(inlineMarkdown(row[c], true), "\n", " ")
					}
					b.WriteString(" " + cell + " |")
				}
				b.WriteString("\n")
				if ri == 0 {
					b.WriteString(quote + "|" + strings.Repeat("---|", cols) + "\n")
				}
			}
		}
		if bl.kind != kItem && bl.kind != kPara {
			widths = widths[:0]
			closeFrom(0)
		}
		if bl.kind == kPara && bl.level == 0 {
			widths = widths[:0]
		}
	}
	return b.String()
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// indentLines indents every line after the first (hard breaks) by pad.
func indentLines(s, pad string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	return strings.ReplaceAll(s, "\n", "\n"+pad)
}

func plain(runs []run) string {
	var sb strings.Builder
	writeRuns(&sb, runs)
	return sb.String()
}

// inlineMarkdown writes runs as inline Markdown. Delimiters hug the text:
// spaces at a run's ends go outside them, as CommonMark requires. Hard
// breaks are a backslash at the end of the line.
func inlineMarkdown(runs []run, inTable bool) string {
	runs = mergeRuns(runs)
	var b strings.Builder
	for i, r := range runs {
		if r.br {
			b.WriteString("\\\n")
			continue
		}
		text := r.text
		if strings.TrimSpace(text) == "" {
			b.WriteString(text)
			continue
		}
		if r.f&fCode != 0 {
			text = codeSpan(text)
		} else {
			text = escapeMarkdown(text, inTable, i == 0 || runs[i-1].br)
		}
		lead := len(text) - len(strings.TrimLeft(text, " \t"))
		trail := len(text) - len(strings.TrimRight(text, " \t"))
		core := text[lead : len(text)-trail]
		if core == "" {
			b.WriteString(text)
			continue
		}
		open, closeDelim := "", ""
		f := r.f
		if f&fStrike != 0 {
			open, closeDelim = open+"~~", "~~"+closeDelim
		}
		switch {
		case f&fBold != 0 && f&(fItalic|fUnderline) != 0:
			open, closeDelim = open+"***", "***"+closeDelim
		case f&fBold != 0:
			open, closeDelim = open+"**", "**"+closeDelim
		case f&(fItalic|fUnderline) != 0:
			open, closeDelim = open+"*", "*"+closeDelim
		}
		core = open + core + closeDelim
		if r.link != "" {
			core = "[" + core + "](" + linkTarget(r.link) + ")"
		}
		b.WriteString(text[:lead] + core + text[len(text)-trail:])
	}
	return b.String()
}

func linkTarget(l string) string {
	if strings.ContainsAny(l, " ()<>") {
		return "<" + strings.NewReplacer("<", "%3C", ">", "%3E").Replace(l) + ">"
	}
	return l
}

func codeSpan(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// escapeMarkdown backslash-escapes what would otherwise read as Markdown:
// emphasis and code marks, brackets, HTML, and at a line's start what
// would start a heading, list, quote or rule.
func escapeMarkdown(s string, inTable, lineStart bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '*', '_', '`', '[', ']', '<', '~':
			b.WriteByte('\\')
		case '|':
			if inTable {
				b.WriteByte('\\')
			}
		case '&':
			if j := strings.IndexByte(s[i:], ';'); j > 1 && j < 12 && !strings.ContainsAny(s[i+1:i+j], " \t") {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	out := b.String()
	if lineStart {
		out = escapeLineStart(out)
	}
	return out
}

// escapeLineStart escapes a leading "#", ">", "-", "+", "=" or "1." that
// would change what the line is.
func escapeLineStart(s string) string {
	t := strings.TrimLeft(s, " ")
	lead := s[:len(s)-len(t)]
	if t == "" {
		return s
	}
	switch t[0] {
	case '#', '>', '+', '=':
		return lead + "\\" + t
	case '-':
		if len(t) == 1 || t[1] == ' ' || t[1] == '-' {
			return lead + "\\" + t
		}
	}
	j := 0
	for j < len(t) && j < 9 && t[j] >= '0' && t[j] <= '9' {
		j++
	}
	if j > 0 && j < len(t) && (t[j] == '.' || t[j] == ')') && (j+1 == len(t) || t[j+1] == ' ') {
		return lead + t[:j] + "\\" + t[j:]
	}
	return s
}
