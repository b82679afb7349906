package desk

import (
	"time"

	"github.com/moudesk/moudesk/internal/clause"
)

// ClauseVersion is one immutable version of a library clause.
type ClauseVersion struct {
	Slug      string            `json:"slug"`
	Version   int               `json:"version"`
	Title     string            `json:"title"`
	Category  string            `json:"category"`
	Summary   string            `json:"summary"`
	Variables []clause.Variable `json:"variables"`
	// Obligations are the duties the clause declares (omitted when none).
	Obligations []clause.Obligation `json:"obligations,omitempty"`
	Body        string              `json:"body"`
	Author      string              `json:"author"`
	Note        string              `json:"note"`
	Shipped     bool                `json:"shipped"`
	CreatedAt   time.Time           `json:"created_at"`
}

// Clause returns the parsed clause this version holds.
func (v *ClauseVersion) Clause() *clause.Clause {
	return &clause.Clause{Slug: v.Slug, Title: v.Title, Category: v.Category, Summary: v.Summary, Variables: v.Variables, Obligations: v.Obligations, Body: v.Body}
}

// VersionInfo is a line of a clause's history.
type VersionInfo struct {
	Version   int       `json:"version"`
	Author    string    `json:"author"`
	Note      string    `json:"note"`
	Shipped   bool      `json:"shipped"`
	CreatedAt time.Time `json:"created_at"`
}

// SyncReport says what loading the shipped library did.
type SyncReport struct {
	Added     []string // new clauses
	Updated   []string // shipped text changed: a new version by system
	Kept      []string // shipped text changed but the clause was edited here: left alone
	Unchanged int
}

// ClauseHit is one clause in a library listing or search result.
type ClauseHit struct {
	Slug     string  `json:"slug"`
	Title    string  `json:"title"`
	Category string  `json:"category"`
	Summary  string  `json:"summary"`
	Version  int     `json:"version"`
	Snippet  string  `json:"snippet,omitempty"` // HTML: escaped text with <mark> around hits
	Score    float64 `json:"score,omitempty"`
}

// ClauseQuery filters the library.
type ClauseQuery struct {
	Text     string // full-text query; empty lists everything
	Category string
	Limit    int
}
