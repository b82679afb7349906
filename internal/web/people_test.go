package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/sqlite"
)

// The JSON API for parties and people: anyone signed in lists the parties;
// an admin lists every account, anyone else only their own party's people,
// so no address of another party's staff leaks; an admin invites people,
// and an address that cannot be one is 422 naming the field, no row
// written.

type peopleEnv struct {
	t   *testing.T
	db  *sqlite.DB
	url string
}

func (e *peopleEnv) call(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func (e *peopleEnv) users() int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRowForTest(context.Background(), "SELECT count(*) FROM users").Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestPeopleAPI(t *testing.T) {
	db, url, token := startTestServer(t,
		desk.Party{Slug: city, Name: "City of Pleasanton", Kind: "city", Body: "City Council"},
		desk.Party{Slug: district, Name: "Pleasanton Unified School District", Kind: "district", Body: "Board of Trustees"})
	e := &peopleEnv{t: t, db: db, url: url}
	admin := token("admin@moudesk.example", "", auth.RoleAdmin)
	cityDrafter := token("drafter@city.example", city, auth.RoleDrafter)
	token("clerk@city.example", city, auth.RoleClerk)
	districtSignatory := token("super@district.example", district, auth.RoleSignatory)
	loner := token("ops@moudesk.example", "", auth.RoleDrafter)

	t.Run("Parties", func(t *testing.T) {
		status, body := e.call(http.MethodGet, "/api/v1/parties", districtSignatory, nil)
		var got struct{ Parties []desk.Party }
		if err := json.Unmarshal(body, &got); status != 200 || err != nil {
			t.Fatalf("GET /api/v1/parties = %d %s", status, body)
		}
		var slugs []string
		for _, p := range got.Parties {
			if p.ID == 0 || p.Name == "" || p.Kind == "" || p.Body == "" {
				t.Errorf("party %+v lacks a field", p)
			}
			slugs = append(slugs, p.Slug)
		}
		if !slices.Equal(slugs, []string{city, district}) && !slices.Equal(slugs, []string{district, city}) {
			t.Errorf("parties = %v, want %s and %s", slugs, city, district)
		}
		if status, _ := e.call(http.MethodGet, "/api/v1/parties", "", nil); status != http.StatusUnauthorized {
			t.Errorf("GET /api/v1/parties signed out = %d, want 401", status)
		}
	})

	t.Run("Users", func(t *testing.T) {
		for _, tc := range []struct {
			name, token string
			want        []string
		}{
			{"Admin", admin, []string{"admin@moudesk.example", "clerk@city.example", "drafter@city.example", "ops@moudesk.example", "super@district.example"}},
			{"CityDrafter", cityDrafter, []string{"clerk@city.example", "drafter@city.example"}},
			{"DistrictSignatory", districtSignatory, []string{"super@district.example"}},
			{"NoParty", loner, []string{"ops@moudesk.example"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body := e.call(http.MethodGet, "/api/v1/users", tc.token, nil)
				var got struct{ Users []desk.User }
				if err := json.Unmarshal(body, &got); status != 200 || err != nil {
					t.Fatalf("GET /api/v1/users = %d %s", status, body)
				}
				var emails []string
				for _, u := range got.Users {
					emails = append(emails, u.Email)
				}
				slices.Sort(emails)
				if !slices.Equal(emails, tc.want) {
					t.Errorf("users = %v, want %v", emails, tc.want)
				}
				// Nobody's secret is in the list, nor anyone the caller
				// may not see.
				for _, leak := range []string{"password", "hash", "token"} {
					if bytes.Contains(bytes.ToLower(body), []byte(leak)) && !strings.Contains(string(body), "must_change_password") {
						t.Errorf("the list mentions %q: %s", leak, body)
					}
				}
			})
		}
	})

	t.Run("InviteRefusesBadAddresses", func(t *testing.T) {
		for _, email := range []string{"nope", "dana@", "@city.example", "dana@@city.example", "dana clerk@city.example",
			"Dana <dana@city.example>", "dana@city.example (Dana)", strings.Repeat("d", 250) + "@city.example"} {
			before := e.users()
			status, body := e.call(http.MethodPost, "/api/v1/users", admin, map[string]any{
				"email": email, "name": "Dana", "party": city, "roles": []string{"clerk"}})
			var got struct{ Error struct{ Code, Field string } }
			json.Unmarshal(body, &got)
			if status != http.StatusUnprocessableEntity || got.Error.Code != "invalid_email" || got.Error.Field != "email" {
				t.Errorf("invite %q = %d %s; want 422 invalid_email on email", email, status, body)
			}
			if after := e.users(); after != before {
				t.Errorf("invite %q (refused) added a user", email)
			}
		}
		status, body := e.call(http.MethodPost, "/api/v1/users", admin, map[string]any{
			"email": "dana@city.example", "name": "Dana", "party": city, "roles": []string{"clerk"}})
		if status != http.StatusCreated || !bytes.Contains(body, []byte(`/invite?token=`)) {
			t.Fatalf("invite = %d %s", status, body)
		}
		if status, _ := e.call(http.MethodPost, "/api/v1/users", cityDrafter, map[string]any{
			"email": "eve@city.example", "name": "Eve", "party": city, "roles": []string{"clerk"}}); status != http.StatusForbidden {
			t.Errorf("a drafter's invitation = %d, want 403", status)
		}
	})
}
