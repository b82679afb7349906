package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/moudesk/moudesk/internal/desk"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
)

type userForm struct {
	Email, Name, Title, Party string
	Roles                     map[string]bool
}

type partyForm struct{ Slug, Name, Kind, Body string }

type adminPage struct {
	Users      []desk.User
	Parties    []desk.Party
	Tokens     []desk.APIToken
	AllRoles   []auth.Role
	User       userForm
	Party      partyForm
	TokenLabel string
	NewToken   string // shown once, right after it was made
	// Invited and InviteURL are the account just invited and the link to
	// send them, shown once, right after it was made.
	Invited   string
	InviteURL string
	InviteExp time.Time
	Errors    map[string]string
}

func (s *Server) adminData(c *gin.Context) (*adminPage, error) {
	ctx := c.Request.Context()
	users, err := s.desk.Users(ctx)
	if err != nil {
		return nil, err
	}
	parties, err := s.desk.Parties(ctx)
	if err != nil {
		return nil, err
	}
	tokens, err := s.desk.Tokens(ctx)
	if err != nil {
		return nil, err
	}
	return &adminPage{Users: users, Parties: parties, Tokens: tokens, AllRoles: auth.Roles(),
		User: userForm{Roles: map[string]bool{}}, Errors: map[string]string{}}, nil
}

func (s *Server) adminPage(c *gin.Context) error {
	out, err := s.adminData(c)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "admin", "Admin", "admin", out)
}

// adminFail shows the admin page again with the error beside the field its
// code concerns, keeping what was typed.
func (s *Server) adminFail(c *gin.Context, out *adminPage, err error, fields map[string]string) error {
	e, safe := clientError(err)
	if !safe || e.Kind == moudesk.KindInternal {
		return err
	}
	f := fields[e.Code]
	if f == "" {
		f = "_form"
	}
	out.Errors[f] = e.Message
	return s.renderPage(c, statusOf[e.Kind], "admin", "Admin", "admin", out)
}

func (s *Server) addUserPage(c *gin.Context) error {
	out, err := s.adminData(c)
	if err != nil {
		return err
	}
	out.User = userForm{Email: strings.TrimSpace(c.PostForm("email")), Name: c.PostForm("name"), Title: c.PostForm("title"),
		Party: c.PostForm("party"), Roles: map[string]bool{}}
	var roles []auth.Role
	for _, r := range c.PostFormArray("roles") {
		role := auth.Role(r)
		if !role.Valid() {
			out.Errors["user.roles"] = "Unknown role " + r + "."
			continue
		}
		out.User.Roles[r] = true
		roles = append(roles, role)
	}
	if !strings.Contains(out.User.Email, "@") {
		out.Errors["user.email"] = "Enter an e-mail address, like name@city.gov."
	}
	if strings.TrimSpace(out.User.Name) == "" {
		out.Errors["user.name"] = "Enter the person's name."
	}
	if len(roles) == 0 && out.Errors["user.roles"] == "" {
		out.Errors["user.roles"] = "Choose at least one role."
	}
	// Nobody chooses another person's password: an old form, or a
	// hand-made post, that carries one is refused, not ignored.
	if _, sent := c.GetPostForm("password"); sent {
		return s.adminFail(c, out, errPasswordNotAccepted("password"), map[string]string{"password_not_accepted": "_form"})
	}
	if len(out.Errors) > 0 {
		return s.renderPage(c, http.StatusUnprocessableEntity, "admin", "Admin", "admin", out)
	}
	u, link, err := s.desk.InviteUser(c.Request.Context(), actor(c), desk.NewUser{Email: out.User.Email, Name: out.User.Name,
		Title: out.User.Title, PartySlug: out.User.Party, Roles: roles})
	if err != nil {
		return s.adminFail(c, out, err, map[string]string{"invalid_email": "user.email", "already_exists": "user.email",
			"missing_field": "user.name", "missing_role": "user.roles", "unknown_party": "user.party"})
	}
	return s.showInvitation(c, u.Email, link)
}

// showInvitation shows the admin page with the invitation link, once: it
// is stored only as a hash.
func (s *Server) showInvitation(c *gin.Context, email string, link *desk.InvitationLink) error {
	fresh, err := s.adminData(c)
	if err != nil {
		return err
	}
	fresh.Invited, fresh.InviteURL, fresh.InviteExp = email, desk.InvitationURL(s.publicURL(c), link.Token), link.ExpiresAt
	return s.renderPage(c, http.StatusCreated, "admin", "Admin", "admin", fresh)
}

// reinvitePage makes a new invitation link for an account whose owner
// has not set a password yet.
func (s *Server) reinvitePage(c *gin.Context) error {
	id, err := positiveID(c, "uid", "user")
	if err != nil {
		return err
	}
	u, err := s.desk.UserByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	link, err := s.desk.Reinvite(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	return s.showInvitation(c, u.Email, link)
}

func (s *Server) addPartyPage(c *gin.Context) error {
	out, err := s.adminData(c)
	if err != nil {
		return err
	}
	out.Party = partyForm{Slug: strings.TrimSpace(c.PostForm("slug")), Name: strings.TrimSpace(c.PostForm("name")),
		Kind: c.PostForm("kind"), Body: strings.TrimSpace(c.PostForm("body"))}
	if _, err := s.desk.CreateParty(c.Request.Context(), actor(c), desk.Party{Slug: out.Party.Slug, Name: out.Party.Name,
		Kind: out.Party.Kind, Body: out.Party.Body}); err != nil {
		return s.adminFail(c, out, err, map[string]string{"invalid_slug": "party.slug", "already_exists": "party.slug",
			"invalid_kind": "party.kind", "missing_field": "party.name"})
	}
	return seeOther(c, "/admin#parties", "party")
}

// errOwnTokenOnly refuses a token for someone else: a token acts for the
// user who created it.
func errOwnTokenOnly() error {
	return moudesk.Errorf(moudesk.KindForbidden, "own_token_only",
		"a token acts for the user who creates it: you can create tokens only for yourself, and revoke anyone's")
}

// createTokenPage makes an API token for the admin themself and shows it
// once, on this response only; it is stored hashed. A form naming another
// user is refused: admins revoke others' tokens, never mint them.
func (s *Server) createTokenPage(c *gin.Context) error {
	out, err := s.adminData(c)
	if err != nil {
		return err
	}
	if email := strings.TrimSpace(c.PostForm("email")); email != "" && !strings.EqualFold(email, principal(c).Email) {
		return errOwnTokenOnly()
	}
	out.TokenLabel = strings.TrimSpace(c.PostForm("label"))
	if out.TokenLabel == "" {
		out.Errors["token.label"] = "Say what the token is for, for example “agenda system”."
		return s.renderPage(c, http.StatusUnprocessableEntity, "admin", "Admin", "admin", out)
	}
	_, plain, err := s.desk.CreateToken(c.Request.Context(), actor(c), out.TokenLabel)
	if err != nil {
		return s.adminFail(c, out, err, map[string]string{"missing_field": "token.label", "too_long": "token.label", "invalid_text": "token.label"})
	}
	fresh, err := s.adminData(c)
	if err != nil {
		return err
	}
	fresh.NewToken = plain
	return s.renderPage(c, http.StatusCreated, "admin", "Admin", "admin", fresh)
}

func (s *Server) revokeTokenPage(c *gin.Context) error {
	id, err := positiveID(c, "tid", "token")
	if err != nil {
		return err
	}
	if err := s.desk.RevokeToken(c.Request.Context(), actor(c), id); err != nil {
		return err
	}
	return seeOther(c, "/admin#tokens", "revoked")
}
