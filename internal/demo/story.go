package demo

import (
	"context"
	"fmt"
	"net/http"
	"slices"
)

// cast are the signed-in people the story needs; signers are in the
// order of the SRO template's signature block lines.
type cast struct {
	drafter, reviewer, cityClerk, districtClerk *client
	signers                                     []signer
	// The regional agreement's people: the police service's drafter and
	// the commission's and second district's clerks.
	policeDrafter, policeClerk, district2Clerk *client
}

// signer is a signatory, who gives the password again when signing.
type signer struct {
	client   *client
	name     string
	password string
}

// Story is what the demo created, by MOU id; it is also the detail of the
// demo.loaded audit event.
type Story struct {
	UnderReview      int64  `json:"under_review"`
	UnderReviewTitle string `json:"under_review_title"`
	UnderReviewStage string `json:"under_review_stage"`
	Revisions        int    `json:"revisions"`
	Meetings         int    `json:"meetings"`
	Executed         int64  `json:"executed"`
	ExecutedTitle    string `json:"executed_title"`
	ExecutedStage    string `json:"executed_stage"`
	Amendment        int64  `json:"amendment"`
	AmendmentStage   string `json:"amendment_stage"`
	// Processes are one MOU for each other shipped process the seeds
	// follow: an advisory team and a school board (Duluth), a working
	// group and two bodies (Claremont), a roundtable and three parties'
	// bodies (Calgary).
	Processes []ProcessMOU `json:"processes"`
}

// ProcessMOU is one MOU of Story.Processes.
type ProcessMOU struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	Workflow string `json:"workflow"`
	Stage    string `json:"stage"`
}

const (
	underReviewTitle = "Alder Creek School Resource Officer MOU, 2026–2029"
	executedTitle    = "Alder Creek School Resource Officer MOU, 2023–2026"
	hall             = "Alder Creek City Hall, Council Chambers"
)

// variables fills every variable the SRO template and its clauses need
// beyond the parties, for an agreement starting in the given year.
func variables(year int) map[string]string {
	y := func(offset int, rest string) string { return fmt.Sprintf("%d-%s", year+offset, rest) }
	return map[string]string{
		"effective_date":          y(0, "07-01"),
		"expiration_date":         y(3, "06-30"),
		"school_year_start":       y(0, "08-12"),
		"first_instructional_day": y(0, "08-19"),
		"school_year_end":         y(1, "06-04"),
		"annual_cost":             "184500",
		"city_notice_address":     "Office of the City Manager, 200 Civic Center Drive, Alder Creek",
		"district_notice_address": "Office of the Superintendent, 1450 Orchard Lane, Alder Creek",
		"governing_state":         "California",
		"school_names":            "Alder Creek High School, Foothill Middle School and Lakeview Middle School",
	}
}

// tell plays the demo's history through the API: the 2023 MOU reviewed,
// approved by both governing bodies, signed by its four signatories (which
// executes it) and now being amended to run six months longer; and its
// 2026 successor under review (three revisions, two liaison committee
// meetings whose feedback is partly answered by a later revision).
func tell(ctx context.Context, c cast) (Story, error) {
	s := Story{UnderReviewTitle: underReviewTitle, ExecutedTitle: executedTitle}
	var err error
	if s.Executed, err = executed(ctx, c); err != nil {
		return s, err
	}
	if s.Amendment, err = amendment(ctx, c, s.Executed); err != nil {
		return s, err
	}
	if s.UnderReview, s.Revisions, s.Meetings, err = underReview(ctx, c); err != nil {
		return s, err
	}
	if s.Processes, err = processes(ctx, c); err != nil {
		return s, err
	}
	for _, st := range []struct {
		id  int64
		out *string
	}{{s.UnderReview, &s.UnderReviewStage}, {s.Executed, &s.ExecutedStage}, {s.Amendment, &s.AmendmentStage}} {
		if *st.out, err = stage(ctx, c.reviewer, st.id); err != nil {
			return s, err
		}
	}
	return s, nil
}

func underReview(ctx context.Context, c cast) (id int64, revisions, meetings int, err error) {
	if id, err = createMOU(ctx, c.drafter, underReviewTitle, 2026); err != nil {
		return 0, 0, 0, err
	}
	r2, err := revise(ctx, c.drafter, id, "Narrow the SRO's duties after the staff working group", map[string]string{
		"school-discipline": "The SRO does not take part in school discipline. Violations of school rules are handled by school administrators under the District's own policies; the SRO acts only on a crime or an immediate threat to safety.",
	})
	if err != nil {
		return 0, 0, 0, err
	}
	if err := move(ctx, c.drafter, id, "liaison_review", "Ready for the liaison committee"); err != nil {
		return 0, 0, 0, err
	}
	m1, err := meet(ctx, c.cityClerk, id, "liaison_committee", "2026-09-08", "3.A", r2)
	if err != nil {
		return 0, 0, 0, err
	}
	records, err := feedback(ctx, c.reviewer, m1, "student-records", "Limit SRO access to student records to what FERPA allows, and only on written request to the principal.")
	if err != nil {
		return 0, 0, 0, err
	}
	deesc, err := feedback(ctx, c.reviewer, m1, "de-escalation", "Define de-escalation and require it before any use of force on campus.")
	if err != nil {
		return 0, 0, 0, err
	}
	if _, err := feedback(ctx, c.reviewer, m1, "training", "Add yearly training on adolescent development and working with students with disabilities."); err != nil {
		return 0, 0, 0, err
	}
	if err := outcome(ctx, c.cityClerk, m1, "revise", nil, "", "The committee asked staff to answer the three comments."); err != nil {
		return 0, 0, 0, err
	}
	r3, err := revise(ctx, c.drafter, id, "Answer the liaison committee's comments of September 8", map[string]string{
		"student-records": "The SRO may see a student's education records only as FERPA and state law permit, on a written request to the principal that names the record and the reason. The District keeps a log of every request.",
		"de-escalation":   "De-escalation means using time, distance, calm communication and the help of school counselors to slow a situation down. The SRO uses de-escalation first, and uses force only when it has failed and a person is in immediate danger.",
	})
	if err != nil {
		return 0, 0, 0, err
	}
	for _, f := range []int64{records, deesc} {
		if err := c.drafter.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/feedback/%d/resolve", f), map[string]int{"revision": r3}, http.StatusOK, nil); err != nil {
			return 0, 0, 0, err
		}
	}
	if err := move(ctx, c.drafter, id, "liaison_review", "Comments answered in revision 3"); err != nil {
		return 0, 0, 0, err
	}
	m2, err := meet(ctx, c.districtClerk, id, "liaison_committee", "2026-10-13", "4.B", r3)
	if err != nil {
		return 0, 0, 0, err
	}
	if _, err := feedback(ctx, c.reviewer, m2, "complaints", "Publish the complaint process on the District's website in English and Spanish."); err != nil {
		return 0, 0, 0, err
	}
	if err := outcome(ctx, c.districtClerk, m2, "forward", nil, "", "Forwarded to the joint meeting; staff to answer the open comments before it."); err != nil {
		return 0, 0, 0, err
	}
	return id, r3, 2, nil
}

// executed takes the 2023 agreement through the liaison committee, the
// joint meeting and both governing bodies, then has its four signatories
// sign it in order, which executes it.
func executed(ctx context.Context, c cast) (int64, error) {
	id, err := createMOU(ctx, c.drafter, executedTitle, 2023)
	if err != nil {
		return 0, err
	}
	// The Youth Commission's asks, each traced to the text that meets it;
	// the public page of the executed agreement shows what became of them.
	recs, err := recommend(ctx, c.cityClerk, id, "Alder Creek Youth Commission", "Listening session on the SRO program", "2023-02-08",
		"Limit SRO access to student records to what the law allows.",
		"Keep SROs out of school discipline.",
		"Publish how many students SROs cite or arrest each year.")
	if err != nil {
		return 0, err
	}
	for i, key := range []string{"student-records", "school-discipline", "data-reporting"} {
		if err := dispose(ctx, c.drafter, id, recs[i], "met", 1, "", key); err != nil {
			return 0, err
		}
	}
	if err := move(ctx, c.drafter, id, "liaison_review", "Ready for the liaison committee"); err != nil {
		return 0, err
	}
	steps := []struct {
		clerk               *client
		body, date, item    string
		outcome, resolution string
		votes               []map[string]string
	}{
		{c.cityClerk, "liaison_committee", "2023-03-14", "3.A", "forward", "", nil},
		{c.districtClerk, "joint_meeting", "2023-04-20", "2", "forward", "", nil},
		{c.cityClerk, "city_council", "2023-05-02", "7.C", "approve", "Resolution 23-118", rollCall("Mayor Ana Ortiz", "Vice Mayor Leon Park", "Councilmember Jo Brandt", "Councilmember Sam Whitfield", "Councilmember Ruth Okoye")},
		{c.districtClerk, "school_board", "2023-05-09", "9.1", "approve", "Board Resolution 2023-14", rollCall("Trustee Grace Nakamura", "Trustee Omar Haddad", "Trustee Lily Chen", "Trustee Beth Sorensen", "Trustee Victor Ruiz")},
	}
	for _, st := range steps {
		m, err := meet(ctx, st.clerk, id, st.body, st.date, st.item, 1)
		if err != nil {
			return 0, err
		}
		if err := outcome(ctx, st.clerk, m, st.outcome, st.votes, st.resolution, "Approved as presented."); err != nil {
			return 0, err
		}
	}
	lines := make([]map[string]any, len(c.signers))
	for i, sg := range c.signers {
		lines[i] = map[string]any{"line": i + 1, "email": sg.client.email}
	}
	if err := c.drafter.call(ctx, http.MethodPut, fmt.Sprintf("/api/v1/mous/%d/signatories", id), map[string]any{"signatories": lines}, http.StatusOK, nil); err != nil {
		return 0, err
	}
	for _, sg := range c.signers {
		err := sg.client.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/signatures", id), map[string]any{
			"typed_name": sg.name, "consent": true, "password": sg.password}, http.StatusCreated, nil)
		if err != nil {
			return 0, err
		}
	}
	return id, nil
}

// amendment starts Amendment No. 1 of the executed agreement, extending
// its term by six months while the successor is reviewed, and submits it
// to the liaison committee.
func amendment(ctx context.Context, c cast, agreement int64) (int64, error) {
	var out struct {
		MOU struct {
			ID int64 `json:"id"`
		} `json:"mou"`
	}
	if err := c.drafter.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/amendments", agreement), nil, http.StatusCreated, &out); err != nil {
		return 0, err
	}
	id := out.MOU.ID
	err := c.drafter.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{
		"base": 1, "message": "Extend the term to December 31, 2026 while the 2026–2029 MOU is reviewed",
		"variables": map[string]string{"expiration_date": "2026-12-31"}}, http.StatusCreated, nil)
	if err != nil {
		return 0, err
	}
	return id, move(ctx, c.drafter, id, "liaison_review", "Term extension for the liaison committee")
}

func rollCall(members ...string) []map[string]string {
	out := make([]map[string]string, len(members))
	for i, m := range members {
		out[i] = map[string]string{"member": m, "vote": "aye"}
	}
	return out
}

func createMOU(ctx context.Context, drafter *client, title string, year int) (int64, error) {
	var out struct {
		MOU struct {
			ID int64 `json:"id"`
		} `json:"mou"`
	}
	err := drafter.call(ctx, http.MethodPost, "/api/v1/mous", map[string]any{
		"title": title, "template": "sro-mou",
		"parties":   map[string]string{"city": citySlug, "district": districtSlug},
		"variables": variables(year),
		"message":   "First draft from the SRO template",
	}, http.StatusCreated, &out)
	return out.MOU.ID, err
}

// revise saves the next revision replacing the given sections' bodies.
func revise(ctx context.Context, drafter *client, id int64, message string, bodies map[string]string) (int, error) {
	var cur struct {
		MOU struct {
			CurrentRevision int `json:"current_revision"`
		} `json:"mou"`
	}
	if err := drafter.call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/mous/%d", id), nil, http.StatusOK, &cur); err != nil {
		return 0, err
	}
	edits := make([]map[string]string, 0, len(bodies))
	for _, key := range sortedKeys(bodies) {
		edits = append(edits, map[string]string{"op": "update", "key": key, "body": bodies[key]})
	}
	var out struct {
		Revision int `json:"revision"`
	}
	err := drafter.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/revisions", id), map[string]any{
		"base": cur.MOU.CurrentRevision, "message": message, "edits": edits}, http.StatusCreated, &out)
	return out.Revision, err
}

func move(ctx context.Context, who *client, id int64, to, note string) error {
	return who.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/transitions", id), map[string]string{"to": to, "note": note}, http.StatusOK, nil)
}

func meet(ctx context.Context, clerk *client, id int64, body, date, item string, revision int) (int64, error) {
	var out struct {
		Meeting struct {
			ID int64 `json:"id"`
		} `json:"meeting"`
	}
	err := clerk.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/meetings", id), map[string]any{
		"body": body, "date": date, "location": hall, "agenda_item": item, "revision": revision}, http.StatusCreated, &out)
	return out.Meeting.ID, err
}

func feedback(ctx context.Context, who *client, meeting int64, section, text string) (int64, error) {
	var out struct {
		Feedback struct {
			ID int64 `json:"id"`
		} `json:"feedback"`
	}
	err := who.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/meetings/%d/feedback", meeting), map[string]string{
		"section": section, "text": text}, http.StatusCreated, &out)
	return out.Feedback.ID, err
}

func outcome(ctx context.Context, clerk *client, meeting int64, outcome string, votes []map[string]string, resolution, minutes string) error {
	if votes == nil {
		votes = []map[string]string{}
	}
	return clerk.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/meetings/%d/outcome", meeting), map[string]any{
		"outcome": outcome, "votes": votes, "resolution": resolution, "minutes": minutes}, http.StatusCreated, nil)
}

func stage(ctx context.Context, who *client, id int64) (string, error) {
	var out struct {
		MOU struct {
			Stage string `json:"stage"`
		} `json:"mou"`
	}
	err := who.call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/mous/%d", id), nil, http.StatusOK, &out)
	return out.MOU.Stage, err
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
