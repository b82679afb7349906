package desk

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/obligation"
)

// Term variables: the term clause's dates bound every obligation's
// schedule, and the schools variable lists the schools a dataset may name.
const (
	varEffective  = "effective_date"
	varExpiration = "expiration_date"
	varSchools    = "schools"
)

// MaxReportBytes bounds an uploaded report: a PDF annual report with
// charts, or a dataset (which obligation.MaxDatasetBytes bounds tighter).
const MaxReportBytes = 10 << 20

// MaxReasonBytes bounds a correction's or waiver's reason.
const MaxReasonBytes = 2000

// scheduleObligations turns revision's duties into the executed MOU's
// obligations with their dues over the term (effective_date through
// expiration_date). A term without both dates, or one that ends before
// it starts, schedules the duties with no dues, which read as
// "unscheduled" rather than vanishing.
func scheduleObligations(ctx context.Context, tx Tx, m *MOU, revision int) error {
	rev, err := tx.RevisionContent(ctx, m.ID, revision)
	if err != nil {
		return err
	}
	if len(rev.Obligations) == 0 {
		return nil
	}
	slugs := map[string]string{}
	for _, p := range m.Parties {
		slugs[p.Role] = p.Slug
	}
	eff, errE := time.Parse(obligation.DateLayout, rev.Variables[varEffective])
	exp, errX := time.Parse(obligation.DateLayout, rev.Variables[varExpiration])
	obs := make([]NewObligation, 0, len(rev.Obligations))
	for _, o := range rev.Obligations {
		n := NewObligation{Obligation: o, Party: slugs[o.Party]}
		if n.Party == "" {
			return fmt.Errorf("schedule obligation %s of MOU %d: no party in role %s", o.Key, m.ID, o.Party)
		}
		// A term the schedule cannot be cut from (no dates, or one that
		// ends before it starts) leaves the duty unscheduled rather than
		// refusing the last signature: execution is the signatories' act.
		by, err := obligation.ParseBy(o.By)
		if err == nil && errE == nil && errX == nil {
			periods, _ := obligation.Schedule(o.Every, by, eff, exp)
			for _, p := range periods {
				n.Dues = append(n.Dues, NewDue{Seq: p.Seq, Start: p.Start.Format(obligation.DateLayout),
					End: p.End.Format(obligation.DateLayout), DueOn: p.Due.Format(obligation.DateLayout)})
			}
		}
		obs = append(obs, n)
	}
	return tx.InsertObligations(ctx, m.ID, revision, obs)
}

// StateUnscheduled is the state of an obligation with no dues: its MOU's
// term has no dates to schedule it over.
const StateUnscheduled = "unscheduled"

// period is a due's period as the obligation package computes with it.
func (d *Due) period() obligation.Period {
	p := obligation.Period{Seq: d.Seq}
	p.Start, _ = time.Parse(obligation.DateLayout, d.Start)
	p.End, _ = time.Parse(obligation.DateLayout, d.End)
	p.Due, _ = time.Parse(obligation.DateLayout, d.DueOn)
	return p
}

// withStates fills each due's and obligation's state at now.
func withStates(obs []Obligation, now time.Time) []Obligation {
	rank := map[string]int{obligation.StateLate: 5, obligation.StateDue: 4, obligation.StateUpcoming: 3, obligation.StateMet: 2, obligation.StateWaived: 1}
	for i := range obs {
		o := &obs[i]
		o.State, o.Late = StateUnscheduled, 0
		best := 0
		for j := range o.Dues {
			d := &o.Dues[j]
			p := d.period()
			d.Label = p.Label(o.Every)
			var met *time.Time
			if len(d.Reports) > 0 {
				met = &d.Reports[0].SubmittedAt
			}
			d.State = obligation.StateOf(p, met, d.Waiver != nil, now)
			d.SubmittedLate = met != nil && obligation.SubmittedLate(p, *met)
			d.DueSoon = (d.State == obligation.StateDue || d.State == obligation.StateUpcoming) && obligation.IsDueSoon(p, now)
			if d.State == obligation.StateLate {
				o.Late++
			}
			if r := rank[d.State]; r > best {
				best, o.State = r, d.State
			}
		}
	}
	return obs
}

// ObligationsOf lists MOU id's obligations with their states, for actor
// (404 for a non-party); only those with a late due when late is true.
func (s *Service) ObligationsOf(ctx context.Context, actor moudesk.Actor, id int64, late bool) ([]Obligation, error) {
	if _, err := s.VisibleMOU(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.obligations(ctx, ObligationFilter{MOUID: id}, late)
}

// ObligationsFor lists the obligations actor may see across MOUs: an
// admin's (or moudesk's) every one, anyone else's their party's MOUs'.
func (s *Service) ObligationsFor(ctx context.Context, actor moudesk.Actor, late bool) ([]Obligation, error) {
	if actor.IsSystem() || actor.Admin {
		return s.obligations(ctx, ObligationFilter{}, late)
	}
	if actor.Party == "" {
		return []Obligation{}, nil
	}
	mous, err := s.store.PartyMOUs(ctx, actor.Party, "", 0, NoLimit)
	if err != nil {
		return nil, err
	}
	out := []Obligation{}
	for _, m := range mous {
		if m.ExecutedRevision == nil {
			continue
		}
		obs, err := s.obligations(ctx, ObligationFilter{MOUID: m.ID}, late)
		if err != nil {
			return nil, err
		}
		out = append(out, obs...)
	}
	return out, nil
}

func (s *Service) obligations(ctx context.Context, f ObligationFilter, late bool) ([]Obligation, error) {
	obs, err := s.store.Obligations(ctx, f)
	if err != nil {
		return nil, err
	}
	obs = withStates(obs, s.now())
	if !late {
		return obs, nil
	}
	out := []Obligation{}
	for _, o := range obs {
		if o.Late > 0 {
			out = append(out, o)
		}
	}
	return out, nil
}

// ObligationOf is one obligation of MOU mouID with its dues and reports,
// for actor (404 when it is not the MOU's, or actor may not see the MOU).
func (s *Service) ObligationOf(ctx context.Context, actor moudesk.Actor, mouID, id int64) (*Obligation, error) {
	if _, err := s.VisibleMOU(ctx, actor, mouID); err != nil {
		return nil, err
	}
	obs, err := s.obligations(ctx, ObligationFilter{ID: id}, false)
	if err != nil {
		return nil, err
	}
	if len(obs) == 0 || obs[0].MOUID != mouID {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("obligation %d of MOU %d", id, mouID))
	}
	return &obs[0], nil
}

// ObligationMOU is the MOU obligation id belongs to, for a caller who
// names only the obligation (the command line); not found when none.
func (s *Service) ObligationMOU(ctx context.Context, id int64) (int64, error) {
	obs, err := s.store.Obligations(ctx, ObligationFilter{ID: id})
	if err != nil {
		return 0, err
	}
	if len(obs) == 0 {
		return 0, moudesk.ErrNotFound(fmt.Sprintf("obligation %d", id))
	}
	return obs[0].MOUID, nil
}

// SubmitReportRequest is evidence for one due of an obligation. Due is the
// due's seq (0: the earliest one whose period has begun and that has no
// report and no waiver). Data is a CSV dataset or a PDF document, as the
// obligation's evidence says; MeetingID names a meeting instead. Reason
// is required for a correction: a new version of a due already reported.
type SubmitReportRequest struct {
	MOUID        int64
	ObligationID int64
	Due          int
	Data         []byte
	Filename     string
	MeetingID    int64
	Reason       string
}

// SubmitReport stores evidence for an obligation, checked in one write
// transaction; a refusal stores nothing. Only the owning party's users
// submit (403 wrong_party; an admin of another party 403 not_a_party; a
// non-party 404), on an executed MOU (422 not_executed). A dataset must
// match its schema (422 invalid_dataset naming row and column), a document
// must be a PDF (415 not_pdf), a meeting must be the MOU's and held in the
// period (422). A second report for a due is a correction: without a
// reason 409 report_exists, with one a new version.
func (s *Service) SubmitReport(ctx context.Context, actor moudesk.Actor, req SubmitReportRequest) (*ReportInfo, error) {
	m, err := s.actingMOU(ctx, actor, req.MOUID)
	if err != nil {
		return nil, err
	}
	if m.ExecutedRevision == nil {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "not_executed",
			Message: fmt.Sprintf("MOU %d is not executed: its obligations start when it is signed by everyone", m.ID)}
	}
	if len(req.Data) > MaxReportBytes {
		return nil, moudesk.Errorf(moudesk.KindTooLarge, "too_large", "the file is larger than %d MiB", MaxReportBytes>>20)
	}
	req.Reason = strings.TrimSpace(moudesk.NormalizeText(req.Reason))
	if len(req.Reason) > MaxReasonBytes {
		return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "too_long", Field: "reason", Message: fmt.Sprintf("reason may be at most %d bytes", MaxReasonBytes)}
	}
	var out *ReportInfo
	err = s.store.Update(ctx, func(tx Tx) error {
		o, d, err := s.dueFor(ctx, tx, actor, m, req.ObligationID, req.Due, true)
		if err != nil {
			return err
		}
		n := NewReport{ObligationID: o.ID, DueID: d.ID, Version: len(d.Reports) + 1, Kind: o.Evidence, Party: o.Party, Reason: req.Reason}
		if n.Version > 1 && req.Reason == "" {
			last := d.Reports[len(d.Reports)-1]
			return &moudesk.Error{Kind: moudesk.KindConflict, Code: "report_exists", Field: "reason",
				Message: fmt.Sprintf("%s of obligation %s is reported (version %d, SHA-256 %s); a correction is a new version and needs a reason",
					d.Label, o.Key, last.Version, last.SHA256)}
		}
		if n.Version == 1 {
			n.Reason = ""
		}
		if err := s.evidence(ctx, tx, m, o, d, req, &n); err != nil {
			return err
		}
		id, err := tx.InsertReport(ctx, actor, n)
		if err != nil {
			return err
		}
		if err := tx.Audit(ctx, actor, "report.submit", fmt.Sprintf("mou:%d", m.ID), map[string]any{
			"obligation": o.ID, "key": o.Key, "due": d.Seq, "period": d.Label, "version": n.Version, "kind": n.Kind,
			"sha256": n.SHA256, "rows": n.Rows, "reason": n.Reason}); err != nil {
			return err
		}
		out = &ReportInfo{ID: id, ObligationID: o.ID, DueID: d.ID, Version: n.Version, Kind: n.Kind, SHA256: n.SHA256,
			SourceSHA256: n.SourceSHA256, Size: int64(len(n.Data)), Rows: n.Rows, Filename: n.Filename, Reason: n.Reason,
			Party: n.Party, SubmittedBy: actor.Author(), SubmittedAt: tx.Now()}
		if n.MeetingID != nil {
			out.MeetingID = n.MeetingID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// dueFor reads obligation id of m in tx and picks its due seq (0: the
// earliest open one), checking that actor acts for the owning party. With
// open, a waived due is refused (409 waived).
func (s *Service) dueFor(ctx context.Context, tx Tx, actor moudesk.Actor, m *MOU, id int64, seq int, open bool) (*Obligation, *Due, error) {
	obs, err := tx.TxObligations(ctx, ObligationFilter{ID: id})
	if err != nil {
		return nil, nil, err
	}
	if len(obs) == 0 || obs[0].MOUID != m.ID {
		return nil, nil, moudesk.ErrNotFound(fmt.Sprintf("obligation %d of MOU %d", id, m.ID))
	}
	o := &withStates(obs, tx.Now())[0]
	if !actor.IsSystem() && actor.Party != o.Party {
		return nil, nil, moudesk.Errorf(moudesk.KindForbidden, "wrong_party", "obligation %s is owed by another party than yours", o.Key)
	}
	today := tx.Now().UTC().Format(obligation.DateLayout)
	var d *Due
	for i := range o.Dues {
		c := &o.Dues[i]
		if seq == 0 && len(c.Reports) == 0 && c.Waiver == nil && c.Start <= today {
			d = c
			break
		}
		if seq != 0 && c.Seq == seq {
			d = c
			break
		}
	}
	switch {
	case d == nil && seq == 0:
		return nil, nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "nothing_due", Field: "due",
			Message: fmt.Sprintf("obligation %s has no open period that has begun; name the period (due) to correct one", o.Key)}
	case d == nil:
		return nil, nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_due", Field: "due",
			Message: fmt.Sprintf("obligation %s has no period %d (it has %d)", o.Key, seq, len(o.Dues))}
	case d.Start > today:
		return nil, nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "period_not_started", Field: "due",
			Message: fmt.Sprintf("period %s of obligation %s begins on %s", d.Label, o.Key, d.Start)}
	case open && d.Waiver != nil:
		return nil, nil, moudesk.Errorf(moudesk.KindConflict, "waived", "period %s of obligation %s was waived: %s", d.Label, o.Key, d.Waiver.Reason)
	}
	return o, d, nil
}

// evidence checks the submitted evidence against the obligation and fills
// the report's data, hashes and meeting.
func (s *Service) evidence(ctx context.Context, tx Tx, m *MOU, o *Obligation, d *Due, req SubmitReportRequest, n *NewReport) error {
	n.Filename = cleanFilename(req.Filename)
	switch o.Evidence {
	case obligation.EvidenceMeeting:
		if req.MeetingID == 0 || len(req.Data) > 0 {
			return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "missing_field", Field: "meeting",
				Message: fmt.Sprintf("obligation %s is met by a meeting: name it (meeting) instead of sending a file", o.Key)}
		}
		mt, err := tx.Meeting(ctx, req.MeetingID)
		if err != nil || mt.MOUID != m.ID {
			return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "unknown_meeting", Field: "meeting",
				Message: fmt.Sprintf("meeting %d is not a meeting of MOU %d", req.MeetingID, m.ID)}
		}
		if mt.Date < d.Start || mt.Date > d.DueOn {
			return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "meeting_outside_period", Field: "meeting",
				Message: fmt.Sprintf("meeting %d was on %s, outside period %s (%s to %s, due %s)", mt.ID, mt.Date, d.Label, d.Start, d.End, d.DueOn)}
		}
		id := mt.ID
		n.MeetingID = &id
		return nil
	case obligation.EvidenceDocument:
		if len(req.Data) == 0 {
			return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "missing_file", Field: "file", Message: "send the report as a PDF file"}
		}
		if !bytes.HasPrefix(req.Data, []byte("%PDF-")) {
			return &moudesk.Error{Kind: moudesk.KindUnsupported, Code: "not_pdf", Field: "file", Message: "obligation " + o.Key + " takes a PDF document; this file is not a PDF"}
		}
		n.Data = req.Data
		n.SHA256 = sha256Hex(req.Data)
		n.SourceSHA256 = n.SHA256
		return nil
	}
	if len(req.Data) == 0 {
		return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "missing_file", Field: "file", Message: "send the dataset as a CSV file"}
	}
	schema, ok := s.datasets[o.Dataset]
	if !ok {
		return fmt.Errorf("obligation %d names dataset schema %q, which this server does not ship", o.ID, o.Dataset)
	}
	if len(req.Data) > obligation.MaxDatasetBytes {
		return moudesk.Errorf(moudesk.KindTooLarge, "too_large", "a dataset may be at most %d MiB", obligation.MaxDatasetBytes>>20)
	}
	rev, err := tx.RevisionContent(ctx, m.ID, o.Revision)
	if err != nil {
		return err
	}
	p := d.period()
	table, err := schema.Validate(req.Data, obligation.Check{Start: p.Start, End: p.End, Schools: SchoolsOf(rev.Variables)})
	if ce, ok := err.(*obligation.CSVError); ok {
		return ce.AsClientError()
	}
	if err != nil {
		return err
	}
	n.Data = table.CSV()
	n.Rows = len(table.Rows)
	n.SHA256 = sha256Hex(n.Data)
	n.SourceSHA256 = sha256Hex(req.Data)
	return nil
}

// SchoolsOf is the MOU's list of schools from its schools variable, names
// separated by semicolons or new lines; empty when it lists none, and then
// a dataset may name any school.
func SchoolsOf(vars map[string]string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(vars[varSchools], func(r rune) bool { return r == ';' || r == '\n' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// cleanFilename keeps a file name's last element, one line, bounded.
func cleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// WaiveRequest waives one due of an obligation, with a reason.
type WaiveRequest struct {
	MOUID        int64
	ObligationID int64
	Due          int
	Reason       string
}

// WaiveDue waives a due for its owning party: by one of that party's users
// (the web layer lets only clerks and administrators ask), with a reason
// (422 missing_field), once (409 already_waived), audited.
func (s *Service) WaiveDue(ctx context.Context, actor moudesk.Actor, req WaiveRequest) error {
	m, err := s.actingMOU(ctx, actor, req.MOUID)
	if err != nil {
		return err
	}
	req.Reason = strings.TrimSpace(moudesk.NormalizeText(req.Reason))
	switch {
	case req.Reason == "":
		return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "missing_field", Field: "reason", Message: "a waiver needs a reason"}
	case len(req.Reason) > MaxReasonBytes:
		return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "too_long", Field: "reason", Message: fmt.Sprintf("reason may be at most %d bytes", MaxReasonBytes)}
	case req.Due < 1:
		return &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "missing_field", Field: "due", Message: "name the period (due) to waive"}
	}
	return s.store.Update(ctx, func(tx Tx) error {
		o, d, err := s.dueFor(ctx, tx, actor, m, req.ObligationID, req.Due, false)
		if err != nil {
			return err
		}
		if d.Waiver != nil {
			return moudesk.Errorf(moudesk.KindConflict, "already_waived", "period %s of obligation %s is already waived", d.Label, o.Key)
		}
		if err := tx.InsertWaiver(ctx, actor, d.ID, o.Party, req.Reason); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "obligation.waive", fmt.Sprintf("mou:%d", m.ID), map[string]any{
			"obligation": o.ID, "key": o.Key, "due": d.Seq, "period": d.Label, "reason": req.Reason})
	})
}

// RecordObligationEvents records the due-soon and late reminders the clock
// has reached, once each, and says how many it recorded; serve runs it
// on a timer, and it is safe to run any number of times.
func (s *Service) RecordObligationEvents(ctx context.Context) (int, error) {
	n := 0
	err := s.store.Update(ctx, func(tx Tx) error {
		n = 0
		obs, err := tx.TxObligations(ctx, ObligationFilter{})
		if err != nil {
			return err
		}
		now := tx.Now()
		for _, o := range withStates(obs, now) {
			for _, d := range o.Dues {
				kind := ""
				switch {
				case d.State == obligation.StateLate:
					kind = EventLate
				case d.DueSoon:
					kind = EventDueSoon
				default:
					continue
				}
				id, err := tx.InsertObligationEvent(ctx, ObligationEvent{DueID: d.ID, ObligationID: o.ID, MOUID: o.MOUID,
					Kind: kind, Party: o.Party, DueOn: d.DueOn, RecordedAt: now})
				if err != nil {
					return err
				}
				if id == 0 {
					continue
				}
				n++
				if err := s.notifyObligation(ctx, tx, o, d, kind); err != nil {
					return err
				}
				if err := tx.MarkEventDelivered(ctx, id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return n, err
}

// MarkObligationEventDelivered records that the notifications delivered
// reminder id (409 already_delivered when they had).
func (s *Service) MarkObligationEventDelivered(ctx context.Context, id int64) error {
	return s.store.Update(ctx, func(tx Tx) error { return tx.MarkEventDelivered(ctx, id) })
}

// ReportOf is report rid of obligation id of MOU mouID with its bytes, for
// actor (404 unless actor may see the MOU and the report is the
// obligation's).
func (s *Service) ReportOf(ctx context.Context, actor moudesk.Actor, mouID, id, rid int64) (*Report, error) {
	if _, err := s.ObligationOf(ctx, actor, mouID, id); err != nil {
		return nil, err
	}
	r, err := s.store.Report(ctx, rid)
	if err != nil {
		return nil, err
	}
	if r.ObligationID != id {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("report %d of obligation %d", rid, id))
	}
	return r, nil
}

// Datasets are the dataset schemas the server knows, by name.
func (s *Service) Datasets() map[string]*obligation.Schema { return s.datasets }

// checkObligations validates a drafter's obligations for m (a copy is
// returned in canonical form; 422 naming obligations[i].<field>).
func (s *Service) checkObligations(m *MOU, obs []mou.Obligation) ([]mou.Obligation, error) {
	roles := make([]string, 0, len(m.Parties))
	for _, p := range m.Parties {
		roles = append(roles, p.Role)
	}
	out := append([]mou.Obligation{}, obs...)
	if err := mou.CheckObligations(out, roles, func(name string) bool { _, ok := s.datasets[name]; return ok }); err != nil {
		return nil, err
	}
	return out, nil
}

// keepObligationParties drops the duties owed by template roles the MOU
// does not have (an optional party left off).
func keepObligationParties(obs []mou.Obligation, parties map[string]string) []mou.Obligation {
	if obs == nil {
		return nil
	}
	out := []mou.Obligation{}
	for _, o := range obs {
		if _, ok := parties[o.Party]; ok {
			out = append(out, o)
		}
	}
	return out
}
