package sqlite

import (
	"context"
	"encoding/binary"
	"fmt"
	"html"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/moudesk/moudesk/internal/desk"
)

// Column weights for BM25, in clause_search column order: slug and
// category are not indexed; a hit in the title counts most.
var bm25Weights = [...]float64{0, 6, 3, 1, 0}

// Sentinels mark snippet hits before escaping; they cannot occur in clause
// text because Parse refuses control characters.
const markOpen, markClose = "\x02", "\x03"

// SearchClauses lists clauses, ranked by BM25 when Text is set.
func (db *DB) SearchClauses(ctx context.Context, q desk.ClauseQuery) ([]desk.ClauseHit, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 200
	}
	match := ftsQuery(q.Text)
	if strings.TrimSpace(q.Text) != "" && match == "" {
		return []desk.ClauseHit{}, nil // only punctuation: nothing can match
	}
	var rows interface {
		Next() bool
		Scan(...any) error
		Close() error
		Err() error
	}
	var err error
	const cols = `c.slug, v.title, v.category, v.summary, v.version`
	if match == "" {
		query := `SELECT ` + cols + ` FROM clauses c JOIN clause_versions v ON v.clause_id = c.id AND v.version = c.latest_version
			WHERE (? = '' OR v.category = ?) ORDER BY v.category, v.title LIMIT ?`
		rows, err = db.read.QueryContext(ctx, query, q.Category, q.Category, q.Limit)
	} else if db.server != nil {
		return db.searchOnServer(ctx, q)
	} else {
		query := `SELECT ` + cols + `, snippet(clause_search, ?, ?, '…', -1, 24), matchinfo(clause_search, 'pcnalx')
			FROM clause_search s JOIN clauses c ON c.id = s.rowid
			JOIN clause_versions v ON v.clause_id = c.id AND v.version = c.latest_version
			WHERE clause_search MATCH ? AND (? = '' OR v.category = ?)`
		rows, err = db.read.QueryContext(ctx, query, markOpen, markClose, match, q.Category, q.Category)
	}
	if err != nil {
		return nil, fmt.Errorf("search clauses: %w", err)
	}
	defer rows.Close()
	hits := []desk.ClauseHit{}
	for rows.Next() {
		var h desk.ClauseHit
		if match == "" {
			if err := rows.Scan(&h.Slug, &h.Title, &h.Category, &h.Summary, &h.Version); err != nil {
				return nil, fmt.Errorf("scan clause: %w", err)
			}
		} else {
			var snippet string
			var info []byte
			if err := rows.Scan(&h.Slug, &h.Title, &h.Category, &h.Summary, &h.Version, &snippet, &info); err != nil {
				return nil, fmt.Errorf("scan clause hit: %w", err)
			}
			h.Snippet = markSnippet(snippet)
			h.Score = bm25(info, bm25Weights[:])
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search clauses: %w", err)
	}
	if match != "" {
		sort.SliceStable(hits, func(i, j int) bool {
			if hits[i].Score != hits[j].Score {
				return hits[i].Score > hits[j].Score
			}
			return hits[i].Slug < hits[j].Slug
		})
		if len(hits) > q.Limit {
			hits = hits[:q.Limit]
		}
	}
	return hits, nil
}

// ftsQuery turns what a person typed into a safe FTS4 query: each
// whitespace-separated term becomes a quoted phrase of its word tokens, so
// "de-escalation" matches the adjacent tokens "de escalation" and no
// operator or quote in the input reaches the FTS parser.
func ftsQuery(text string) string {
	var phrases []string
	for _, term := range strings.Fields(text) {
		words := strings.FieldsFunc(term, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if len(words) == 0 {
			continue
		}
		phrases = append(phrases, `"`+strings.ToLower(strings.Join(words, " "))+`"`)
	}
	return strings.Join(phrases, " ")
}

// markSnippet escapes the snippet for HTML and turns the sentinels FTS put
// around each hit into <mark> elements.
func markSnippet(s string) string {
	s = html.EscapeString(s)
	s = strings.ReplaceAll(s, markOpen, "<mark>")
	return strings.ReplaceAll(s, markClose, "</mark>")
}

// bm25 scores one row from FTS4's matchinfo 'pcnalx' blob (32-bit
// native-endian integers: phrases, columns, rows, average column lengths,
// this row's column lengths, then per phrase and column: hits in this row,
// hits in all rows, rows with a hit). Standard k1 = 1.2, b = 0.75.
func bm25(info []byte, weights []float64) float64 {
	u := func(i int) float64 {
		if 4*i+4 > len(info) {
			return 0
		}
		return float64(binary.NativeEndian.Uint32(info[4*i:]))
	}
	const k1, b = 1.2, 0.75
	p, c, n := int(u(0)), int(u(1)), u(2)
	avg := func(col int) float64 { return u(3 + col) }
	length := func(col int) float64 { return u(3 + c + col) }
	x := 3 + 2*c
	score := 0.0
	for i := 0; i < p; i++ {
		for col := 0; col < c && col < len(weights); col++ {
			base := x + 3*(i*c+col)
			tf, docs := u(base), u(base+2)
			if tf == 0 || weights[col] == 0 {
				continue
			}
			idf := math.Log(1 + (n-docs+0.5)/(docs+0.5))
			norm := 1 - b
			if a := avg(col); a > 0 {
				norm += b * length(col) / a
			}
			score += weights[col] * idf * tf * (k1 + 1) / (tf + k1*norm)
		}
	}
	return score
}

// searchOnServer is SearchClauses on PostgreSQL: its full-text search in
// place of FTS4, with the same terms (each typed term a phrase of its
// word tokens, all of them required), hits in the title weighted most,
// and ts_headline's snippet with the same marks. Scores are PostgreSQL's
// ts_rank, not BM25, so the order of equally good hits may differ from
// SQLite's.
func (db *DB) searchOnServer(ctx context.Context, q desk.ClauseQuery) ([]desk.ClauseHit, error) {
	var phrases []string
	for _, term := range strings.Fields(q.Text) {
		words := strings.FieldsFunc(term, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if len(words) > 0 {
			phrases = append(phrases, "("+strings.ToLower(strings.Join(words, " <-> "))+")")
		}
	}
	rows, err := db.read.QueryContext(ctx, `SELECT c.slug, v.title, v.category, v.summary, v.version,
			ts_headline('simple', s.title || ' ' || s.summary || ' ' || s.body, query,
				'StartSel="' || ? || '", StopSel="' || ? || '", MaxWords=24, MinWords=8'),
			ts_rank('{0, 0.2, 0.5, 1.0}', s.doc, query) AS score
		FROM clause_search s JOIN clauses c ON c.id = s.rowid
		JOIN clause_versions v ON v.clause_id = c.id AND v.version = c.latest_version,
		to_tsquery('simple', ?) query
		WHERE s.doc @@ query AND (? = '' OR v.category = ?)
		ORDER BY score DESC, c.slug LIMIT ?`,
		markOpen, markClose, strings.Join(phrases, " & "), q.Category, q.Category, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("search clauses: %w", err)
	}
	return collect(rows, "clause hits", func(r rowScanner) (*desk.ClauseHit, error) {
		var h desk.ClauseHit
		var snippet string
		if err := r.Scan(&h.Slug, &h.Title, &h.Category, &h.Summary, &h.Version, &snippet, &h.Score); err != nil {
			return nil, err
		}
		h.Snippet = markSnippet(snippet)
		return &h, nil
	})
}
