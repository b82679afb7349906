package desk

// AuditFilter selects events for GET /api/v1/audit.
type AuditFilter struct {
	Object string // exact object ("mou:3") or prefix with a trailing ':' ("mou:3:")
	After  int64  // seq to start after
	Limit  int
}
