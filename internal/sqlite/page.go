package sqlite

import "math"

// sqlLimit is limit as SQLite's LIMIT takes it: a limit below 1
// (desk.NoLimit) asks for every row, which LIMIT spells -1.
func sqlLimit(limit int) int {
	if limit < 1 {
		return -1
	}
	return limit
}

// keysetBelow is the upper bound of a newest-first page: rows with keys
// below after, or every row for the first page (after 0).
func keysetBelow(after int64) int64 {
	if after < 1 {
		return math.MaxInt64
	}
	return after
}
