package web

import "github.com/moudesk/moudesk"

// domainError maps the typed errors of domain packages other than clause
// (workflow rules, MOU assembly) to client errors. It grows as they land.
func domainError(err error) (*moudesk.Error, bool) {
	return nil, false
}
