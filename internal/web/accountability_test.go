package web_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/testtool"
	"github.com/moudesk/moudesk/internal/web"
)

// TestSeedDuluthAccountability replays 003's asks after execution:
// "publicly share discipline and citation data" and "training that is
// scheduled or completed", reviewed quarterly. The Police Department
// submits citation data by school, month and student group for two
// quarters, the second after its due day, and its training records; the
// public accountability page shows the late quarter as late, draws the
// submitted numbers in its SVG charts and tables (read back by parsing
// them), and shows a count of 3 as "<10" there, in the CSV download and
// in the JSON.
func TestSeedDuluthAccountability(t *testing.T) {
	clock := &shiftClock{}
	e, id := executedDuluth(t, clock.Now)
	training := submitDuluthReports(t, e, id, clock)

	page := string(e.fetch("", fmt.Sprintf("/public/mous/%d/accountability", id)))
	record := string(e.fetch("", fmt.Sprintf("/public/mous/%d", id)))
	if !strings.Contains(record, fmt.Sprintf(`href="/public/mous/%d/accountability"`, id)) {
		t.Error("the public record page does not link its accountability page")
	}

	// Late quarters are shown late: the one submitted after its due day,
	// and those never submitted, whose due day passed.
	rowOf := func(label string) string {
		t.Helper()
		re := regexp.MustCompile(`(?s)<tr( class="is-late")?>\s*<td data-label="Period">` + regexp.QuoteMeta(label) + ` .*?</tr>`)
		rows := re.FindAllString(page, -1)
		if len(rows) == 0 {
			t.Fatalf("no schedule row for %s", label)
		}
		return rows[0]
	}
	if r := rowOf("2022-Q3"); strings.Contains(r, "is-late") || !strings.Contains(r, "Met") {
		t.Errorf("2022-Q3, on time, shows as %s", r)
	}
	if r := rowOf("2022-Q4"); !strings.Contains(r, `class="is-late"`) || !strings.Contains(r, "Submitted late") {
		t.Errorf("2022-Q4, submitted late, shows as %s", r)
	}
	if r := rowOf("2023-Q1"); !strings.Contains(r, `class="is-late"`) || !strings.Contains(r, ">Late<") {
		t.Errorf("2023-Q1, never submitted, shows as %s", r)
	}
	if !strings.Contains(page, "any count below 10 (including zero) is shown as “&lt;10”") {
		t.Error("the page does not state the suppression rule")
	}
	// Training records are published.
	for _, want := range []string{"Officer Lindqvist", "Trauma-informed practice", training.What} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks training record %q", want)
		}
	}

	// The charts and the tables beside them show the submitted numbers.
	figs := figuresOf(t, page)
	den, ok := figs["Citations issued — Denfeld High School"]
	if !ok {
		t.Fatalf("no Denfeld citations chart among %d: %v", len(figs), keys(figs))
	}
	wantShown := map[string]map[string]float64{
		"Black": {"2022-08": 12, "2022-10": 16, "2022-11": 10, "2022-12": 13},
		"White": {"2022-08": 15, "2022-09": 18, "2022-10": 19, "2022-11": 22, "2022-12": 17},
	}
	for line, byMonth := range wantShown {
		for month, v := range byMonth {
			if got, ok := den.points[line][month]; !ok || math.Abs(got-v) > 0.1 {
				t.Errorf("Denfeld chart, %s %s: reads %v (drawn %v), want %v", line, month, got, ok, v)
			}
			if cell := den.table[line][month]; cell != strconv.Itoa(int(v)) {
				t.Errorf("Denfeld table, %s %s = %q, want %v", line, month, cell, v)
			}
		}
	}
	if den.hidden["Black"]["2022-09"] == "" || den.table["Black"]["2022-09"] != "<10" {
		t.Errorf("Denfeld, Black, 2022-09 (3 citations): chart %q, table %q; want both <10", den.hidden["Black"]["2022-09"], den.table["Black"]["2022-09"])
	}
	if _, drawn := den.points["Black"]["2022-09"]; drawn {
		t.Error("the count of 3 is drawn at its value")
	}
	if strings.Contains(den.raw, ": 3 ") || strings.Contains(den.raw, `data-value="3"`) || strings.Contains(den.raw, ">3<") {
		t.Error("the Denfeld figure shows the count of 3 somewhere")
	}
	if east := figs["Citations issued — East High School"]; east.table["White"]["2022-10"] != "31" || east.table["Black"]["2022-11"] != "—" {
		t.Errorf("East table %v", east.table)
	}
	if arrests := figs["Arrests — East High School"]; arrests.table["White"]["2022-08"] != "<10" {
		t.Errorf("East arrests table %v: every arrest count is below 10", arrests.table)
	}

	// The CSV download withholds the 3 as well; its other counts are as
	// submitted.
	rid := regexp.MustCompile(`<span id="report-(\d+)"><a href="/public/reports/(\d+)">CSV`).FindAllStringSubmatch(page, -1)
	if len(rid) != 3 {
		t.Fatalf("%d CSV links, want 3 (two quarters, training)", len(rid))
	}
	q3 := regexp.MustCompile(`href="(/public/reports/\d+)"`).FindStringSubmatch(rowOf("2022-Q3"))
	if q3 == nil {
		t.Fatal("2022-Q3 has no CSV link")
	}
	csv := string(e.fetch("", q3[1]))
	if !strings.Contains(csv, "Denfeld High School,2022-09,Black,<10,<10") || !strings.Contains(csv, "East High School,2022-09,White,26,<10") {
		t.Errorf("public CSV:\n%s", csv)
	}
	if status, _, _ := httpGet(t, e.url, "", "/public/reports/987654"); status != http.StatusNotFound {
		t.Errorf("an unknown report = %d, want 404", status)
	}

	// The JSON has the same withheld counts, and no raw table.
	var js struct {
		Accountability struct {
			Obligations []struct {
				Key  string `json:"key"`
				Data *struct {
					Rows [][]string `json:"rows"`
				} `json:"data"`
				Dues []struct {
					Label  string          `json:"label"`
					Report json.RawMessage `json:"report"`
				} `json:"dues"`
			} `json:"obligations"`
		} `json:"accountability"`
	}
	raw := e.fetch("", fmt.Sprintf("/api/v1/public/mous/%d/accountability", id))
	if err := json.Unmarshal(raw, &js); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range js.Accountability.Obligations {
		if o.Key != "citation-data" {
			continue
		}
		for _, r := range o.Data.Rows {
			if strings.Join(r, ",") == "Denfeld High School,2022-09,Black,<10,<10" {
				found = true
			}
			if r[3] == "3" {
				t.Errorf("JSON publishes a 3: %v", r)
			}
		}
		for _, d := range o.Dues {
			if strings.Contains(string(d.Report), `"table"`) {
				t.Errorf("JSON due %s carries the raw table", d.Label)
			}
		}
	}
	if !found {
		t.Errorf("JSON lacks the withheld row: %s", raw)
	}

	// The Atom feed has an entry per report, newest first.
	var feed struct {
		ID      string `xml:"http://www.w3.org/2005/Atom id"`
		Entries []struct {
			ID      string `xml:"http://www.w3.org/2005/Atom id"`
			Title   string `xml:"http://www.w3.org/2005/Atom title"`
			Updated string `xml:"http://www.w3.org/2005/Atom updated"`
		} `xml:"http://www.w3.org/2005/Atom entry"`
	}
	if err := xml.Unmarshal(e.fetch("", fmt.Sprintf("/public/mous/%d/reports.atom", id)), &feed); err != nil {
		t.Fatal(err)
	}
	if len(feed.Entries) != 3 || !strings.Contains(feed.Entries[0].Title, training.What) || !strings.Contains(feed.Entries[2].Title, "2022-Q3") {
		t.Errorf("feed entries %+v", feed.Entries)
	}
	if !strings.HasPrefix(feed.ID, "tag:moudesk.example.org,") || feed.Entries[1].Updated != "2023-02-17T15:00:00Z" {
		t.Errorf("feed id %q, entries %+v", feed.ID, feed.Entries)
	}
}

// submitDuluthReports has the Duluth Police Department submit, through
// the API, citation data for 2022-Q3 on time and for 2022-Q4 after its due
// day, and its first service year's training records, on executed MOU id;
// clock sets the store's time for each submission (nil: real time again).
// It returns the training obligation.
func submitDuluthReports(t *testing.T, e *seedEnv, id int64, clock *shiftClock) *desk.Obligation {
	t.Helper()
	city := e.parties["city"]
	var list struct {
		Obligations []desk.Obligation `json:"obligations"`
	}
	e.call(city.drafter, "GET", fmt.Sprintf("/api/v1/mous/%d/obligations", id), nil, http.StatusOK, &list)
	var cit, training *desk.Obligation
	for i := range list.Obligations {
		switch list.Obligations[i].Key {
		case "citation-data":
			cit = &list.Obligations[i]
		case "training-records":
			training = &list.Obligations[i]
		}
	}
	if cit == nil || training == nil || len(cit.Dues) < 4 || cit.Dues[0].Label != "2022-Q3" || cit.Dues[1].Label != "2022-Q4" {
		t.Fatalf("obligations %+v", list.Obligations)
	}
	submit := func(at string, ob *desk.Obligation, due int, csv string) {
		t.Helper()
		when, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(&when)
		defer clock.Set(nil)
		req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/mous/%d/obligations/%d/reports?due=%d&filename=data.csv", e.url, id, ob.ID, due), strings.NewReader(csv))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+city.drafter)
		req.Header.Set("Content-Type", "text/csv")
		if res, body := testtool.Do(t, http.DefaultClient, req); res.StatusCode != http.StatusCreated {
			t.Fatalf("submit %s due %d = %d: %s", ob.Key, due, res.StatusCode, body)
		}
	}
	header := "school,month,student_group,citations,arrests\n"
	// 2022-Q3 is due 30 October 2022: on time. Denfeld's September count
	// of Black students' citations is 3.
	submit("2022-10-14T15:00:00Z", cit, cit.Dues[0].Seq, header+
		"Denfeld High School,2022-08,Black,12,1\n"+
		"Denfeld High School,2022-08,White,15,2\n"+
		"Denfeld High School,2022-09,Black,3,0\n"+
		"Denfeld High School,2022-09,White,18,1\n"+
		"East High School,2022-08,Black,11,0\n"+
		"East High School,2022-08,White,21,3\n"+
		"East High School,2022-09,Black,14,1\n"+
		"East High School,2022-09,White,26,2\n")
	// 2022-Q4 is due 30 January 2023; it came in on 17 February.
	submit("2023-02-17T15:00:00Z", cit, cit.Dues[1].Seq, header+
		"Denfeld High School,2022-10,Black,16,1\n"+
		"Denfeld High School,2022-10,White,19,0\n"+
		"Denfeld High School,2022-11,Black,10,0\n"+
		"Denfeld High School,2022-11,White,22,2\n"+
		"Denfeld High School,2022-12,Black,13,1\n"+
		"Denfeld High School,2022-12,White,17,1\n"+
		"East High School,2022-10,Black,20,2\n"+
		"East High School,2022-10,White,31,1\n")
	td := training.Dues[0]
	submit(td.End+"T12:00:00Z", training, td.Seq, "officer,topic,date,hours\n"+
		"Officer Lindqvist,Implicit bias,"+td.Start+",8\n"+
		"Officer Lindqvist,Trauma-informed practice,"+td.End+",4\n")
	return training
}

// shiftClock is the store's clock in the replays: real time, or a set
// time while an event of the past is replayed. The server reads it from
// its own goroutines, hence the atomic.
type shiftClock struct{ at atomic.Pointer[time.Time] }

func (c *shiftClock) Set(t *time.Time) { c.at.Store(t) }

func (c *shiftClock) Now() time.Time {
	if t := c.at.Load(); t != nil {
		return *t
	}
	return time.Now()
}

// figure is one chart of the page, read back: the value each marker's
// position on the y axis gives, the hidden points' titles, and the table
// beside it, by line and period.
type figure struct {
	points map[string]map[string]float64
	hidden map[string]map[string]string
	table  map[string]map[string]string
	raw    string
}

type xnode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xnode    `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n xnode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n xnode) class(c string) bool { return strings.Contains(" "+n.attr("class")+" ", " "+c+" ") }

func (n xnode) walk(f func(xnode)) {
	f(n)
	for _, c := range n.Children {
		c.walk(f)
	}
}

func (n xnode) text() string {
	var b strings.Builder
	n.walk(func(m xnode) { b.WriteString(m.Text) })
	return strings.TrimSpace(b.String())
}

// figuresOf parses every chart figure of the page (an inline SVG and a
// table, both well-formed XML) by the chart's title.
func figuresOf(t *testing.T, page string) map[string]figure {
	t.Helper()
	out := map[string]figure{}
	for _, raw := range regexp.MustCompile(`(?s)<figure class="chart-figure">.*?</figure>`).FindAllString(page, -1) {
		var root xnode
		if err := xml.Unmarshal([]byte(raw), &root); err != nil {
			t.Fatalf("chart figure does not parse: %v\n%s", err, raw)
		}
		f := figure{points: map[string]map[string]float64{}, hidden: map[string]map[string]string{}, table: map[string]map[string]string{}, raw: raw}
		var title string
		type tick struct{ v, y float64 }
		var ticks []tick
		root.walk(func(n xnode) {
			switch {
			case n.XMLName.Local == "svg":
				if n.attr("role") != "img" || n.attr("aria-labelledby") == "" {
					t.Errorf("svg without role=img and aria-labelledby: %v", n.Attrs)
				}
				for _, c := range n.Children {
					if c.XMLName.Local == "title" {
						title = c.Text
					}
				}
			case n.class("axis-y"):
				for _, g := range n.Children {
					if !g.class("tick") {
						continue
					}
					v, _ := strconv.ParseFloat(g.attr("data-value"), 64)
					y, _ := strconv.ParseFloat(g.Children[0].attr("y1"), 64)
					ticks = append(ticks, tick{v, y})
				}
			}
		})
		if len(ticks) < 2 {
			t.Fatalf("chart %q has %d y ticks", title, len(ticks))
		}
		a, b := ticks[0], ticks[len(ticks)-1]
		root.walk(func(n xnode) {
			if n.class("series") {
				line := n.attr("data-series")
				f.points[line], f.hidden[line] = map[string]float64{}, map[string]string{}
				for _, g := range n.Children {
					if !g.class("point") {
						continue
					}
					var cy string
					var tt string
					for _, c := range g.Children {
						if c.class("marker") {
							if cy = c.attr("cy"); cy == "" {
								cy = c.attr("data-cy")
							}
						}
						if c.XMLName.Local == "title" {
							tt = c.Text
						}
					}
					if g.class("hidden") {
						f.hidden[line][g.attr("data-period")] = tt
						continue
					}
					y, _ := strconv.ParseFloat(cy, 64)
					f.points[line][g.attr("data-period")] = a.v + (y-a.y)*(b.v-a.v)/(b.y-a.y)
				}
			}
			if n.XMLName.Local == "table" {
				var periods []string
				n.walk(func(m xnode) {
					if m.XMLName.Local == "thead" {
						m.walk(func(th xnode) {
							if th.XMLName.Local == "th" && th.class("num") {
								periods = append(periods, th.text())
							}
						})
					}
					if m.XMLName.Local == "tr" && len(m.Children) > 0 && m.Children[0].XMLName.Local == "th" && m.Children[0].attr("scope") == "row" {
						line := m.Children[0].text()
						f.table[line] = map[string]string{}
						for i, td := range m.Children[1:] {
							if i < len(periods) {
								f.table[line][periods[i]] = td.text()
							}
						}
					}
				})
			}
		})
		out[title] = f
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestBrowserAccountability opens Duluth's public accountability page with
// its reports in a real browser at 375 and 1280 px, with JavaScript on and
// off: no console error, no sideways scroll, AA contrast, and the charts
// and their tables there without script.
func TestBrowserAccountability(t *testing.T) {
	clock := &shiftClock{}
	e, id := executedDuluth(t, clock.Now)
	submitDuluthReports(t, e, id, clock)
	web.CheckPublicPages(t, e.url, map[string]string{
		"accountability": fmt.Sprintf("/public/mous/%d/accountability", id),
		"public-mou":     fmt.Sprintf("/public/mous/%d", id),
	}, "main")
}
