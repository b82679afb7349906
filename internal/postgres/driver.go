package postgres

// The database/sql driver the store's SQL runs through: pgx's, with the
// statement text and arguments brought from the form internal/sqlite
// writes them in ("?" placeholders, bools as 0 and 1) to PostgreSQL's.

import (
	"context"
	"database/sql/driver"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// connector opens pgx connections that rewrite statements.
type connector struct{ inner driver.Connector }

func newConnector(cfg *pgx.ConnConfig) connector {
	return connector{inner: stdlib.GetConnector(*cfg)}
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: dc.(*stdlib.Conn)}, nil
}

func (c connector) Driver() driver.Driver { return c.inner.Driver() }

// conn is a pgx connection taking the store's statements.
type conn struct{ *stdlib.Conn }

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rewrite(query))
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rewrite(query))
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rewrite(query), args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rewrite(query), args)
}

// CheckNamedValue passes every argument to pgx as it is, except a bool:
// the schema keeps SQLite's 0/1 integer flags, which pgx will not fill
// from a bool.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		if b {
			nv.Value = int64(1)
		} else {
			nv.Value = int64(0)
		}
	}
	return nil
}

// dialect holds the spellings PostgreSQL needs of the store's statements
// that are not placeholders: the one SQLite table function the store
// uses, reading a JSON array of ids as rows.
var dialect = strings.NewReplacer(
	"FROM json_each(?) j JOIN section_bodies b ON b.id = j.value",
	"FROM jsonb_array_elements_text(?::jsonb) j(value) JOIN section_bodies b ON b.id = j.value::bigint",
)

// rewrite turns the store's "?" placeholders into PostgreSQL's $1, $2…,
// leaving question marks in string literals, quoted identifiers and
// comments alone.
func rewrite(query string) string {
	if strings.Contains(query, "json_each(") {
		query = dialect.Replace(query)
	}
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		ch := query[i]
		switch {
		case ch == '\'' || ch == '"':
			j := i + 1
			for j < len(query) {
				if query[j] == ch {
					if j+1 < len(query) && query[j+1] == ch {
						j += 2 // doubled quote inside
						continue
					}
					break
				}
				j++
			}
			b.WriteString(query[i:min(j+1, len(query))])
			i = j
		case ch == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case ch == '?' && i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9':
			b.WriteByte('$') // ?NNN, SQLite's numbered parameter, is PostgreSQL's $NNN
		case ch == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}
