package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/desk"
)

// TestSeedCalgaryOversight replays 004's special oversight board on the
// executed agreement: it "oversees the implementation of the action plan"
// and gives "status updates to CPS and its partners". Two monitoring
// meetings give a status of each obligation; the first carries on, the
// second finds the action plan needs a change and starts Amendment No. 1,
// where its recommendations are recorded. Every refusal writes nothing.
func TestSeedCalgaryOversight(t *testing.T) {
	e, id := executedCalgary(t)
	cps, cbe, ccsd := e.parties["police_service"], e.parties["district"], e.parties["district_2"]
	obligations := e.obligationIDs(cps.drafter, id)
	if len(obligations) == 0 {
		t.Fatal("the executed Calgary MOU has no obligations for the board to give a status of")
	}
	executed := e.mou(id).CurrentRevision

	unchanged := func(name string, f func()) {
		t.Helper()
		before := e.rows()
		f()
		if after := e.rows(); !maps.Equal(before, after) {
			t.Fatalf("%s wrote rows: %v → %v", name, before, after)
		}
	}
	meetings := fmt.Sprintf("/api/v1/mous/%d/meetings", id)
	// The roundtable reviewed the draft; it does not monitor the agreement.
	unchanged("roundtable meeting", func() {
		e.refused(cbe.clerk, "POST", meetings, map[string]any{"body": "roundtable", "date": "2022-12-01", "revision": executed},
			http.StatusUnprocessableEntity, "body_not_acting")
	})

	// First monitoring meeting: a status of every obligation, feedback on
	// a section, and the board carries on.
	m1 := e.meetAs(cps.clerk, id, "oversight_board", "2022-12-08", "2")
	if m1.Stage != "executed" || m1.Revision != executed {
		t.Fatalf("monitoring meeting %+v, want one on executed revision %d", m1, executed)
	}
	statuses := []string{"on_track", "at_risk", "off_track", "complete"}
	for i, ob := range obligations {
		e.statusUpdate(cbe.clerk, m1, ob, statuses[i%len(statuses)], fmt.Sprintf("Status of obligation %d in December.", ob))
	}
	unchanged("second status of one obligation", func() {
		e.refused(ccsd.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/status-updates", m1.ID),
			map[string]any{"obligation": obligations[0], "status": "on_track"}, http.StatusConflict, "status_recorded")
	})
	unchanged("unknown status", func() {
		e.refused(ccsd.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/status-updates", m1.ID),
			map[string]any{"obligation": obligations[0], "status": "late"}, http.StatusUnprocessableEntity, "invalid_status")
	})
	unchanged("another MOU's obligation", func() {
		e.refused(ccsd.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/status-updates", m1.ID),
			map[string]any{"obligation": 999999, "status": "on_track"}, http.StatusUnprocessableEntity, "unknown_obligation")
	})
	e.feedbackAs(ccsd.reviewer, m1, "advisory-team", "The board's quarterly status updates should also go to the school councils.")
	unchanged("a review outcome at a monitoring meeting", func() {
		e.refused(cps.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", m1.ID),
			map[string]any{"outcome": "forward", "votes": []any{}}, http.StatusUnprocessableEntity, "outcome_not_allowed")
	})
	if got := e.decide(cps.clerk, m1, "continue", "Status noted; next review in March.", nil); got != "executed" {
		t.Fatalf("continue → %s, want the agreement still executed", got)
	}
	unchanged("status after the outcome", func() {
		e.refused(ccsd.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/status-updates", m1.ID),
			map[string]any{"obligation": obligations[1%len(obligations)], "status": "on_track"}, http.StatusUnprocessableEntity, "wrong_stage")
	})

	// Second meeting: the plan needs a change; "amend" starts the
	// amendment in the same act.
	m2 := e.meetAs(ccsd.clerk, id, "oversight_board", "2023-03-09", "3")
	for _, ob := range obligations {
		e.statusUpdate(ccsd.clerk, m2, ob, "at_risk", "Reports arrive late; the plan's reporting interval is too short.")
	}
	var out struct {
		Meeting desk.Meeting `json:"meeting"`
		Stage   string       `json:"stage"`
	}
	e.call(ccsd.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", m2.ID), map[string]any{
		"outcome": "amend", "votes": []any{}, "resolution": "OB 2023-03", "minutes": "The board asks the parties to amend the reporting section.",
	}, http.StatusCreated, &out)
	if out.Stage != "executed" || out.Meeting.Outcome == nil || out.Meeting.Outcome.Amendment == nil {
		t.Fatalf("amend outcome: stage %s, outcome %+v", out.Stage, out.Meeting.Outcome)
	}
	am := *out.Meeting.Outcome.Amendment
	amd := e.mou(am)
	if amd.Stage != "draft" || amd.AmendsMOUID == nil || *amd.AmendsMOUID != id || !strings.Contains(amd.Title, "Amendment No. 1") {
		t.Fatalf("amendment %+v", amd)
	}
	if len(out.Meeting.StatusUpdates) != len(obligations) {
		t.Errorf("meeting 2 has %d status updates, want %d", len(out.Meeting.StatusUpdates), len(obligations))
	}
	// The board's recommendation goes on the amendment, where it gets its
	// disposition; the executed agreement's matrix stays closed.
	rec := map[string]any{"source": map[string]string{"body": "Special Oversight Board", "title": "Monitoring meeting", "date": "2023-03-09", "item": "3"},
		"text": "Report quarterly instead of monthly, within 45 days of the quarter's end."}
	e.call(cps.clerk, "POST", fmt.Sprintf("/api/v1/mous/%d/recommendations", am), map[string]any{"recommendations": []any{rec}}, http.StatusCreated, nil)
	unchanged("recommendation on the executed agreement", func() {
		e.refused(cps.clerk, "POST", fmt.Sprintf("/api/v1/mous/%d/recommendations", id), map[string]any{"recommendations": []any{rec}}, http.StatusConflict, "mou_closed")
	})

	// A third meeting may not start a second amendment while the first is
	// open; nothing of it is stored.
	m3 := e.meetAs(cps.clerk, id, "oversight_board", "2023-04-13", "1")
	unchanged("second amendment", func() {
		e.refused(cps.clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/outcome", m3.ID), map[string]any{"outcome": "amend", "votes": []any{}},
			http.StatusConflict, "amendment_in_progress")
	})

	// The public record lists both monitoring meetings with their outcomes.
	got := meetingsOf(e.publicRecord(id))
	for _, want := range []string{"2022-12-08 oversight_board continue", "2023-03-09 oversight_board amend"} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("public record meetings %q lack %q", got, want)
		}
	}
	// The accountability page shows both meetings' statuses and the
	// board's latest status of each obligation.
	page := string(e.fetch("", fmt.Sprintf("/public/mous/%d/accountability", id)))
	for _, want := range []string{"Special Oversight Board, 8 December 2022", "Special Oversight Board, 9 March 2023",
		"status noted; the agreement continues (Status noted; next review in March.)", "asked for an amendment", "At risk: Reports arrive late"} {
		if !strings.Contains(page, want) {
			t.Errorf("accountability page lacks %q", want)
		}
	}
	var full struct {
		Meeting desk.Meeting `json:"meeting"`
	}
	e.call(cbe.reviewer, "GET", fmt.Sprintf("/api/v1/meetings/%d", m1.ID), nil, http.StatusOK, &full)
	if len(full.Meeting.StatusUpdates) != len(obligations) || full.Meeting.Outcome == nil || full.Meeting.Outcome.Outcome != "continue" || len(full.Meeting.Feedback) != 1 {
		t.Errorf("meeting 1 as read back: %+v", full.Meeting)
	}
}

// statusUpdate records a monitoring body's status of obligation ob at m.
func (e *seedEnv) statusUpdate(clerk string, m desk.Meeting, ob int64, status, note string) {
	e.t.Helper()
	e.call(clerk, "POST", fmt.Sprintf("/api/v1/meetings/%d/status-updates", m.ID),
		map[string]any{"obligation": ob, "status": status, "note": note}, http.StatusCreated, nil)
}

// obligationIDs are the ids of executed MOU id's obligations, as its
// public accountability record lists them.
func (e *seedEnv) obligationIDs(token string, id int64) []int64 {
	e.t.Helper()
	var out struct {
		Accountability struct {
			Obligations []struct {
				ID int64 `json:"id"`
			} `json:"obligations"`
		} `json:"accountability"`
	}
	e.call(token, "GET", fmt.Sprintf("/api/v1/public/mous/%d/accountability", id), nil, http.StatusOK, &out)
	ids := make([]int64, len(out.Accountability.Obligations))
	for i, o := range out.Accountability.Obligations {
		ids[i] = o.ID
	}
	return ids
}
