package postgres

import "testing"

func TestRewrite(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2"},
		{"WHERE x = ?1 AND y BETWEEN ?1 AND ?2", "WHERE x = $1 AND y BETWEEN $1 AND $2"},
		{"SELECT '?', \"a?\", ? -- why?\n, ?", "SELECT '?', \"a?\", $1 -- why?\n, $2"},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"SELECT b.hash FROM json_each(?) j JOIN section_bodies b ON b.id = j.value",
			"SELECT b.hash FROM jsonb_array_elements_text($1::jsonb) j(value) JOIN section_bodies b ON b.id = j.value::bigint"},
	} {
		if got := rewrite(c.in); got != c.want {
			t.Errorf("rewrite(%q)\n = %q\nwant %q", c.in, got, c.want)
		}
	}
}
