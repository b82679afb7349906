package auth

// Action is something a request may do. Every handler names exactly one
// action and asks Allowed (or Principal.Can) before doing it.
type Action string

// The actions. Their string values appear in audit records ("access.denied"
// details) and must not change.
const (
	ClauseRead      Action = "clause.read"
	ClauseWrite     Action = "clause.write"
	TemplateRead    Action = "template.read"
	MOURead         Action = "mou.read"
	MOUCreate       Action = "mou.create"
	RevisionWrite   Action = "revision.write"
	TransitionWrite Action = "transition.write"
	MeetingWrite    Action = "meeting.write"    // create a meeting
	FeedbackWrite   Action = "feedback.write"   // raise a feedback item
	FeedbackResolve Action = "feedback.resolve" // mark a feedback item resolved
	OutcomeWrite    Action = "outcome.write"    // record a meeting outcome and votes; see CanRecordFor
	SignatureWrite  Action = "signature.write"  // sign; see CanSignAs
	SignatoryWrite  Action = "signatory.write"  // assign the users who sign an MOU
	AuditRead       Action = "audit.read"
	AdminUsers      Action = "admin.users"    // users, invitations, parties; list and revoke anyone's tokens
	PartyRead       Action = "party.read"     // list the parties (their names are on every public MOU)
	UserRead        Action = "user.read"      // list people: admins everyone, others their own party's (desk.UsersFor)
	WorkflowRead    Action = "workflow.read"  // read workflow definitions and their versions
	WorkflowWrite   Action = "workflow.write" // store a new version of a workflow definition
	// Account is the caller's own account: who am I, change my password,
	// sign out. It is the one action a user who must change their password
	// may take (see AllowedBeforePasswordChange).
	Account   Action = "account"
	OwnTokens Action = "account.tokens" // create, list and revoke the caller's own API tokens
	Public    Action = "public"         // no login needed

	// RecommendationWrite records an advisory body's recommendations and
	// what became of them; the service also requires a party to the MOU.
	RecommendationWrite Action = "recommendation.write"

	// WebhookAdmin registers, lists and disables webhooks and reads their
	// deliveries; the service also keeps an admin to their own party's.
	WebhookAdmin Action = "webhook.admin"
	// ReportWrite submits evidence for an executed MOU's obligation; the
	// service also requires the obligation's own party.
	ReportWrite Action = "report.write"
	// ObligationWaive waives one period of an obligation, with a reason:
	// an act of record of the owing party's clerk (or its administrator).
	ObligationWaive Action = "obligation.waive"
)

// Actions returns every action, in a fixed order.
func Actions() []Action {
	return []Action{
		ClauseRead, ClauseWrite, TemplateRead, MOURead, MOUCreate,
		RevisionWrite, TransitionWrite, MeetingWrite, FeedbackWrite,
		FeedbackResolve, OutcomeWrite, SignatureWrite, SignatoryWrite, AuditRead, WorkflowRead, WorkflowWrite,
		AdminUsers, Account, OwnTokens, Public, RecommendationWrite, PartyRead, UserRead, WebhookAdmin,
		ReportWrite, ObligationWaive,
	}
}

// roleSet is a set of roles as bits, so the permission table below is a
// constant expression and cannot be modified at run time.
type roleSet uint8

const (
	admin roleSet = 1 << iota
	drafter
	reviewer
	clerk
	signatory

	everyRole = admin | drafter | reviewer | clerk | signatory
)

func (r Role) bit() roleSet {
	switch r {
	case RoleAdmin:
		return admin
	case RoleDrafter:
		return drafter
	case RoleReviewer:
		return reviewer
	case RoleClerk:
		return clerk
	case RoleSignatory:
		return signatory
	}
	return 0
}

// grantedTo is THE permission table: for each action, the roles that may
// perform it. It is the only place grants are written down. Admin is
// deliberately absent from outcome.write and signature.write: recording a
// governing body's vote and signing for a party are acts of specific people,
// not of whoever runs the server.
func grantedTo(a Action) roleSet {
	switch a {
	case ClauseRead, TemplateRead, MOURead, Account, OwnTokens, WorkflowRead, PartyRead, UserRead:
		return everyRole
	case ClauseWrite, MOUCreate, RevisionWrite, SignatoryWrite:
		return admin | drafter
	case TransitionWrite, RecommendationWrite, ReportWrite:
		return admin | drafter | clerk
	case ObligationWaive:
		return admin | clerk
	case MeetingWrite:
		return admin | clerk
	case FeedbackWrite:
		return admin | drafter | reviewer | clerk
	case FeedbackResolve:
		return admin | drafter | clerk
	case OutcomeWrite:
		return clerk
	case SignatureWrite:
		return signatory
	case AuditRead:
		return admin | clerk
	case AdminUsers, WorkflowWrite, WebhookAdmin:
		return admin
	}
	return 0
}

// Allowed reports whether any of roles grants a. Public is allowed to
// everyone, including a caller with no roles; an unknown action is allowed
// to no one.
func Allowed(roles []Role, a Action) bool {
	if a == Public {
		return true
	}
	want := grantedTo(a)
	for _, r := range roles {
		if r.bit()&want != 0 {
			return true
		}
	}
	return false
}

// Via values say how a Principal authenticated.
const (
	ViaSession = "session"
	ViaToken   = "token"
)

// AllowedBeforePasswordChange reports whether a user who must set a new
// password (the first administrator, an account whose password an
// operator reset) may take action a: only their own account (change the
// password, sign out, who am I) and what the public may do.
func AllowedBeforePasswordChange(a Action) bool {
	return a == Account || a == Public
}

// Principal is the authenticated caller of one request. Anonymous callers
// are a nil *Principal, which may do only Public actions.
type Principal struct {
	UserID    int64
	Email     string
	Name      string
	Title     string
	PartySlug string // the party the user acts for, e.g. "city" or "district"; "" if none
	Roles     []Role
	Via       string // ViaSession or ViaToken
	// CredentialID is the id of the session or token the caller proved
	// themselves with (never its secret); the audit records it with Via.
	CredentialID int64
	// MustChangePassword holds until the user sets a password of their
	// own; until then only AllowedBeforePasswordChange actions are allowed.
	MustChangePassword bool
}

// Can reports whether p may perform a. It is safe on a nil receiver.
func (p *Principal) Can(a Action) bool {
	if p == nil {
		return a == Public
	}
	return Allowed(p.Roles, a)
}

// JointBody is the party slug callers may pass for a body that belongs to
// no single party (e.g. a joint City Council / Board meeting); "" means the
// same.
const JointBody = "joint"

// CanRecordFor reports whether p may record the outcome and votes of a
// governing body. p must hold outcome.write (be a clerk) and act for a
// party. For a body of one party, bodyPartySlug, that party must be p's: the
// city clerk cannot record the school board's vote. For a joint body
// (bodyPartySlug "" or JointBody) p's party must be one of mouParties, the
// party slugs of the MOU under review.
func CanRecordFor(p *Principal, bodyPartySlug string, mouParties []string) bool {
	if !p.Can(OutcomeWrite) || p.PartySlug == "" {
		return false
	}
	if bodyPartySlug != "" && bodyPartySlug != JointBody {
		return p.PartySlug == bodyPartySlug
	}
	for _, s := range mouParties {
		if s == p.PartySlug {
			return true
		}
	}
	return false
}

// CanSignAs reports whether p may apply the signature of the signatory
// (signatoryUserID, signatoryParty) listed on an MOU. Signing is personal:
// p must hold signature.write, be that very user, and act for that party.
// An empty party never matches, so a misconfigured signatory row cannot be
// signed by anyone.
func CanSignAs(p *Principal, signatoryUserID int64, signatoryParty string) bool {
	return p.Can(SignatureWrite) &&
		p.UserID != 0 && p.UserID == signatoryUserID &&
		p.PartySlug != "" && p.PartySlug == signatoryParty
}
