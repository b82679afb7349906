package demo

import (
	"context"
	"fmt"
	"net/http"
)

// processes plays one MOU through each of the other shipped processes, up
// to where a visitor sees that process at work: the advisory team's
// review, a working group's MOU half approved, and a three-party
// agreement before its three bodies.
func processes(ctx context.Context, c cast) ([]ProcessMOU, error) {
	var out []ProcessMOU
	for _, play := range []func(context.Context, cast) (ProcessMOU, error){advisoryTeam, workingGroup, regional} {
		p, err := play(ctx, c)
		if err != nil {
			return nil, err
		}
		if p.Stage, err = stage(ctx, c.reviewer, p.ID); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// create makes an MOU from template on workflow as drafter.
func create(ctx context.Context, drafter *client, title, template, workflow string, parties, vars map[string]string) (int64, error) {
	var out struct {
		MOU struct {
			ID int64 `json:"id"`
		} `json:"mou"`
	}
	err := drafter.call(ctx, http.MethodPost, "/api/v1/mous", map[string]any{
		"title": title, "template": template, "workflow": workflow, "parties": parties, "variables": vars,
		"message": "First draft from the " + template + " template",
	}, http.StatusCreated, &out)
	return out.MOU.ID, err
}

// advisoryTeam is Duluth's process: the SRO advisory team reviews the
// contract the police department drafted; the school board alone votes.
// The team has met once and asked for the contract to follow the school
// calendar.
func advisoryTeam(ctx context.Context, c cast) (ProcessMOU, error) {
	p := ProcessMOU{Title: "Alder Creek SRO contract, advisory team review", Workflow: "advisory-board"}
	var err error
	if p.ID, err = create(ctx, c.drafter, p.Title, "sro-mou", p.Workflow,
		map[string]string{"city": citySlug, "district": districtSlug}, variables(2027)); err != nil {
		return p, err
	}
	recs, err := recommend(ctx, c.districtClerk, p.ID, "SRO Advisory Team", "Recommendations for a new contract", "2027-05-18",
		"Assign SROs to sites on teacher work days and professional-development days.",
		"Change the contract's dates to follow the school year.",
		"Publicly share scheduled and completed SRO training, and discipline and citation data.")
	if err != nil {
		return p, err
	}
	if err := dispose(ctx, c.drafter, p.ID, recs[1], "met", 1, "The contract year already follows the District's calendar.", "school-year"); err != nil {
		return p, err
	}
	if err := move(ctx, c.drafter, p.ID, "advisory_review", "Draft contract for the SRO advisory team"); err != nil {
		return p, err
	}
	m, err := meet(ctx, c.districtClerk, p.ID, "advisory_team", "2027-06-07", "2", 1)
	if err != nil {
		return p, err
	}
	if _, err := feedback(ctx, c.reviewer, m, "work-days", "Assign SROs to sites on teacher work days and professional-development days."); err != nil {
		return p, err
	}
	if _, err := feedback(ctx, c.reviewer, m, "vacation-coverage", "Schedule SRO vacation outside school days, or ensure full coverage when an SRO is on vacation."); err != nil {
		return p, err
	}
	return p, outcome(ctx, c.districtClerk, m, "revise", nil, "", "The advisory team asked the department to answer its recommendations.")
}

// workingGroup is Claremont's process: a working group the mayor appoints
// reviews the draft and forwards it to the City Council and the Board of
// Education, which share the SRO's funding. The council has approved; the
// board has not met yet.
func workingGroup(ctx context.Context, c cast) (ProcessMOU, error) {
	p := ProcessMOU{Title: "Alder Creek reimagined SRO program MOU", Workflow: "working-group"}
	var err error
	if p.ID, err = create(ctx, c.drafter, p.Title, "sro-mou", p.Workflow,
		map[string]string{"city": citySlug, "district": districtSlug}, variables(2028)); err != nil {
		return p, err
	}
	if err := move(ctx, c.drafter, p.ID, "working_group_review", "For the mayor's working group"); err != nil {
		return p, err
	}
	m, err := meet(ctx, c.cityClerk, p.ID, "working_group", "2028-03-02", "1", 1)
	if err != nil {
		return p, err
	}
	if err := outcome(ctx, c.cityClerk, m, "forward", nil, "", "The working group recommends the MOU to the council."); err != nil {
		return p, err
	}
	cc, err := meet(ctx, c.cityClerk, p.ID, "city_council", "2028-04-11", "6.B", 1)
	if err != nil {
		return p, err
	}
	return p, outcome(ctx, c.cityClerk, cc, "approve", rollCall("Mayor Ana Ortiz", "Vice Mayor Leon Park", "Councilmember Jo Brandt", "Councilmember Sam Whitfield", "Councilmember Ruth Okoye"),
		"Resolution 28-041", "Approved on the working group's recommendation.")
}

// regional is Calgary's process: a police service and two school
// districts; the stakeholder roundtable forwarded the draft and the police
// commission approved it; the two boards have yet to vote.
func regional(ctx context.Context, c cast) (ProcessMOU, error) {
	p := ProcessMOU{Title: "Cedar Valley School Resource Officer Program MOU", Workflow: "roundtable-commission"}
	vars := variables(2027)
	vars["city_name"] = "City of Cedar Valley"
	var err error
	if p.ID, err = create(ctx, c.policeDrafter, p.Title, "sro-mou-regional", p.Workflow,
		map[string]string{"police_service": policeSlug, "district": districtSlug, "district_2": district2Slug}, vars); err != nil {
		return p, err
	}
	if err := move(ctx, c.policeDrafter, p.ID, "roundtable_review", "For the stakeholder roundtable"); err != nil {
		return p, err
	}
	m, err := meet(ctx, c.district2Clerk, p.ID, "roundtable", "2027-05-12", "1", 1)
	if err != nil {
		return p, err
	}
	if err := outcome(ctx, c.district2Clerk, m, "forward", nil, "", "The roundtable agreed the action plan and forwarded the MOU."); err != nil {
		return p, err
	}
	cpc, err := meet(ctx, c.policeClerk, p.ID, "police_commission", "2027-06-21", "4", 1)
	if err != nil {
		return p, err
	}
	if err := outcome(ctx, c.policeClerk, cpc, "approve", rollCall("Chair Imani Reyes", "Vice Chair Tom Adeyemi", "Commissioner Lucía Ferrer"),
		"CVPC 2027-12", "Approved."); err != nil {
		return p, fmt.Errorf("commission approval: %w", err)
	}
	return p, nil
}

// recommend records a body's recommendations on MOU id, in order, and
// returns their ids.
func recommend(ctx context.Context, who *client, id int64, body, title, date string, texts ...string) ([]int64, error) {
	recs := make([]map[string]any, len(texts))
	for i, t := range texts {
		recs[i] = map[string]any{"source": map[string]string{"body": body, "title": title, "date": date, "item": fmt.Sprint(i + 1)}, "text": t}
	}
	var out struct {
		Recommendations []struct {
			ID int64 `json:"id"`
		} `json:"recommendations"`
	}
	if err := who.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/recommendations", id), map[string]any{"recommendations": recs}, http.StatusCreated, &out); err != nil {
		return nil, err
	}
	ids := make([]int64, len(out.Recommendations))
	for i, r := range out.Recommendations {
		ids[i] = r.ID
	}
	return ids, nil
}

// dispose records what became of recommendation rec of MOU id.
func dispose(ctx context.Context, who *client, id, rec int64, disposition string, revision int, reason string, sections ...string) error {
	return who.call(ctx, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/recommendations/%d/disposition", id, rec), map[string]any{
		"disposition": disposition, "sections": sections, "revision": revision, "reason": reason}, http.StatusOK, nil)
}
