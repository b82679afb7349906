package sqlite

import "math"

// sqlLimit is limit as LIMIT takes it: a limit below 1 (desk.NoLimit)
// asks for every row, which SQLite spells -1 and PostgreSQL refuses, so it
// is the largest limit instead.
func sqlLimit(limit int) int64 {
	if limit < 1 {
		return math.MaxInt64
	}
	return int64(limit)
}

// keysetBelow is the upper bound of a newest-first page: rows with keys
// below after, or every row for the first page (after 0).
func keysetBelow(after int64) int64 {
	if after < 1 {
		return math.MaxInt64
	}
	return after
}
