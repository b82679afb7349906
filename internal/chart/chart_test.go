package chart

import (
	"bytes"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"testing"
)

// node is a parsed XML element, enough to walk an SVG.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) hasClass(c string) bool {
	for _, f := range strings.Fields(n.attr("class")) {
		if f == c {
			return true
		}
	}
	return false
}

// walk calls f on n and every element under it, depth first.
func (n node) walk(f func(node)) {
	f(n)
	for _, c := range n.Children {
		c.walk(f)
	}
}

func (n node) child(local string) (node, bool) {
	for _, c := range n.Children {
		if c.XMLName.Local == local {
			return c, true
		}
	}
	return node{}, false
}

func parseSVG(t *testing.T, data []byte) node {
	t.Helper()
	var root node
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatalf("SVG does not parse: %v\n%s", err, data)
	}
	if root.XMLName.Local != "svg" || root.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root is %v, want svg in the SVG namespace", root.XMLName)
	}
	return root
}

// plotted is what a reader of the SVG recovers: per series and period,
// the value read back from the marker's position on the y axis, or the
// label of a hidden point.
type plotted struct {
	values map[string]map[string]float64
	hidden map[string]map[string]string
	bandTo float64 // y of the top of the hidden band, 0 when none
}

// readChart maps every point's marker back to a value through the y-axis
// ticks: the way a person reads a chart, so it proves the drawing, not
// the data-value attributes.
func readChart(t *testing.T, root node) plotted {
	t.Helper()
	type tick struct{ v, y float64 }
	var ticks []tick
	out := plotted{values: map[string]map[string]float64{}, hidden: map[string]map[string]string{}}
	root.walk(func(n node) {
		if n.hasClass("axis-y") {
			for _, g := range n.Children {
				if !g.hasClass("tick") {
					continue
				}
				line, _ := g.child("line")
				text, _ := g.child("text")
				v, err := strconv.ParseFloat(text.Text, 64)
				if err != nil {
					t.Fatalf("tick label %q: %v", text.Text, err)
				}
				y, _ := strconv.ParseFloat(line.attr("y1"), 64)
				ticks = append(ticks, tick{v, y})
			}
		}
		if n.hasClass("hidden-band") {
			r, _ := n.child("rect")
			out.bandTo, _ = strconv.ParseFloat(r.attr("y"), 64)
		}
	})
	if len(ticks) < 2 {
		t.Fatalf("%d y ticks, want at least 2", len(ticks))
	}
	a, b := ticks[0], ticks[len(ticks)-1]
	value := func(y float64) float64 { return a.v + (y-a.y)*(b.v-a.v)/(b.y-a.y) }
	root.walk(func(n node) {
		if !n.hasClass("series") {
			return
		}
		name := n.attr("data-series")
		for _, g := range n.Children {
			if !g.hasClass("point") {
				continue
			}
			period := g.attr("data-period")
			var m node
			for _, c := range g.Children {
				if c.hasClass("marker") {
					m = c
				}
			}
			cy := m.attr("cy")
			if cy == "" {
				cy = m.attr("data-cy")
			}
			y, err := strconv.ParseFloat(cy, 64)
			if err != nil {
				t.Fatalf("%s %s: marker centre %q", name, period, cy)
			}
			if g.hasClass("hidden") {
				if out.hidden[name] == nil {
					out.hidden[name] = map[string]string{}
				}
				title, _ := g.child("title")
				out.hidden[name][period] = title.Text
				if out.bandTo == 0 || y < out.bandTo {
					t.Errorf("%s %s: hidden marker at y %v is outside the band (top %v)", name, period, y, out.bandTo)
				}
				continue
			}
			if out.values[name] == nil {
				out.values[name] = map[string]float64{}
			}
			out.values[name][period] = value(y)
		}
	})
	return out
}

func sample() Chart {
	return Chart{
		ID:          "cit<1>",
		Title:       "Citations by school",
		Desc:        "Citations issued by SROs at each school, by quarter",
		Unit:        "citations",
		Periods:     []string{"2025 Q1", "2025 Q2", "2025 Q3"},
		HiddenLabel: "<10",
		Threshold:   10,
		Series: []Series{
			{Name: "Denfeld High", Points: []Point{{Value: 14}, {Value: 3, Hidden: true}, {Value: 22}}},
			{Name: "East High & Co", Points: []Point{{Value: 41}, {Value: 12}, {Missing: true}}},
			{Name: "Lincoln Park Middle", Points: []Point{{Value: 10}, {Value: 0}, {Value: 57}}},
		},
	}
}

func TestSVGPointsMapToNumbers(t *testing.T) {
	c, err := New(sample())
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, c.SVG())
	got := readChart(t, root)
	want := map[string]map[string]float64{
		"Denfeld High":        {"2025 Q1": 14, "2025 Q3": 22},
		"East High & Co":      {"2025 Q1": 41, "2025 Q2": 12},
		"Lincoln Park Middle": {"2025 Q1": 10, "2025 Q2": 0, "2025 Q3": 57},
	}
	for s, ps := range want {
		for p, v := range ps {
			g, ok := got.values[s][p]
			if !ok {
				t.Errorf("%s %s: no marker, want %v", s, p, v)
				continue
			}
			if math.Abs(g-v) > 0.1 {
				t.Errorf("%s %s: marker reads %.2f, want %v", s, p, g, v)
			}
		}
		if len(got.values[s]) != len(ps) {
			t.Errorf("%s: markers %v, want %v", s, got.values[s], ps)
		}
	}
	if title := got.hidden["Denfeld High"]["2025 Q2"]; !strings.Contains(title, "<10") {
		t.Errorf("hidden point title %q, want it to say <10", title)
	}
	if _, ok := got.values["East High & Co"]["2025 Q3"]; ok {
		t.Error("a missing value has a marker")
	}
}

func TestSVGHidesSuppressedValue(t *testing.T) {
	c := sample()
	// A distinctive hidden value that appears nowhere else.
	c.Series[1].Points[1] = Point{Value: 7, Hidden: true}
	ch, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	svg := ch.SVG()
	root := parseSVG(t, svg)
	root.walk(func(n node) {
		if n.hasClass("point") && n.attr("data-period") == "2025 Q2" && strings.Contains(n.attr("data-value"), "7") {
			t.Errorf("hidden value 7 leaks in data-value %q", n.attr("data-value"))
		}
		if n.XMLName.Local == "title" && strings.Contains(n.Text, ": 7") {
			t.Errorf("hidden value 7 leaks in title %q", n.Text)
		}
	})
	// Both hidden points are drawn at the same height: position says
	// nothing about the value.
	var ys []string
	root.walk(func(n node) {
		if n.hasClass("hidden") && n.hasClass("point") {
			for _, m := range n.Children {
				if m.hasClass("marker") {
					y := m.attr("cy")
					if y == "" {
						y = m.attr("data-cy")
					}
					ys = append(ys, y)
				}
			}
		}
	})
	if len(ys) != 2 || ys[0] != ys[1] {
		t.Errorf("hidden markers at y %v, want two at the same height", ys)
	}
	// No y tick lies inside the band, so a hidden marker never sits on a
	// labelled value.
	root.walk(func(n node) {
		if n.hasClass("tick") && n.attr("data-value") != "" {
			if v, _ := strconv.Atoi(n.attr("data-value")); v > 0 && v < 10 {
				t.Errorf("tick %d inside the hidden band", v)
			}
		}
	})
	// The line breaks at hidden points: East High's path has one segment
	// per run of shown values, and Denfeld's path does not pass Q2.
	root.walk(func(n node) {
		if n.hasClass("series") && n.attr("data-series") == "Denfeld High" {
			p, _ := n.child("path")
			if strings.Count(p.attr("d"), "M") != 2 || strings.Contains(p.attr("d"), "L") {
				t.Errorf("Denfeld's path %q, want two separate points (broken at the hidden Q2)", p.attr("d"))
			}
		}
	})
}

func TestSVGAccessible(t *testing.T) {
	c, err := New(sample())
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, c.SVG())
	if root.attr("role") != "img" {
		t.Errorf("role %q, want img", root.attr("role"))
	}
	ids := strings.Fields(root.attr("aria-labelledby"))
	if len(ids) != 2 {
		t.Fatalf("aria-labelledby %q, want title and desc ids", root.attr("aria-labelledby"))
	}
	title, _ := root.child("title")
	desc, _ := root.child("desc")
	if title.attr("id") != ids[0] || desc.attr("id") != ids[1] {
		t.Errorf("aria-labelledby %v does not name title %q and desc %q", ids, title.attr("id"), desc.attr("id"))
	}
	if title.attr("id") != "cit1-title" {
		t.Errorf("title id %q, want the cleaned id cit1-title", title.attr("id"))
	}
	if title.Text != "Citations by school" || !strings.Contains(desc.Text, "shown as <10") {
		t.Errorf("title %q, desc %q", title.Text, desc.Text)
	}
	var legend []string
	root.walk(func(n node) {
		if n.hasClass("key") {
			legend = append(legend, n.attr("data-series"))
		}
	})
	if strings.Join(legend, "|") != "Denfeld High|East High & Co|Lincoln Park Middle" {
		t.Errorf("legend %q", legend)
	}
}

func TestSVGDeterministic(t *testing.T) {
	a, _ := New(sample())
	b, _ := New(sample())
	if !bytes.Equal(a.SVG(), b.SVG()) {
		t.Error("the same chart drew different bytes")
	}
}

func TestRows(t *testing.T) {
	c, err := New(sample())
	if err != nil {
		t.Fatal(err)
	}
	rows := c.Rows()
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = r.Name + ": " + strings.Join(r.Cells, " ")
	}
	want := []string{"Denfeld High: 14 <10 22", "East High & Co: 41 12 —", "Lincoln Park Middle: 10 0 57"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestYScale(t *testing.T) {
	for _, tc := range []struct {
		most, threshold int
		top, step       int
	}{
		{0, 0, 1, 1},
		{3, 0, 3, 1},
		{5, 0, 5, 1},
		{6, 0, 6, 2},
		{14, 10, 15, 5},
		{57, 10, 60, 20},
		{250, 0, 250, 50},
		{999, 0, 1000, 200},
	} {
		c := &Chart{Threshold: tc.threshold, Series: []Series{{Points: []Point{{Value: tc.most}}}}}
		sc := c.yScale()
		if sc.top != tc.top || sc.step != tc.step {
			t.Errorf("max %d threshold %d: top %d step %d, want %d %d", tc.most, tc.threshold, sc.top, sc.step, tc.top, tc.step)
		}
		if sc.top/sc.step > 6 {
			t.Errorf("max %d: %d ticks above zero", tc.most, sc.top/sc.step)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	ok := sample()
	for _, tc := range []struct {
		name string
		mod  func(*Chart)
	}{
		{"NoPeriods", func(c *Chart) { c.Periods = nil }},
		{"TooManyPeriods", func(c *Chart) { c.Periods = make([]string, MaxPeriods+1) }},
		{"NoSeries", func(c *Chart) { c.Series = nil }},
		{"TooManySeries", func(c *Chart) { c.Series = make([]Series, MaxSeries+1) }},
		{"ShortSeries", func(c *Chart) { c.Series = []Series{{Name: "x", Points: []Point{{Value: 1}}}} }},
		{"Negative", func(c *Chart) {
			c.Series = []Series{{Name: "x", Points: []Point{{Value: -1}, {Value: 1}, {Value: 1}}}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			c.Series = append([]Series(nil), ok.Series...)
			tc.mod(&c)
			if _, err := New(c); err == nil {
				t.Error("accepted")
			}
		})
	}
}

// TestPaletteContrast holds every series colour to WCAG AA for text
// (4.5:1) against the chart's white background, so lines and markers are
// as legible as the labels.
func TestPaletteContrast(t *testing.T) {
	for i, c := range Palette {
		if r := contrast(c, background); r < 4.5 {
			t.Errorf("palette[%d] %s: %.2f:1 against %s, want at least 4.5:1", i, c, r, background)
		}
	}
	for _, c := range []string{inkColour, mutedColour} {
		if r := contrast(c, bandColour); r < 4.5 {
			t.Errorf("text colour %s: %.2f:1 on the hidden band, want 4.5:1", c, r)
		}
	}
	if r := contrast(gridColour, background); r > 2 {
		t.Logf("grid lines at %.2f:1 (decoration)", r)
	}
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	ch := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(v>>16&0xff) + 0.7152*ch(v>>8&0xff) + 0.0722*ch(v&0xff)
}
