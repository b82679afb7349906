package desk

import (
	"context"
	"time"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/audit"
	"github.com/moudesk/moudesk/internal/clause"
	"github.com/moudesk/moudesk/internal/mou"
	"github.com/moudesk/moudesk/internal/workflow"
)

// Store is what the service needs of a database. internal/sqlite
// implements it; a second engine implements the same methods and passes
// the same service tests. Writes run in one transaction each; those that
// apply a workflow rule get the definitions from the service, which loaded
// them, so the store never chooses one itself.
type Store interface {
	Reader
	Writer
	Updater
	Accounts
	WorkflowStore
	NotificationStore
}

// Reader is every read the service and its callers make. Reads change
// nothing, so the service hands them out as they are (Service embeds a
// Reader); every write goes through a Service method instead.
type Reader interface {
	Ping(ctx context.Context) error
	CountUsers(ctx context.Context) (int, error)

	MOU(ctx context.Context, id int64) (*MOU, error)
	// MOUs, Meetings, MOUFeedback and AuditEvents read a page by keyset:
	// after is the key of the last item of the previous page (0 for the
	// first), limit the most items to return (NoLimit for all). MOUs run
	// newest first, so their page holds ids below after; meetings, feedback
	// and audit events run oldest first.
	MOUs(ctx context.Context, stage string, after int64, limit int) ([]MOU, error)
	// PartyMOUs is MOUs limited to those party (a slug) is a party to.
	PartyMOUs(ctx context.Context, party, stage string, after int64, limit int) ([]MOU, error)
	Revision(ctx context.Context, mouID int64, n int) (*mou.Revision, error)
	// Revisions lists an MOU's revisions oldest first, numbered above
	// after (0 for the first page), at most limit of them (NoLimit for all).
	Revisions(ctx context.Context, mouID int64, after, limit int) ([]mou.RevisionInfo, error)
	ExecutedRevision(ctx context.Context, mouID int64) (*mou.Revision, error)
	Amendments(ctx context.Context, parentID int64) ([]Amendment, error)
	PartiesBySlug(ctx context.Context, slugs []string) (map[string]Party, error)
	Parties(ctx context.Context) ([]Party, error)

	ClauseVersion(ctx context.Context, slug string, n int) (*ClauseVersion, error)
	ClauseHistory(ctx context.Context, slug string) ([]VersionInfo, error)
	ClauseVersions(ctx context.Context, refs []mou.ClauseRef) (map[mou.ClauseRef]*clause.Clause, error)
	LatestClauses(ctx context.Context, slugs []string) (map[string]mou.LibraryClause, error)
	SearchClauses(ctx context.Context, q ClauseQuery) ([]ClauseHit, error)

	Meeting(ctx context.Context, id int64) (*Meeting, error)
	Meetings(ctx context.Context, mouID, after int64, limit int) ([]Meeting, error)
	// CalendarMeetings lists the meetings of the MOUs scope names, newest
	// first, with their outcomes, at most limit of them.
	CalendarMeetings(ctx context.Context, scope CalendarScope, limit int) ([]Meeting, error)
	// CalendarFeeds lists a user's calendar feed URLs, revoked ones too.
	CalendarFeeds(ctx context.Context, userID int64) ([]CalendarFeed, error)
	// CalendarFeedUser is the user a live feed token reads for; not found
	// when unknown, revoked or the user is disabled.
	CalendarFeedUser(ctx context.Context, tokenHash string) (*User, error)
	// Webhooks lists a party's webhooks, disabled ones too, oldest first.
	Webhooks(ctx context.Context, party string) ([]Webhook, error)
	// Webhook is one webhook; not found when there is none.
	Webhook(ctx context.Context, id int64) (*Webhook, error)
	// LiveWebhooks are the webhooks not disabled, with their secrets and
	// cursors.
	LiveWebhooks(ctx context.Context) ([]Webhook, error)
	// WebhookDeliveries lists a webhook's deliveries newest first, with
	// their attempts, at most limit of them.
	WebhookDeliveries(ctx context.Context, webhookID int64, limit int) ([]WebhookDelivery, error)
	// DueWebhookDeliveries are the pending deliveries of live webhooks due
	// at now, oldest first, at most limit of them.
	DueWebhookDeliveries(ctx context.Context, now time.Time, limit int) ([]DueDelivery, error)
	FeedbackItem(ctx context.Context, id int64) (*Feedback, error)
	MOUFeedback(ctx context.Context, mouID int64, status string, after int64, limit int) ([]Feedback, error)
	StageChanges(ctx context.Context, mouID int64) ([]StageChange, error)
	Approvals(ctx context.Context, mouID int64) ([]workflow.Approval, error)
	LiveApprovals(ctx context.Context, mouID int64) ([]workflow.Approval, error)
	ApprovalRecords(ctx context.Context, mouID int64) ([]ApprovalRecord, error)

	Signatories(ctx context.Context, mouID int64) ([]Signatory, error)
	Signatures(ctx context.Context, mouID int64, revision int) ([]Signature, error)
	SigningDocuments(ctx context.Context, mouID int64, revision int) ([]SigningDocument, error)
	LatestSigningDocument(ctx context.Context, mouID int64, revision int) (*SigningDocument, error)
	SealedDocument(ctx context.Context, mouID int64) (*SigningDocument, error)
	// ExecutedMOUs are the ids of the MOUs with an executed revision.
	ExecutedMOUs(ctx context.Context) ([]int64, error)
	DocumentsBySHA256(ctx context.Context, sums []string) ([]SigningDocument, error)
	Certificate(ctx context.Context, mouID int64, revision int) ([]byte, error)
	CertificateBySHA256(ctx context.Context, sum string) (*SigningDocument, error)

	UserByEmail(ctx context.Context, email string) (*User, string, error)
	UserByID(ctx context.Context, id int64) (*User, error)
	Users(ctx context.Context) ([]User, error)
	Session(ctx context.Context, idHash string, idle time.Duration) (*User, SessionInfo, error)
	// TokenUser is the user a live token acts for, and the token's id.
	TokenUser(ctx context.Context, tokenHash string) (*User, int64, error)
	Tokens(ctx context.Context) ([]APIToken, error)

	AuditEvents(ctx context.Context, f AuditFilter) ([]audit.Event, error)
	VerifyAudit(ctx context.Context) (int64, error)
	// AuditHead is the newest audit event's seq and hash (zero when none).
	AuditHead(ctx context.Context) (audit.Head, error)

	RecommendationReader
	ObligationReader
}

// Writer is every write, each in one transaction with its audit event.
type Writer interface {
	CreateMOU(ctx context.Context, actor moudesk.Actor, n NewMOU) (*MOU, error)
	CreateRevision(ctx context.Context, actor moudesk.Actor, mouID int64, base int, message string, change func(base *mou.Revision) (*mou.Content, error), after func(tx Tx, revision int) error) (*mou.RevisionInfo, error)
	// CreateAmendment runs after(tx, id) in its transaction once the
	// amendment is written.
	CreateAmendment(ctx context.Context, actor moudesk.Actor, parentID int64, decide func(AgreementState) (stage string, err error), after func(tx Tx, id int64) error) (*MOU, error)

	CreateClause(ctx context.Context, actor moudesk.Actor, c *clause.Clause, note string) (*ClauseVersion, error)
	UpdateClause(ctx context.Context, actor moudesk.Actor, slug string, base int, c *clause.Clause, note string) (*ClauseVersion, error)
	SyncLibrary(ctx context.Context, shipped []*clause.Clause) (SyncReport, error)

	SaveCertificate(ctx context.Context, actor moudesk.Actor, mouID int64, revision int, pdf []byte) ([]byte, error)

	CreateParty(ctx context.Context, actor moudesk.Actor, p Party) (*Party, error)
	CreateUser(ctx context.Context, actor moudesk.Actor, nu NewUser) (*User, error)
	CreateSession(ctx context.Context, u *User, idHash, csrf string, expires time.Time, addr string) error
	DeleteSession(ctx context.Context, idHash string) error
	CreateToken(ctx context.Context, actor moudesk.Actor, email, label, tokenHash string) (*APIToken, error)
	RevokeToken(ctx context.Context, actor moudesk.Actor, id int64) error
	// CreateWebhook stores w for its party, its cursor at the audit log's
	// head, and returns it.
	CreateWebhook(ctx context.Context, actor moudesk.Actor, w Webhook) (*Webhook, error)
	DisableWebhook(ctx context.Context, actor moudesk.Actor, id int64) error
	CreateCalendarFeed(ctx context.Context, actor moudesk.Actor, userID int64, label, tokenHash string) (*CalendarFeed, error)
	// RevokeCalendarFeed revokes user userID's feed id; not found when it
	// is not theirs.
	RevokeCalendarFeed(ctx context.Context, actor moudesk.Actor, userID, id int64) error
	Audit(ctx context.Context, actor moudesk.Actor, action, object string, details any) error
}
