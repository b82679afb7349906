package load

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/moudesk/moudesk/clauses"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/redline"
)

// Identities are the accounts a run uses: a drafter (MOUs and revisions)
// and a clerk of the city party (meetings, feedback, outcomes), and the two
// party slugs MOUs are made between.
type Identities struct {
	DrafterToken    string
	DrafterEmail    string // with DrafterPassword: sign in instead of a token
	DrafterPassword string
	ClerkToken      string
	City            string
	District        string
}

// Provision creates two parties, a drafter and a clerk with API tokens by
// running the moudesk operator commands against the server's database, the
// way an operator would. Names carry a random suffix so runs can repeat on
// one database.
func Provision(ctx context.Context, moudeskBin, dbPath string) (Identities, error) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	sfx := hex.EncodeToString(b[:])
	run := func(stdin string, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, moudeskBin, append([]string{"--db", dbPath}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("moudesk %s: %w: %s", strings.Join(args, " "), err, errb.String())
		}
		return strings.TrimSpace(out.String()), nil
	}
	id := Identities{City: "load-city-" + sfx, District: "load-district-" + sfx}
	if _, err := run("", "party", "add", "--slug", id.City, "--name", "City of Loadtown "+sfx, "--kind", "city", "--body", "City Council"); err != nil {
		return id, err
	}
	if _, err := run("", "party", "add", "--slug", id.District, "--name", "Loadtown Unified "+sfx, "--kind", "district", "--body", "Board of Trustees"); err != nil {
		return id, err
	}
	users := []struct {
		email, role string
		token       *string
	}{
		{"drafter-" + sfx + "@load.test", "drafter", &id.DrafterToken},
		{"clerk-" + sfx + "@load.test", "clerk", &id.ClerkToken},
	}
	for _, u := range users {
		pw := "load-" + sfx + "-" + u.role + "-password"
		if _, err := run(pw+"\n", "user", "add", "--email", u.email, "--name", u.role+" "+sfx, "--role", u.role, "--party", id.City, "--password-stdin"); err != nil {
			return id, err
		}
		// A token acts for the user who creates it, proved by their password.
		tok, err := run(pw+"\n", "token", "create", "--email", u.email, "--label", "moudesk-load", "--password-stdin")
		if err != nil {
			return id, err
		}
		*u.token = tok
	}
	return id, nil
}

// variables gives every required template variable without a default a
// plausible value of its type, from the shipped clause library.
func variables() (map[string]string, error) {
	lib, err := clause.LoadFS(clauses.FS)
	if err != nil {
		return nil, fmt.Errorf("shipped clause library: %w", err)
	}
	out := clause.ExampleValues(lib)
	out["effective_date"], out["expiration_date"] = "2025-07-01", "2028-06-30"
	delete(out, "amendment_effective_date") // only the amendment template uses it
	return out, nil
}

// createMOU makes an MOU from the shipped SRO template and returns its id.
func createMOU(ctx context.Context, c *Client, id Identities, title string, vars map[string]string) (int64, error) {
	var out struct {
		MOU struct {
			ID int64 `json:"id"`
		} `json:"mou"`
	}
	err := c.must(ctx, http.MethodPost, "/api/v1/mous", map[string]any{
		"title": title, "template": "sro-mou",
		"parties":   map[string]string{"city": id.City, "district": id.District},
		"variables": vars,
	}, http.StatusCreated, &out)
	return out.MOU.ID, err
}

// revisionSections reads revision n's sections.
func revisionSections(ctx context.Context, c *Client, mouID int64, n int) ([]section, error) {
	var out struct {
		Revision struct {
			Sections []section `json:"sections"`
		} `json:"revision"`
	}
	err := c.must(ctx, http.MethodGet, fmt.Sprintf("/api/v1/mous/%d/revisions/%d", mouID, n), nil, http.StatusOK, &out)
	return out.Revision.Sections, err
}

// benchSections cuts a bench document into sections as a drafter would
// paste them: the text under each heading, the title and preamble left out.
func benchSections(path string) ([]section, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read bench document: %w", err)
	}
	var out []section
	for _, s := range redline.Split(string(raw)).Sections {
		if s.Heading == "" || strings.HasPrefix(s.Text, "# ") {
			continue
		}
		body := s.Text
		if i := strings.IndexByte(body, '\n'); i >= 0 {
			body = body[i+1:]
		} else {
			body = ""
		}
		out = append(out, section{Key: s.Key, Heading: s.Heading, Body: body})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no sections", path)
	}
	return out, nil
}

// createBenchMOU makes an MOU whose revisions 2 and 3 are the 40-page bench
// pair (revision 1 is the template's): the redline 2→3 is the bench redline.
func createBenchMOU(ctx context.Context, c *Client, id Identities, vars map[string]string, benchDir string) (int64, error) {
	v1, err := benchSections(filepath.Join(benchDir, "mou-40p.md"))
	if err != nil {
		return 0, err
	}
	v2, err := benchSections(filepath.Join(benchDir, "mou-40p-v2.md"))
	if err != nil {
		return 0, err
	}
	mouID, err := createMOU(ctx, c, id, "Bench MOU (40 pages)", vars)
	if err != nil {
		return 0, err
	}
	for i, secs := range [][]section{v1, v2} {
		err := c.must(ctx, http.MethodPost, fmt.Sprintf("/api/v1/mous/%d/revisions", mouID), map[string]any{
			"base": i + 1, "message": fmt.Sprintf("bench document %d", i+1), "sections": secs,
		}, http.StatusCreated, nil)
		if err != nil {
			return 0, err
		}
	}
	return mouID, nil
}
