package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
)

// Obligations lists the obligations f selects, each with its dues, their
// report versions (without bytes) and waivers, in three queries whatever
// their number.
func (db *DB) Obligations(ctx context.Context, f desk.ObligationFilter) ([]desk.Obligation, error) {
	var out []desk.Obligation
	err := db.view(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = readObligations(ctx, tx, f)
		return err
	})
	return out, err
}

func (t deskTx) TxObligations(ctx context.Context, f desk.ObligationFilter) ([]desk.Obligation, error) {
	return readObligations(ctx, t.tx, f)
}

func (t deskTx) RevisionContent(ctx context.Context, mouID int64, n int) (*mou.Revision, error) {
	return readRevision(ctx, t.tx, t.tx.texts, mouID, n)
}

func readObligations(ctx context.Context, q queryer, f desk.ObligationFilter) ([]desk.Obligation, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != 0 {
		where, args = append(where, "o.id = ?"), append(args, f.ID)
	}
	if f.MOUID != 0 {
		where, args = append(where, "o.mou_id = ?"), append(args, f.MOUID)
	}
	if f.Party != "" {
		where, args = append(where, "o.party = ?"), append(args, f.Party)
	}
	cond := strings.Join(where, " AND ")
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.mou_id, o.revision, o.key, o.party_role, o.party, o.what, o.every, o.due_rule,
		o.evidence, o.dataset, o.section, o.scheduled_at FROM obligations o WHERE `+cond+` ORDER BY o.mou_id, o.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list obligations: %w", err)
	}
	out := []desk.Obligation{}
	index := map[int64]int{}
	for rows.Next() {
		var o desk.Obligation
		var at string
		if err := rows.Scan(&o.ID, &o.MOUID, &o.Revision, &o.Key, &o.PartyRole, &o.Party, &o.What, &o.Every, &o.By,
			&o.Evidence, &o.Dataset, &o.Section, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan obligation: %w", err)
		}
		o.ScheduledAt = parseTime(at)
		o.Dues = []desk.Due{}
		index[o.ID] = len(out)
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list obligations: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	dueAt := map[int64][2]int{}
	rows, err = q.QueryContext(ctx, `SELECT d.id, d.obligation_id, d.seq, d.period_start, d.period_end, d.due_on, w.reason, w.party, w.waived_by, w.waived_at
		FROM obligation_dues d JOIN obligations o ON o.id = d.obligation_id LEFT JOIN obligation_waivers w ON w.due_id = d.id
		WHERE `+cond+` ORDER BY d.obligation_id, d.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("list obligation dues: %w", err)
	}
	for rows.Next() {
		var d desk.Due
		var oid int64
		var reason, party, by, at sql.NullString
		if err := rows.Scan(&d.ID, &oid, &d.Seq, &d.Start, &d.End, &d.DueOn, &reason, &party, &by, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan obligation due: %w", err)
		}
		if reason.Valid {
			d.Waiver = &desk.Waiver{Reason: reason.String, Party: party.String, WaivedBy: by.String, WaivedAt: parseTime(at.String)}
		}
		d.Reports = []desk.ReportInfo{}
		i := index[oid]
		dueAt[d.ID] = [2]int{i, len(out[i].Dues)}
		out[i].Dues = append(out[i].Dues, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list obligation dues: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT `+reportCols+` FROM reports r JOIN obligations o ON o.id = r.obligation_id
		WHERE `+cond+` ORDER BY r.due_id, r.version`, args...)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanReportInfo(rows)
		if err != nil {
			return nil, err
		}
		if at, ok := dueAt[r.DueID]; ok {
			d := &out[at[0]].Dues[at[1]]
			d.Reports = append(d.Reports, *r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return out, nil
}

const reportCols = `r.id, r.obligation_id, r.due_id, r.version, r.kind, r.sha256, r.source_sha256, r.size, r.row_count, r.filename,
	r.meeting_id, r.reason, r.party, r.submitted_by, r.submitted_at`

func scanReportInfo(s rowScanner) (*desk.ReportInfo, error) {
	var r desk.ReportInfo
	var meeting sql.NullInt64
	var at string
	if err := s.Scan(&r.ID, &r.ObligationID, &r.DueID, &r.Version, &r.Kind, &r.SHA256, &r.SourceSHA256, &r.Size, &r.Rows, &r.Filename,
		&meeting, &r.Reason, &r.Party, &r.SubmittedBy, &at); err != nil {
		return nil, fmt.Errorf("scan report: %w", err)
	}
	if meeting.Valid {
		id := meeting.Int64
		r.MeetingID = &id
	}
	r.SubmittedAt = parseTime(at)
	return &r, nil
}

// Report is one report with its bytes.
func (db *DB) Report(ctx context.Context, id int64) (*desk.Report, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+reportCols+`, r.data FROM reports r WHERE r.id = ?`, id)
	var r desk.ReportInfo
	var meeting sql.NullInt64
	var at string
	var data []byte
	err := row.Scan(&r.ID, &r.ObligationID, &r.DueID, &r.Version, &r.Kind, &r.SHA256, &r.SourceSHA256, &r.Size, &r.Rows, &r.Filename,
		&meeting, &r.Reason, &r.Party, &r.SubmittedBy, &at, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, moudesk.ErrNotFound(fmt.Sprintf("report %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("read report %d: %w", id, err)
	}
	if meeting.Valid {
		mid := meeting.Int64
		r.MeetingID = &mid
	}
	r.SubmittedAt = parseTime(at)
	return &desk.Report{ReportInfo: r, Data: data}, nil
}

func (t deskTx) InsertObligations(ctx context.Context, mouID int64, revision int, obs []desk.NewObligation) error {
	for _, o := range obs {
		id, err := insertID(ctx, t.tx, `INSERT INTO obligations (mou_id, revision, key, party_role, party, what, every, due_rule, evidence, dataset, section, scheduled_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, mouID, revision, o.Key, o.Obligation.Party, o.Party, o.What, o.Every, o.By,
			o.Evidence, o.Dataset, o.Section, t.tx.Now())
		if err != nil {
			return storageError("insert obligation", err)
		}
		for _, d := range o.Dues {
			if _, err := t.tx.ExecContext(ctx, `INSERT INTO obligation_dues (obligation_id, seq, period_start, period_end, due_on) VALUES (?, ?, ?, ?, ?)`,
				id, d.Seq, d.Start, d.End, d.DueOn); err != nil {
				return storageError("insert obligation due", err)
			}
		}
	}
	return nil
}

func (t deskTx) InsertReport(ctx context.Context, actor moudesk.Actor, r desk.NewReport) (int64, error) {
	var meeting any
	if r.MeetingID != nil {
		meeting = *r.MeetingID
	}
	var data any
	if r.Data != nil {
		data = r.Data
	}
	id, err := insertID(ctx, t.tx, `INSERT INTO reports (obligation_id, due_id, version, kind, sha256, source_sha256, data, size, row_count, filename, meeting_id, reason, party, submitted_by, submitted_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ObligationID, r.DueID, r.Version, r.Kind, r.SHA256, r.SourceSHA256, data,
		len(r.Data), r.Rows, r.Filename, meeting, r.Reason, r.Party, actor.Author(), t.tx.Now())
	if isUnique(err) {
		return 0, moudesk.Errorf(moudesk.KindConflict, "report_exists", "version %d of this report was stored meanwhile", r.Version)
	}
	if err != nil {
		return 0, storageError("insert report", err)
	}
	return id, nil
}

func (t deskTx) InsertWaiver(ctx context.Context, actor moudesk.Actor, dueID int64, party, reason string) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO obligation_waivers (due_id, reason, party, waived_by, waived_at) VALUES (?, ?, ?, ?, ?)`,
		dueID, reason, party, actor.Author(), t.tx.Now())
	if isUnique(err) {
		return moudesk.Errorf(moudesk.KindConflict, "already_waived", "this period was waived meanwhile")
	}
	if err != nil {
		return storageError("insert waiver", err)
	}
	return nil
}

func (t deskTx) InsertObligationEvent(ctx context.Context, e desk.ObligationEvent) (int64, error) {
	id, err := insertID(ctx, t.tx, `INSERT INTO obligation_events (due_id, obligation_id, mou_id, kind, party, due_on, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (due_id, kind) DO NOTHING`, e.DueID, e.ObligationID, e.MOUID, e.Kind, e.Party, e.DueOn, t.tx.Now())
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // recorded before: the conflict inserted nothing
	}
	if err != nil {
		return 0, storageError("insert obligation event", err)
	}
	return id, nil
}

func (t deskTx) MarkEventDelivered(ctx context.Context, id int64) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE obligation_events SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL`, t.tx.Now(), id)
	if err != nil {
		return storageError("mark obligation event delivered", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		if err := t.tx.QueryRowContext(ctx, "SELECT 1 FROM obligation_events WHERE id = ?", id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return moudesk.ErrNotFound(fmt.Sprintf("obligation event %d", id))
		}
		return moudesk.Errorf(moudesk.KindConflict, "already_delivered", "obligation event %d was delivered before", id)
	}
	return nil
}

// ObligationEvents lists recorded reminders by id above after.
func (db *DB) ObligationEvents(ctx context.Context, after int64, limit int, undelivered bool) ([]desk.ObligationEvent, error) {
	q := `SELECT id, due_id, obligation_id, mou_id, kind, party, due_on, recorded_at, delivered_at FROM obligation_events WHERE id > ?`
	if undelivered {
		q += " AND delivered_at IS NULL"
	}
	rows, err := db.read.QueryContext(ctx, q+" ORDER BY id LIMIT ?", after, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list obligation events: %w", err)
	}
	defer rows.Close()
	out := []desk.ObligationEvent{}
	for rows.Next() {
		var e desk.ObligationEvent
		var at string
		var delivered sql.NullString
		if err := rows.Scan(&e.ID, &e.DueID, &e.ObligationID, &e.MOUID, &e.Kind, &e.Party, &e.DueOn, &at, &delivered); err != nil {
			return nil, fmt.Errorf("scan obligation event: %w", err)
		}
		e.RecordedAt = parseTime(at)
		if delivered.Valid {
			d := parseTime(delivered.String)
			e.DeliveredAt = &d
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

var obligationTables = []string{"obligations", "obligation_dues", "reports", "obligation_waivers", "obligation_events", "audit_events"}

// ObligationRowCounts counts the rows of every table an obligation write
// touches, so tests can check that a refused report stored nothing.
func (db *DB) ObligationRowCounts(ctx context.Context) (map[string]int, error) {
	return db.countRows(ctx, obligationTables)
}
