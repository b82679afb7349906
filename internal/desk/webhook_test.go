package desk_test

import (
	"slices"
	"testing"
	"time"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
)

// TestWebhookCursors reads the audit log a few events at a time, as the
// worker does when it is far behind: a webhook hears of every act on its
// party's MOUs from its registration on, once, and never of an act before
// it, even when it was registered past the end of what a pass read.
func TestWebhookCursors(t *testing.T) {
	e := newEnv(t)
	admin := actorOf(e.user("it@city.example", "Ida Admin", "", "pleasanton", auth.RoleAdmin))
	register := func() int64 {
		t.Helper()
		w, secret, err := e.svc.RegisterWebhook(e.ctx, admin, desk.NewWebhook{URL: "https://93.184.215.14/hook", Events: []string{"mou.created", "mou.created"}})
		if err != nil || secret == "" || !slices.Equal(w.Events, []string{"mou.created"}) {
			t.Fatalf("register: %+v, %v", w, err)
		}
		return w.ID
	}
	early := register()
	var ids []int64
	for range 3 {
		ids = append(ids, e.createMOU().ID)
	}
	late := register()
	ids = append(ids, e.createMOU().ID)
	for range 20 {
		if err := e.svc.EnqueueWebhooks(e.ctx, "https://moudesk.example.org", time.Now(), 2); err != nil {
			t.Fatal(err)
		}
	}
	mous := func(hook int64) []int64 {
		t.Helper()
		ds, err := e.svc.WebhookDeliveriesOf(e.ctx, admin, hook, desk.NoLimit)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, d := range ds {
			out = append(out, d.MOUID)
		}
		slices.Sort(out)
		return out
	}
	if got := mous(early); !slices.Equal(got, ids) {
		t.Errorf("the early webhook heard of MOUs %v, want %v", got, ids)
	}
	if got := mous(late); !slices.Equal(got, ids[3:]) {
		t.Errorf("the late webhook heard of MOUs %v, want only %v, created after it", got, ids[3:])
	}
	// The district's admin is on these MOUs but registered nothing; a
	// drafter may not register at all.
	district := actorOf(e.user("it@district.example", "Dan Admin", "", "pusd", auth.RoleAdmin))
	if _, err := e.svc.WebhookOf(e.ctx, district, early); codeOf(err) != "not_found" {
		t.Errorf("another party's admin reads the webhook: %v", err)
	}
	if _, _, err := e.svc.RegisterWebhook(e.ctx, actorOf(e.drafter), desk.NewWebhook{URL: "https://93.184.215.14/", Events: []string{"mou.created"}}); codeOf(err) != "forbidden" {
		t.Errorf("a drafter registers a webhook: %v", err)
	}
}
