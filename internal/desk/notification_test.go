package desk_test

import (
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mou"
)

// notices are p's notifications of kind, oldest first.
func (e *env) notices(p *auth.Principal, kind string) []desk.Notification {
	e.t.Helper()
	all, err := e.svc.MyNotifications(e.ctx, actorOf(p), false, 0, desk.NoLimit)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []desk.Notification
	for _, n := range slices.Backward(all) {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// TestNotificationRecipients follows an MOU from draft to execution and
// checks who is told what at each act: reviewers of a meeting's body get
// its packet, its clerks the outcome to record, drafters the feedback,
// clerks a stale approval, and each signatory exactly one "your turn",
// when their order comes up.
func TestNotificationRecipients(t *testing.T) {
	e := newEnv(t)
	cityReviewer := e.user("reviewer@city.example", "Rey Viewer", "", "pleasanton", auth.RoleReviewer)
	districtReviewer := e.user("reviewer@district.example", "Dee Viewer", "", "pusd", auth.RoleReviewer)
	districtDrafter := e.user("drafter@district.example", "Dru Drafter", "", "pusd", auth.RoleDrafter)
	countyReviewer := e.user("reviewer@county.example", "Cy Viewer", "", "county", auth.RoleReviewer)
	id := e.createMOU().ID
	e.toApproval(id)

	// A council meeting: the city's reviewers get its packet, the city's
	// clerks (the one who scheduled it too) the outcome to record; nobody
	// of the district, nobody of a party not on the MOU.
	mt, err := e.svc.CreateMeeting(e.ctx, actorOf(e.cityClerk), id, desk.NewMeeting{Body: "city_council", Date: "2025-06-10", Revision: e.mou(id).CurrentRevision})
	if err != nil {
		t.Fatal(err)
	}
	packets := e.notices(cityReviewer, desk.NoticePacket)
	if len(packets) == 0 || packets[len(packets)-1].Link != "/meetings/"+itoa(mt.ID) || packets[len(packets)-1].Mail != desk.MailPending {
		t.Fatalf("city reviewer's packets: %+v", packets)
	}
	for _, p := range []*auth.Principal{districtReviewer, countyReviewer} {
		for _, n := range e.notices(p, desk.NoticePacket) {
			if n.Link == "/meetings/"+itoa(mt.ID) {
				t.Errorf("%s told of the council's packet", p.Email)
			}
		}
	}
	if got := e.notices(e.cityClerk, desk.NoticeOutcome); len(got) == 0 || got[len(got)-1].Link != "/meetings/"+itoa(mt.ID) {
		t.Errorf("city clerk's outcomes to record: %+v", got)
	}

	// A revision after the council's approval makes it stale: the city's
	// clerks are told.
	before := len(e.notices(e.cityClerk, desk.NoticeStale))
	e.outcome(e.cityClerk, id, "city_council", "approve", ayes(5))
	rev, err := e.svc.SaveRevision(e.ctx, actorOf(e.drafter), id, desk.RevisionRequest{Base: e.mou(id).CurrentRevision, Message: "after approval",
		Edits: []mou.Edit{{Op: "update", Key: "term", Body: new("This MOU runs for two school years.\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	stale := e.notices(e.cityClerk, desk.NoticeStale)
	if len(stale) != before+1 || stale[len(stale)-1].Link != "/mous/"+itoa(id) {
		t.Fatalf("city clerk's stale approvals after revision %d: %+v", rev.Number, stale)
	}
	if got := e.notices(e.districtClerk, desk.NoticeStale); len(got) != 0 {
		t.Errorf("the district's clerk was told of the council's stale approval: %+v", got)
	}

	// Feedback on a section (at the first council meeting): the drafters of both parties, not the
	// reviewer who raised it.
	if _, err := e.svc.CreateFeedback(e.ctx, actorOf(districtReviewer), mt.ID, "term", "Two years, not three.", ""); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*auth.Principal{e.drafter, districtDrafter} {
		if got := e.notices(p, desk.NoticeFeedback); len(got) != 1 || got[0].MOUID != id {
			t.Errorf("%s's feedback notices: %+v", p.Email, got)
		}
	}
	if got := e.notices(districtReviewer, desk.NoticeFeedback); len(got) != 0 {
		t.Errorf("the raiser was told of their own feedback: %+v", got)
	}

}

// TestYourTurnOncePerSignatory: each signatory is told exactly once, when
// every line of lower order has signed; a refused signature tells no one
// and writes no row; a digest preference holds the mail for the digest.
// Once executed, an amendment tells the parties' staff.
func TestYourTurnOncePerSignatory(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.SetNotificationPrefs(e.ctx, actorOf(e.president), map[string]string{desk.NoticeTurn: desk.DeliverDigest}); err != nil {
		t.Fatal(err)
	}
	id := e.approved() // in signature, lines 1–2 of order 1, 3–4 of order 2
	turns := func() map[string]int {
		out := map[string]int{}
		for _, p := range []*auth.Principal{e.chief, e.superintendent, e.manager, e.president} {
			out[p.Email] = len(e.notices(p, desk.NoticeTurn))
		}
		return out
	}
	want := map[string]int{e.chief.Email: 1, e.superintendent.Email: 1, e.manager.Email: 0, e.president.Email: 0}
	if got := turns(); !maps.Equal(got, want) {
		t.Fatalf("after assignment in signature: %v, want %v", got, want)
	}
	// Out of order: refused, nothing recorded.
	e.unchanged("manager signs before order 1", "signature_order", func() error { _, err := e.sign(e.manager, id); return err })
	if _, err := e.sign(e.chief, id); err != nil {
		t.Fatal(err)
	}
	if got := turns(); !maps.Equal(got, want) {
		t.Fatalf("after the chief signed: %v, want %v", got, want)
	}
	if _, err := e.sign(e.superintendent, id); err != nil {
		t.Fatal(err)
	}
	want[e.manager.Email], want[e.president.Email] = 1, 1
	if got := turns(); !maps.Equal(got, want) {
		t.Fatalf("after order 1 signed: %v, want %v", got, want)
	}
	n := e.notices(e.manager, desk.NoticeTurn)[0]
	if n.Link != "/mous/"+itoa(id)+"/sign" || n.Mail != desk.MailPending || n.Read {
		t.Errorf("manager's notice %+v", n)
	}
	if p := e.notices(e.president, desk.NoticeTurn)[0]; p.Mail != desk.MailDigest || p.NextAttemptAt == nil {
		t.Errorf("president (digest) notice %+v", p)
	}
	for _, p := range []*auth.Principal{e.manager, e.president} {
		if _, err := e.sign(p, id); err != nil {
			t.Fatal(err)
		}
	}
	if got := turns(); !maps.Equal(got, want) {
		t.Fatalf("after execution: %v, want %v", got, want)
	}

	// The list is each user's own: read state, another's is 404.
	if _, err := e.svc.MarkRead(e.ctx, actorOf(e.chief), n.ID); !moudesk.IsKind(err, moudesk.KindNotFound) {
		t.Errorf("the chief marking the manager's notice: %v, want not found", err)
	}
	if got, err := e.svc.MarkRead(e.ctx, actorOf(e.manager), n.ID); err != nil || !got.Read {
		t.Errorf("mark read: %+v %v", got, err)
	}
	if c, err := e.svc.UnreadNotifications(e.ctx, actorOf(e.manager)); err != nil || c != 0 {
		t.Errorf("manager's unread after reading: %d %v", c, err)
	}

	// An amendment of the executed agreement: the staff of both parties
	// are told, not the drafter who started it; a second one while it is
	// open is refused and tells no one.
	am, err := e.svc.CreateAmendment(e.ctx, actorOf(e.drafter), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*auth.Principal{e.districtClerk, e.cityClerk, e.president} {
		if got := e.notices(p, desk.NoticeAmendment); len(got) != 1 || got[0].Link != "/mous/"+itoa(am.ID) || got[0].MOUID != am.ID {
			t.Errorf("%s's amendment notices: %+v", p.Email, got)
		}
	}
	if got := e.notices(e.drafter, desk.NoticeAmendment); len(got) != 0 {
		t.Errorf("the drafter was told of their own amendment: %+v", got)
	}
	e.unchanged("a second amendment while the first is open", "amendment_in_progress", func() error {
		_, err := e.svc.CreateAmendment(e.ctx, actorOf(e.drafter), id)
		return err
	})
}

// TestNotificationPrefsRefused: an unknown kind or delivery is 422 and
// nothing is saved.
func TestNotificationPrefsRefused(t *testing.T) {
	e := newEnv(t)
	for name, prefs := range map[string]map[string]string{
		"unknown_kind":     {"lunch": desk.DeliverOff},
		"invalid_delivery": {desk.NoticeTurn: "hourly"},
		"missing_field":    {},
	} {
		if _, err := e.svc.SetNotificationPrefs(e.ctx, actorOf(e.chief), prefs); codeOf(err) != name {
			t.Errorf("%v: %v, want %s", prefs, err, name)
		}
	}
	got, err := e.svc.NotificationPrefs(e.ctx, actorOf(e.chief))
	if err != nil || got[desk.NoticeTurn] != desk.DeliverImmediately || len(got) != len(desk.NoticeKinds()) {
		t.Errorf("prefs after refusals: %v %v", got, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
