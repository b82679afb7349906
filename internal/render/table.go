package render

import east "github.com/yuin/goldmark/extension/ast"

// Table layout constants, in points.
const (
	tableSize = 10.0
	cellPad   = 5.0
)

// tableRow is one laid-out row: every cell's lines.
type tableRow struct {
	cells  [][]line
	header bool
}

func (tr tableRow) lines() int {
	n := 1
	for _, c := range tr.cells {
		n = max(n, len(c))
	}
	return n
}

// table draws a GFM table whose cells wrap; the header row is repeated at
// the top of every page the table continues on.
func (r *renderer) table(t *east.Table, src []byte) {
	var cellRuns [][][]Run
	var isHeader []bool
	ncols := len(t.Alignments)
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		if r.rl != nil { // a redline: deleted rows of the old table first
			for _, cells := range r.goneRows(r.rl.start(row)) {
				ncols = max(ncols, len(cells))
				cellRuns = append(cellRuns, cells)
				isHeader = append(isHeader, false)
			}
		}
		var cells [][]Run
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, r.inlineOf(c, src, Style{Bold: row.Kind() == east.KindTableHeader}))
		}
		ncols = max(ncols, len(cells))
		cellRuns = append(cellRuns, cells)
		isHeader = append(isHeader, row.Kind() == east.KindTableHeader)
	}
	if ncols == 0 || len(cellRuns) == 0 {
		return
	}
	aligns := make([]align, ncols)
	for i, a := range t.Alignments {
		switch a {
		case east.AlignCenter:
			aligns[i] = alignCenter
		case east.AlignRight:
			aligns[i] = alignRight
		}
	}
	widths := r.columnWidths(cellRuns, ncols)
	rows := make([]tableRow, len(cellRuns))
	for i, cells := range cellRuns {
		rows[i] = tableRow{cells: make([][]line, ncols), header: isHeader[i]}
		for j := 0; j < ncols; j++ {
			var runs []Run
			if j < len(cells) {
				runs = cells[j]
			}
			rows[i].cells[j] = r.breakRuns(runs, tableSize, widths[j]-2*cellPad)
		}
	}
	lh := tableSize * leading
	var header *tableRow
	if len(rows) > 0 && rows[0].header {
		header = &rows[0]
		// Repeat the header only if it is small; a huge header row
		// repeated on every page could never make room for the body.
		if float64(header.lines())*lh > (r.bottom()-margin)/4 {
			header = nil
		}
	}
	// Keep the header row with the first body row.
	first := float64(rows[0].lines()) * lh
	if len(rows) > 1 {
		first += float64(rows[1].lines()) * lh
	}
	r.ensure(first + 4*cellPad)
	for i, row := range rows {
		var repeat *tableRow
		if i > 0 {
			repeat = header
		}
		r.tableRow(row, widths, aligns, repeat)
	}
}

// tableRow draws one row, continuing it on the next page (after the
// repeated header) when it does not fit.
func (r *renderer) tableRow(row tableRow, widths []float64, aligns []align, header *tableRow) {
	lh := tableSize * leading
	n := row.lines()
	pageBreak := func() {
		r.newPage()
		if header != nil {
			r.tableRow(*header, widths, aligns, nil)
		}
	}
	fresh := false // just broke the page: draw whatever fits, never break again
	for start := 0; start < n; {
		avail := int((r.bottom() - r.y - 2*cellPad) / lh)
		if avail < n-start && !fresh && r.y > margin+0.5 {
			pageBreak()
			fresh = true
			continue
		}
		count := min(max(avail, 1), n-start)
		r.drawRowChunk(row, widths, aligns, start, count)
		start += count
		fresh = false
		if start < n {
			pageBreak()
			fresh = true
		}
	}
}

func (r *renderer) drawRowChunk(row tableRow, widths []float64, aligns []align, start, count int) {
	lh := tableSize * leading
	h := float64(count)*lh + 2*cellPad
	x := r.left
	r.pdf.SetLineWidth(0.5)
	r.pdf.SetDrawColor(0x99, 0x99, 0x99)
	for j, w := range widths {
		if row.header {
			r.pdf.SetFillColor(0xee, 0xee, 0xee)
			r.pdf.Rect(x, r.y, w, h, "FD")
		} else {
			r.pdf.Rect(x, r.y, w, h, "D")
		}
		lines := row.cells[j]
		for k := start; k < start+count && k < len(lines); k++ {
			y := r.y + cellPad + float64(k-start)*lh
			r.drawLine(lines[k], x+cellPad, w-2*cellPad, y, tableSize, aligns[j])
		}
		x += w
	}
	r.y += h
}

// columnWidths shares the column width between columns by how much text
// each holds, giving every column a usable minimum.
func (r *renderer) columnWidths(rows [][][]Run, ncols int) []float64 {
	total := r.right - r.left
	want := make([]float64, ncols)
	for _, cells := range rows {
		for j, runs := range cells {
			w := 0.0
			for _, ln := range r.breakRuns(runs, tableSize, 1e9) {
				w = max(w, ln.width)
			}
			want[j] = max(want[j], w+2*cellPad+1)
		}
	}
	sum := 0.0
	for _, w := range want {
		sum += w
	}
	widths := make([]float64, ncols)
	if sum <= total {
		for j, w := range want {
			widths[j] = w * total / sum
		}
		return widths
	}
	floor := max(min(total/float64(ncols)*0.5, 60), 2*cellPad+4)
	rest, extra := total, 0.0
	for j, w := range want {
		widths[j] = min(w, floor)
		rest -= widths[j]
		extra += w - widths[j]
	}
	for j, w := range want {
		if extra > 0 && rest > 0 {
			widths[j] += (w - widths[j]) * rest / extra
		}
	}
	return widths
}
