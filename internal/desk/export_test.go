package desk

import (
	"context"
	"time"
)

// Unexported checks the external tests call directly.
var (
	CheckContentHTML  = checkContentHTML
	CheckClauseHTML   = checkClauseHTML
	CheckTemplateHTML = checkTemplateHTML
)

// EnqueueWebhooks is one enqueueing pass of the webhook worker reading at
// most batch audit events, so a test can cut the log short of its head.
func (s *Service) EnqueueWebhooks(ctx context.Context, base string, now time.Time, batch int) error {
	return s.enqueueWebhooks(ctx, base, now, batch)
}
