package desk

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/atom"
	"github.com/moudesk/moudesk/internal/chart"
	"github.com/moudesk/moudesk/internal/obligation"
	"github.com/moudesk/moudesk/internal/publish"
	"github.com/moudesk/moudesk/internal/suppress"
)

// The public accountability page of an executed MOU: what it obliges each
// party to do, whether they did it, the data they published, and what the
// monitoring body said. Everything here is for anyone, so every count of
// a dataset passes through the small-number rule before it leaves: the
// tables, the charts, the JSON and the CSV downloads alike.

// Accountability is an executed MOU's accountability record.
type Accountability struct {
	MOU         *PublicMOU              `json:"mou"`
	AsOf        time.Time               `json:"as_of"`
	Suppression string                  `json:"suppression"` // the rule, in a sentence
	Hidden      string                  `json:"hidden_label"`
	Late        int                     `json:"late"` // dues late now, over every obligation
	Obligations []AccountableObligation `json:"obligations"`
	Monitoring  []MonitoringMeeting     `json:"monitoring"`
	Feed        []ReportEntry           `json:"-"` // newest first, for the Atom feed
	byID        map[int64]*AccountableObligation
}

// AccountableObligation is one obligation as the public sees it. Data is
// its datasets' rows over every period, suppressed, with charts.
type AccountableObligation struct {
	ID        int64              `json:"id"`
	Key       string             `json:"key"`
	What      string             `json:"what"`
	PartyName string             `json:"party"`
	Every     string             `json:"every"`
	By        string             `json:"by"`
	Evidence  string             `json:"evidence"`
	Dataset   string             `json:"dataset,omitempty"`
	State     string             `json:"state"`
	Late      int                `json:"late"`
	Dues      []AccountableDue   `json:"dues"`
	Data      *publish.Published `json:"data,omitempty"`
	Status    *StatusUpdate      `json:"latest_status,omitempty"` // the monitoring body's latest
	Charts    []AccountableChart `json:"-"`
}

// AccountableDue is one period of an obligation.
type AccountableDue struct {
	Label         string        `json:"label"`
	Start         string        `json:"start"`
	End           string        `json:"end"`
	DueOn         string        `json:"due_on"`
	State         string        `json:"state"`
	SubmittedLate bool          `json:"submitted_late,omitempty"`
	Waived        string        `json:"waived,omitempty"`
	Report        *PublicReport `json:"report,omitempty"` // the version in force, without its table
	Versions      int           `json:"versions"`
}

// ShownLate reports whether the due is shown as late: late now, or met by
// evidence that came after the due day.
func (d AccountableDue) ShownLate() bool {
	return d.State == obligation.StateLate || d.SubmittedLate
}

// AccountableChart is a chart with its SVG drawn and its rows, for a page
// to place side by side.
type AccountableChart struct {
	*chart.Chart
	SVG  string
	Rows []chart.Row
}

// MonitoringMeeting is a monitoring body's meeting on the agreement.
type MonitoringMeeting struct {
	ID         int64              `json:"id"`
	Date       string             `json:"date"`
	Body       string             `json:"body"`
	Outcome    string             `json:"outcome,omitempty"`
	Resolution string             `json:"resolution,omitempty"`
	Amendment  *int64             `json:"amendment,omitempty"`
	Updates    []MonitoringStatus `json:"status_updates"`
}

// MonitoringStatus is a status update with what its obligation is.
type MonitoringStatus struct {
	Obligation int64  `json:"obligation"`
	What       string `json:"what"`
	Status     string `json:"status"`
	Note       string `json:"note,omitempty"`
}

// ReportEntry is one report version, for the Atom feed.
type ReportEntry struct {
	ReportID    int64
	Obligation  string
	Period      string
	Version     int
	Reason      string
	Kind        string
	PartyName   string
	SubmittedAt time.Time
}

// PublicAccountability reads executed MOU id's accountability record for
// anyone (404 for anything not executed), with counts below rule's
// threshold withheld. States are as of the service's clock.
func (s *Service) PublicAccountability(ctx context.Context, id int64, rule suppress.Rule) (*Accountability, error) {
	pm, _, err := s.PublicExecuted(ctx, id)
	if err != nil {
		return nil, err
	}
	obs, err := s.PublicObligations(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &Accountability{MOU: pm, AsOf: s.now().UTC(), Suppression: rule.Text(), Hidden: rule.Label(),
		Obligations: []AccountableObligation{}, Monitoring: []MonitoringMeeting{}, byID: map[int64]*AccountableObligation{}}
	for _, o := range obs {
		ao := AccountableObligation{ID: o.ID, Key: o.Key, What: o.What, PartyName: o.PartyName, Every: o.Every, By: o.By,
			Evidence: o.Evidence, Dataset: o.Dataset, State: o.State, Late: o.Late, Dues: []AccountableDue{}}
		out.Late += o.Late
		var rows [][]string
		for _, d := range o.Dues {
			ad := AccountableDue{Label: d.Label, Start: d.Start, End: d.End, DueOn: d.DueOn, State: d.State,
				SubmittedLate: d.SubmittedLate, Waived: d.Waived, Versions: len(d.Versions)}
			if d.Current != nil {
				cur := *d.Current
				if cur.Table != nil {
					rows = append(rows, cur.Table.Rows...)
				}
				cur.Table = nil // raw counts never leave; Data has them suppressed
				ad.Report = &cur
			}
			for _, v := range d.Versions {
				out.Feed = append(out.Feed, ReportEntry{ReportID: v.ID, Obligation: o.What, Period: d.Label, Version: v.Version,
					Reason: v.Reason, Kind: v.Kind, PartyName: o.PartyName, SubmittedAt: v.SubmittedAt})
			}
			ao.Dues = append(ao.Dues, ad)
		}
		if o.Schema != nil && len(rows) > 0 {
			ds := publish.Dataset{ID: fmt.Sprintf("ob%d", o.ID), Title: o.Schema.Title, Rows: rows}
			for _, c := range o.Schema.Columns {
				ds.Columns = append(ds.Columns, publish.Column{Name: c.Name, Type: c.Type, Label: c.Label})
			}
			p, err := publish.Publish(ds, rule)
			if err != nil {
				return nil, fmt.Errorf("publish obligation %d: %w", o.ID, err)
			}
			ao.Data = p
			for _, c := range p.Charts {
				ao.Charts = append(ao.Charts, AccountableChart{Chart: c, SVG: string(c.SVG()), Rows: c.Rows()})
			}
		}
		out.Obligations = append(out.Obligations, ao)
	}
	for i := range out.Obligations {
		out.byID[out.Obligations[i].ID] = &out.Obligations[i]
	}
	slices.SortStableFunc(out.Feed, func(a, b ReportEntry) int { return b.SubmittedAt.Compare(a.SubmittedAt) })
	if err := s.monitoring(ctx, pm, out); err != nil {
		return nil, err
	}
	return out, nil
}

// monitoring fills out.Monitoring with the agreement's monitoring meetings
// (those held in a stage in force) and each obligation's latest status.
func (s *Service) monitoring(ctx context.Context, pm *PublicMOU, out *Accountability) error {
	m, err := s.MOU(ctx, pm.ID)
	if err != nil {
		return err
	}
	def, err := s.Workflow(ctx, m.Workflow, m.WorkflowVersion)
	if err != nil {
		return err
	}
	meetings, err := s.store.Meetings(ctx, pm.ID, 0, NoLimit)
	if err != nil {
		return err
	}
	for _, mt := range meetings {
		if !def.InForce(mt.Stage) {
			continue
		}
		mm := MonitoringMeeting{ID: mt.ID, Date: mt.Date, Body: BodyTitle(def, mt.Body), Updates: []MonitoringStatus{}}
		if mt.Outcome != nil {
			mm.Outcome, mm.Resolution, mm.Amendment = mt.Outcome.Outcome, mt.Outcome.Resolution, mt.Outcome.Amendment
		}
		for _, u := range mt.StatusUpdates {
			ms := MonitoringStatus{Obligation: u.ObligationID, Status: u.Status, Note: u.Note}
			if o := out.byID[u.ObligationID]; o != nil {
				ms.What = o.What
				pub := u
				pub.CreatedBy, pub.Party = "", "" // staff names stay off the public page
				o.Status = &pub
			}
			mm.Updates = append(mm.Updates, ms)
		}
		out.Monitoring = append(out.Monitoring, mm)
	}
	return nil
}

// PublicReportFile is report rid as the public may download it, when it
// is a report of an executed MOU (404 otherwise, as for no report): a
// dataset's CSV with every count below rule's threshold replaced by its
// label, or a document's PDF as stored. A meeting record has no file
// (nil data).
func (s *Service) PublicReportFile(ctx context.Context, rid int64, rule suppress.Rule) ([]byte, *Report, error) {
	notFound := moudesk.ErrNotFound(fmt.Sprintf("report %d", rid))
	r, err := s.store.Report(ctx, rid)
	if err != nil {
		return nil, nil, notFound
	}
	obs, err := s.store.Obligations(ctx, ObligationFilter{ID: r.ObligationID})
	if err != nil {
		return nil, nil, err
	}
	if len(obs) == 0 {
		return nil, nil, notFound
	}
	if r, err = s.PublicReportData(ctx, obs[0].MOUID, rid); err != nil {
		return nil, nil, notFound
	}
	switch r.Kind {
	case obligation.EvidenceDocument:
		return r.Data, r, nil
	case obligation.EvidenceDataset:
	default:
		return nil, r, nil
	}
	schema := s.datasets[obs[0].Dataset]
	if schema == nil {
		return nil, nil, fmt.Errorf("report %d: dataset %q has no schema", rid, obs[0].Dataset)
	}
	recs, err := csv.NewReader(bytes.NewReader(r.Data)).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("read stored dataset %d: %w", rid, err)
	}
	pub := rule.Records(recs, func(col int) bool { return col < len(schema.Columns) && schema.Columns[col].Counts() })
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(pub); err != nil {
		return nil, nil, fmt.Errorf("write public dataset %d: %w", rid, err)
	}
	return b.Bytes(), r, nil
}

// ReportFeed is the Atom feed of executed MOU id's reports: one entry per
// report version, newest first. base is the site's public URL.
func (s *Service) ReportFeed(ctx context.Context, id int64, base string) ([]byte, error) {
	a, err := s.PublicAccountability(ctx, id, suppress.Default())
	if err != nil {
		return nil, err
	}
	page := fmt.Sprintf("%s/public/mous/%d/accountability", base, id)
	items := make([]atom.Item, 0, len(a.Feed))
	for _, e := range a.Feed {
		title := fmt.Sprintf("%s — %s", e.Obligation, e.Period)
		summary := fmt.Sprintf("%s submitted %s for %s.", e.PartyName, article(e.Kind), e.Period)
		if e.Version > 1 {
			title += fmt.Sprintf(" (correction, version %d)", e.Version)
			summary += " Correction: " + e.Reason
		}
		items = append(items, atom.Item{Key: fmt.Sprintf("mou/%d/report/%d", id, e.ReportID), Title: title, Summary: summary,
			Link: fmt.Sprintf("%s#report-%d", page, e.ReportID), Author: e.PartyName, Time: e.SubmittedAt})
	}
	since := a.AsOf
	if a.MOU.ExecutedAt != nil {
		since = *a.MOU.ExecutedAt
	}
	f, err := atom.Make(base, fmt.Sprintf("mou/%d/reports", id), "Reports: "+a.MOU.Title,
		fmt.Sprintf("%s/public/mous/%d/reports.atom", base, id), page, "", since, items)
	if err != nil {
		return nil, err
	}
	return f.Marshal()
}

func article(kind string) string {
	switch kind {
	case obligation.EvidenceDataset:
		return "a dataset"
	case obligation.EvidenceDocument:
		return "a document"
	case obligation.EvidenceMeeting:
		return "a meeting record"
	}
	return "a report"
}
