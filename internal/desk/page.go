package desk

// NoLimit, as the limit of a list read (MOUs, Meetings, MOUFeedback,
// AuditFilter.Limit), reads every item after the cursor. It is for callers
// that need a whole list, such as a meeting packet or a certificate that
// prints every meeting; a request's page always has a limit (see
// internal/web's page bounds). Any limit below 1 means the same.
const NoLimit = 0
