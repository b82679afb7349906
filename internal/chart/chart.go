// Package chart draws time-series line charts as SVG on the server, for
// pages that must be readable without JavaScript: one line per series (a
// school, a student group) over periods (months, quarters), with axes,
// ticks, a legend, a title and a description for screen readers, and the
// same numbers as table rows for the accessible table beside the chart.
//
// Output is deterministic (the same chart gives the same bytes), so pages
// can be cached and compared. A point may be hidden by small-number
// suppression: the chart then knows only that it is below the threshold,
// never its value, and draws it as a hollow marker in a shaded band across
// the bottom of the plot with the line broken on both sides, so the
// position reveals nothing the "<10" label does not.
package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Point is one series' value in one period.
type Point struct {
	Value int
	// Hidden marks a count withheld by small-number suppression; Value is
	// then ignored (New sets it to 0, so it cannot leak by mistake).
	Hidden bool
	// Missing marks a period with no data for the series: no marker, and
	// the line breaks.
	Missing bool
}

// Series is one line: a name for the legend and a point per period.
type Series struct {
	Name   string
	Points []Point // one per Chart.Periods, in the same order
}

// Chart is one time-series chart.
type Chart struct {
	// ID prefixes the element ids the SVG uses for its title and
	// description (aria-labelledby), so several charts share a page. It
	// must be unique on the page; New keeps only [A-Za-z0-9_-].
	ID      string
	Title   string
	Desc    string   // what the chart shows, for screen readers
	Unit    string   // what a value counts ("citations"), for the y axis and marker titles
	Periods []string // x-axis labels, in order ("2025 Q1", "2025-09")
	Series  []Series
	// HiddenLabel is what a hidden value reads as ("<10"); Threshold is
	// where the shaded band of hidden values ends on the y axis. Both are
	// zero when nothing is suppressed.
	HiddenLabel string
	Threshold   int
}

// Limits of what a chart takes: a chart with more lines than colours or
// more periods than fit along 640 px is unreadable; the table beside it
// still carries everything.
const (
	MaxSeries  = 12
	MaxPeriods = 60
)

// New checks c and returns a copy ready to draw: ids cleaned, hidden
// values zeroed, and every series' points counted against the periods.
func New(c Chart) (*Chart, error) {
	if len(c.Periods) == 0 {
		return nil, fmt.Errorf("chart %q: no periods", c.Title)
	}
	if len(c.Periods) > MaxPeriods {
		return nil, fmt.Errorf("chart %q: %d periods, at most %d", c.Title, len(c.Periods), MaxPeriods)
	}
	if len(c.Series) == 0 || len(c.Series) > MaxSeries {
		return nil, fmt.Errorf("chart %q: %d series, want 1 to %d", c.Title, len(c.Series), MaxSeries)
	}
	out := c
	out.ID = cleanID(c.ID)
	out.Periods = append([]string(nil), c.Periods...)
	out.Series = make([]Series, len(c.Series))
	for i, s := range c.Series {
		if len(s.Points) != len(c.Periods) {
			return nil, fmt.Errorf("chart %q: series %q has %d points for %d periods", c.Title, s.Name, len(s.Points), len(c.Periods))
		}
		pts := make([]Point, len(s.Points))
		for j, p := range s.Points {
			switch {
			case p.Missing:
				pts[j] = Point{Missing: true}
			case p.Hidden:
				pts[j] = Point{Hidden: true}
			default:
				if p.Value < 0 {
					return nil, fmt.Errorf("chart %q: series %q has %d in %s; counts are not negative", c.Title, s.Name, p.Value, c.Periods[j])
				}
				pts[j] = Point{Value: p.Value}
			}
		}
		out.Series[i] = Series{Name: s.Name, Points: pts}
	}
	return &out, nil
}

// cleanID keeps the characters an id may hold in HTML and CSS selectors.
func cleanID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "chart"
	}
	return b.String()
}

// Row is one series as a table row: a cell per period, as published.
type Row struct {
	Name  string
	Cells []string
}

// Rows are the chart's numbers for the table beside it: hidden values
// read as HiddenLabel, missing ones as "—".
func (c *Chart) Rows() []Row {
	rows := make([]Row, len(c.Series))
	for i, s := range c.Series {
		cells := make([]string, len(s.Points))
		for j, p := range s.Points {
			cells[j] = c.cell(p)
		}
		rows[i] = Row{Name: s.Name, Cells: cells}
	}
	return rows
}

func (c *Chart) cell(p Point) string {
	switch {
	case p.Missing:
		return "—"
	case p.Hidden:
		return c.HiddenLabel
	default:
		return strconv.Itoa(p.Value)
	}
}

// Geometry of the drawing, in SVG user units. The SVG scales to its
// container (width 100%), so these fix proportions, not pixels.
const (
	width       = 640.0
	plotLeft    = 56.0
	plotRight   = width - 20
	plotTop     = 44.0
	plotBottom  = 264.0
	axisLabelY  = plotBottom + 22
	legendTop   = plotBottom + 52
	legendRow   = 22.0
	legendCols  = 2
	markerR     = 4.0
	fontFamily  = "Liberation Sans, Arial, sans-serif"
	inkColour   = "#1b1f24" // the page's --ink
	gridColour  = "#c7ccd4" // the page's --line
	bandColour  = "#eceff3"
	background  = "#ffffff"
	mutedColour = "#4a5361" // the page's --muted, 8:1 on white
)

// Palette is the series colours in order. Each has at least 4.5:1
// contrast against the white background (checked by a test), more than
// WCAG's 3:1 for graphics, so a line reads as well as text would; series
// also differ by dash pattern and marker shape, for readers who do not
// tell the colours apart.
var Palette = [MaxSeries]string{
	"#0b4f8a", // blue
	"#a4000f", // red
	"#0a6b2d", // green
	"#6a3d9a", // purple
	"#8a4b00", // brown
	"#00687a", // teal
	"#a0185b", // magenta
	"#4a5361", // slate
	"#1f3f7a", // navy
	"#7a3d00", // rust
	"#3d6b00", // olive
	"#5b2a86", // violet
}

var dashes = [...]string{"", "6 4", "2 3", "10 3 2 3"}

// scale is the y axis: 0 to top, with ticks every step.
type scale struct {
	top, step int
}

// yScale picks a top and tick step of 1, 2 or 5 × 10^k giving at most six
// ticks above zero, high enough for every shown value and the
// suppression band.
func (c *Chart) yScale() scale {
	most := c.Threshold
	for _, s := range c.Series {
		for _, p := range s.Points {
			if !p.Hidden && !p.Missing && p.Value > most {
				most = p.Value
			}
		}
	}
	if most < 1 {
		most = 1
	}
	step := 1
	for mag := 1; ; mag *= 10 {
		found := false
		for _, m := range []int{1, 2, 5} {
			if most <= m*mag*5 {
				step, found = m*mag, true
				break
			}
		}
		if found {
			break
		}
	}
	top := (most + step - 1) / step * step
	return scale{top: top, step: step}
}

func (sc scale) y(v float64) float64 {
	return plotBottom - (plotBottom-plotTop)*v/float64(sc.top)
}

func (c *Chart) x(i int) float64 {
	if len(c.Periods) == 1 {
		return (plotLeft + plotRight) / 2
	}
	return plotLeft + 12 + (plotRight-plotLeft-24)*float64(i)/float64(len(c.Periods)-1)
}

// num writes a coordinate with one decimal, trimmed, so output does not
// depend on float printing quirks.
func num(f float64) string {
	f = math.Round(f*10) / 10
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// SVG draws the chart as a standalone <svg> element, to be placed inline
// in an HTML page or served as image/svg+xml.
func (c *Chart) SVG() []byte {
	sc := c.yScale()
	rows := (len(c.Series) + legendCols - 1) / legendCols
	height := legendTop + float64(rows)*legendRow + 4
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	tid, did := c.ID+"-title", c.ID+"-desc"
	w(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="%s" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-labelledby="%s %s" font-family="%s" font-size="13" style="max-width:100%%;height:auto">`,
		c.ID, num(width), num(height), num(width), num(height), tid, did, fontFamily)
	w(`<title id="%s">%s</title>`, tid, esc(c.Title))
	w(`<desc id="%s">%s</desc>`, did, esc(c.description()))
	w(`<rect width="%s" height="%s" fill="%s"/>`, num(width), num(height), background)
	w(`<text class="chart-title" x="%s" y="22" font-size="15" font-weight="700" fill="%s">%s</text>`, num(plotLeft), inkColour, esc(c.Title))

	// The suppression band under everything else, so lines cross over it.
	if c.HiddenLabel != "" && c.Threshold > 0 && c.hasHidden() {
		y0, y1 := sc.y(float64(c.Threshold)), sc.y(0)
		w(`<g class="hidden-band"><rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(plotLeft), num(y0), num(plotRight-plotLeft), num(y1-y0), bandColour)
		w(`<text x="%s" y="%s" text-anchor="end" font-size="11" fill="%s">%s hidden</text></g>`, num(plotRight-4), num(y0+12), mutedColour, esc(c.HiddenLabel))
	}

	w(`<g class="axis-y">`)
	band := c.HiddenLabel != "" && c.Threshold > 0 && c.hasHidden()
	for v := 0; v <= sc.top; v += sc.step {
		if band && v > 0 && v < c.Threshold {
			continue // no tick inside the band: a hidden marker must not sit on a value
		}
		y := num(sc.y(float64(v)))
		w(`<g class="tick" data-value="%d"><line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1"/><text x="%s" y="%s" text-anchor="end" fill="%s">%d</text></g>`,
			v, num(plotLeft), num(plotRight), y, y, gridColour, num(plotLeft-6), num(sc.y(float64(v))+4), inkColour, v)
	}
	if c.Unit != "" {
		w(`<text class="unit" x="%s" y="%s" fill="%s" font-size="12">%s</text>`, num(plotLeft), num(plotTop-8), mutedColour, esc(c.Unit))
	}
	w(`</g>`)

	w(`<g class="axis-x">`)
	w(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1.5"/>`, num(plotLeft), num(plotRight), num(plotBottom), num(plotBottom), inkColour)
	every := 1 + (len(c.Periods)-1)/12 // at most about twelve labels fit
	for i, p := range c.Periods {
		x := num(c.x(i))
		w(`<g class="tick" data-period="%s"><line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s"/>`, esc(p), x, x, num(plotBottom), num(plotBottom+5), inkColour)
		if i%every == 0 || i == len(c.Periods)-1 {
			w(`<text x="%s" y="%s" text-anchor="middle" fill="%s">%s</text>`, x, num(axisLabelY), inkColour, esc(p))
		}
		w(`</g>`)
	}
	w(`</g>`)

	for i, s := range c.Series {
		c.drawSeries(&b, sc, i, s)
	}

	w(`<g class="legend">`)
	for i, s := range c.Series {
		col, row := i%legendCols, i/legendCols
		x := plotLeft + float64(col)*(plotRight-plotLeft)/legendCols
		y := legendTop + float64(row)*legendRow
		w(`<g class="key" data-series="%s"><line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="3"%s/>`,
			esc(s.Name), num(x), num(x+28), num(y-4), num(y-4), Palette[i], dashAttr(i))
		marker(&b, i, x+14, y-4, Palette[i], Palette[i])
		w(`<text x="%s" y="%s" fill="%s">%s</text></g>`, num(x+36), num(y), inkColour, esc(s.Name))
	}
	w(`</g></svg>`)
	return b.Bytes()
}

func (c *Chart) hasHidden() bool {
	for _, s := range c.Series {
		for _, p := range s.Points {
			if p.Hidden {
				return true
			}
		}
	}
	return false
}

// description is Desc followed by how to read the chart.
func (c *Chart) description() string {
	d := strings.TrimSpace(c.Desc)
	if d != "" && !strings.HasSuffix(d, ".") {
		d += "."
	}
	parts := []string{d, fmt.Sprintf("Line chart of %d series over %d periods, %s to %s; the table with the chart gives every value.",
		len(c.Series), len(c.Periods), c.Periods[0], c.Periods[len(c.Periods)-1])}
	if c.hasHidden() {
		parts = append(parts, fmt.Sprintf("Values below %d are withheld and shown as %s, as hollow markers in the shaded band, with the line broken around them.", c.Threshold, c.HiddenLabel))
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

func dashAttr(i int) string {
	if d := dashes[i%len(dashes)]; d != "" {
		return ` stroke-dasharray="` + d + `"`
	}
	return ""
}

// drawSeries draws one line, broken at hidden and missing points, and a
// marker with a <title> at every point that has one.
func (c *Chart) drawSeries(b *bytes.Buffer, sc scale, i int, s Series) {
	colour := Palette[i]
	fmt.Fprintf(b, `<g class="series" data-series="%s">`, esc(s.Name))
	var path strings.Builder
	pen := false
	for j, p := range s.Points {
		if p.Hidden || p.Missing {
			pen = false
			continue
		}
		cmd := "L"
		if !pen {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%s %s ", cmd, num(c.x(j)), num(sc.y(float64(p.Value))))
		pen = true
	}
	if d := strings.TrimSpace(path.String()); d != "" {
		fmt.Fprintf(b, `<path d="%s" fill="none" stroke="%s" stroke-width="2.5" stroke-linejoin="round"%s/>`, d, colour, dashAttr(i))
	}
	for j, p := range s.Points {
		switch {
		case p.Missing:
			continue
		case p.Hidden:
			// In the middle of the band: the marker says "somewhere
			// below the threshold", which the label says too.
			y := sc.y(float64(c.Threshold) / 2)
			fmt.Fprintf(b, `<g class="point hidden" data-period="%s" data-value="%s"><title>%s, %s: %s %s (withheld: fewer than %d)</title>`,
				esc(c.Periods[j]), esc(c.HiddenLabel), esc(s.Name), esc(c.Periods[j]), esc(c.HiddenLabel), esc(c.Unit), c.Threshold)
			marker(b, i, c.x(j), y, colour, background)
			b.WriteString(`</g>`)
		default:
			fmt.Fprintf(b, `<g class="point" data-period="%s" data-value="%d"><title>%s, %s: %d %s</title>`,
				esc(c.Periods[j]), p.Value, esc(s.Name), esc(c.Periods[j]), p.Value, esc(c.Unit))
			marker(b, i, c.x(j), sc.y(float64(p.Value)), colour, colour)
			b.WriteString(`</g>`)
		}
	}
	b.WriteString(`</g>`)
}

// marker draws series i's marker shape centred on (x, y): circle, square,
// diamond or triangle in turn, so series differ by more than colour.
func marker(b *bytes.Buffer, i int, x, y float64, stroke, fill string) {
	r := markerR
	switch i % 4 {
	case 0:
		fmt.Fprintf(b, `<circle class="marker" cx="%s" cy="%s" r="%s" fill="%s" stroke="%s" stroke-width="2"/>`, num(x), num(y), num(r), fill, stroke)
	case 1:
		fmt.Fprintf(b, `<rect class="marker" x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="%s" stroke-width="2" data-cx="%s" data-cy="%s"/>`,
			num(x-r), num(y-r), num(2*r), num(2*r), fill, stroke, num(x), num(y))
	case 2:
		fmt.Fprintf(b, `<polygon class="marker" points="%s,%s %s,%s %s,%s %s,%s" fill="%s" stroke="%s" stroke-width="2" data-cx="%s" data-cy="%s"/>`,
			num(x), num(y-r-1), num(x+r+1), num(y), num(x), num(y+r+1), num(x-r-1), num(y), fill, stroke, num(x), num(y))
	default:
		fmt.Fprintf(b, `<polygon class="marker" points="%s,%s %s,%s %s,%s" fill="%s" stroke="%s" stroke-width="2" data-cx="%s" data-cy="%s"/>`,
			num(x), num(y-r-1), num(x+r+1), num(y+r), num(x-r-1), num(y+r), fill, stroke, num(x), num(y))
	}
}
