package desk

import (
	"context"
	"fmt"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/obligation"
)

// PublicObligation is an executed MOU's obligation as the public
// accountability page shows it: who owes what, its schedule and state,
// and each period's evidence. Datasets carry their rows with raw counts:
// small-number suppression is the page's to apply (Schema says which
// columns are counts).
type PublicObligation struct {
	ID        int64              `json:"id"`
	Key       string             `json:"key"`
	What      string             `json:"what"`
	Party     string             `json:"party"`
	PartyName string             `json:"party_name"`
	Every     string             `json:"every"`
	By        string             `json:"by"`
	Evidence  string             `json:"evidence"`
	Dataset   string             `json:"dataset,omitempty"`
	Schema    *obligation.Schema `json:"schema,omitempty"`
	State     string             `json:"state"`
	Late      int                `json:"late"`
	Dues      []PublicDue        `json:"dues"`
}

// PublicDue is one period: its dates and state, the version of the
// evidence in force (Current, nil when none), every version submitted
// (oldest first, corrections with their reasons), and a waiver's reason.
type PublicDue struct {
	Seq           int            `json:"seq"`
	Label         string         `json:"label"`
	Start         string         `json:"start"`
	End           string         `json:"end"`
	DueOn         string         `json:"due_on"`
	State         string         `json:"state"`
	SubmittedLate bool           `json:"submitted_late,omitempty"`
	Waived        string         `json:"waived,omitempty"`
	Current       *PublicReport  `json:"current,omitempty"`
	Versions      []PublicReport `json:"versions"`
}

// PublicReport is one version of a period's evidence. Table holds a
// dataset's rows (on Current only); MeetingID names a meeting.
type PublicReport struct {
	ID          int64             `json:"id"`
	Version     int               `json:"version"`
	Kind        string            `json:"kind"`
	SHA256      string            `json:"sha256,omitempty"`
	Rows        int               `json:"rows,omitempty"`
	Filename    string            `json:"filename,omitempty"`
	MeetingID   *int64            `json:"meeting_id,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	SubmittedAt time.Time         `json:"submitted_at"`
	Table       *obligation.Table `json:"table,omitempty"`
}

// PublicObligations is the read model of executed MOU id's obligations
// for the public: no login, 404 not_executed for an MOU that is not
// executed. States are as of the service's clock.
func (s *Service) PublicObligations(ctx context.Context, id int64) ([]PublicObligation, error) {
	m, err := s.store.MOU(ctx, id)
	if err != nil || m.ExecutedRevision == nil {
		return nil, ErrNotExecuted(id)
	}
	obs, err := s.obligations(ctx, ObligationFilter{MOUID: id}, false)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, p := range m.Parties {
		names[p.Slug] = p.Name
	}
	out := make([]PublicObligation, 0, len(obs))
	for _, o := range obs {
		po := PublicObligation{ID: o.ID, Key: o.Key, What: o.What, Party: o.Party, PartyName: names[o.Party], Every: o.Every, By: o.By,
			Evidence: o.Evidence, Dataset: o.Dataset, Schema: s.datasets[o.Dataset], State: o.State, Late: o.Late, Dues: []PublicDue{}}
		for _, d := range o.Dues {
			pd := PublicDue{Seq: d.Seq, Label: d.Label, Start: d.Start, End: d.End, DueOn: d.DueOn, State: d.State,
				SubmittedLate: d.SubmittedLate, Versions: []PublicReport{}}
			if d.Waiver != nil {
				pd.Waived = d.Waiver.Reason
			}
			for _, r := range d.Reports {
				pd.Versions = append(pd.Versions, PublicReport{ID: r.ID, Version: r.Version, Kind: r.Kind, SHA256: r.SHA256, Rows: r.Rows,
					Filename: r.Filename, MeetingID: r.MeetingID, Reason: r.Reason, SubmittedAt: r.SubmittedAt})
			}
			if n := len(pd.Versions); n > 0 {
				cur := pd.Versions[n-1]
				if cur.Kind == obligation.EvidenceDataset && po.Schema != nil {
					r, err := s.store.Report(ctx, cur.ID)
					if err != nil {
						return nil, err
					}
					if cur.Table, err = po.Schema.ParseTable(r.Data); err != nil {
						return nil, fmt.Errorf("report %d: %w", r.ID, err)
					}
				}
				pd.Current = &cur
			}
			po.Dues = append(po.Dues, pd)
		}
		out = append(out, po)
	}
	return out, nil
}

// PublicReportData is the stored bytes of report rid of executed MOU id
// (a dataset's canonical CSV, a PDF), for public download; 404 when the
// report is not one of that MOU's.
func (s *Service) PublicReportData(ctx context.Context, id, rid int64) (*Report, error) {
	m, err := s.store.MOU(ctx, id)
	if err != nil || m.ExecutedRevision == nil {
		return nil, ErrNotExecuted(id)
	}
	r, err := s.store.Report(ctx, rid)
	if err != nil {
		return nil, err
	}
	obs, err := s.store.Obligations(ctx, ObligationFilter{ID: r.ObligationID})
	if err != nil {
		return nil, err
	}
	if len(obs) == 0 || obs[0].MOUID != id {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("report %d of MOU %d", rid, id))
	}
	return r, nil
}
