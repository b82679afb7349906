package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
)

// accountRoutes registers the caller's own account (password, tokens),
// the admin's users, invitations and tokens, and the invitation pages.
// No route creates a token for anyone but the caller, and none takes a
// password for another user.
func (s *Server) accountRoutes() {
	s.handle(http.MethodGet, "/api/v1/me", auth.Account, s.me)
	s.handle(http.MethodPost, "/api/v1/me/password", auth.Account, s.changePassword)
	s.handle(http.MethodGet, "/api/v1/me/tokens", auth.OwnTokens, s.myTokens)
	s.handle(http.MethodPost, "/api/v1/me/tokens", auth.OwnTokens, s.createMyToken)
	s.handle(http.MethodDelete, "/api/v1/me/tokens/:tid", auth.OwnTokens, s.revokeMyToken)

	s.handle(http.MethodGet, "/api/v1/users", auth.UserRead, s.listUsers)
	s.handle(http.MethodGet, "/api/v1/parties", auth.PartyRead, s.listParties)
	s.handle(http.MethodPost, "/api/v1/users", auth.AdminUsers, s.inviteUser)
	s.handle(http.MethodPost, "/api/v1/users/:uid/invitation", auth.AdminUsers, s.reinviteUser)
	s.handle(http.MethodGet, "/api/v1/tokens", auth.AdminUsers, s.listTokens)
	s.handle(http.MethodDelete, "/api/v1/tokens/:tid", auth.AdminUsers, s.revokeAnyToken)

	// Accepting an invitation needs no login: the link's secret is the
	// credential, good once.
	s.handle(http.MethodPost, "/api/v1/invitation", auth.Public, s.acceptInvitation)

	s.handle(http.MethodGet, "/profile", auth.Account, s.profilePage)
	s.handle(http.MethodPost, "/profile/password", auth.Account, s.changePasswordPage)
	s.handle(http.MethodPost, "/profile/tokens", auth.OwnTokens, s.createTokenProfile)
	s.handle(http.MethodPost, "/profile/tokens/:tid/revoke", auth.OwnTokens, s.revokeTokenProfile)
	s.handle(http.MethodGet, "/invite", auth.Public, s.invitePage)
	s.handle(http.MethodPost, "/invite", auth.Public, s.acceptInvitePage)
	s.handle(http.MethodPost, "/admin/users/:uid/invitation", auth.AdminUsers, s.reinvitePage)
}

type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// changePassword sets the caller's password from the current one; the
// caller's other sessions end.
func (s *Server) changePassword(c *gin.Context) error {
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.desk.ChangePassword(c.Request.Context(), actor(c), s.cfg.Hasher, req.Current, req.New); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) myTokens(c *gin.Context) error {
	ts, err := s.desk.MyTokens(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"tokens": ts})
	return nil
}

type tokenRequest struct {
	Label string `json:"label"`
}

// createMyToken makes a token for the caller; its secret is in this
// answer only.
func (s *Server) createMyToken(c *gin.Context) error {
	var req tokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, secret, err := s.desk.CreateToken(c.Request.Context(), actor(c), strings.TrimSpace(req.Label))
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"token": t, "secret": secret})
	return nil
}

func (s *Server) revokeMyToken(c *gin.Context) error {
	id, err := positiveID(c, "tid", "token")
	if err != nil {
		return err
	}
	if err := s.desk.RevokeMyToken(c.Request.Context(), actor(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// listUsers answers the accounts the caller may see: all of them for an
// admin, their own party's people for anyone else (desk.UsersFor).
func (s *Server) listUsers(c *gin.Context) error {
	us, err := s.desk.UsersFor(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"users": us})
	return nil
}

// listParties answers every party: their names and bodies are on every
// public MOU, and a drafter needs their slugs to start one.
func (s *Server) listParties(c *gin.Context) error {
	ps, err := s.desk.Parties(c.Request.Context())
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []desk.Party{}
	}
	c.JSON(http.StatusOK, gin.H{"parties": ps})
	return nil
}

type inviteRequest struct {
	Email string   `json:"email"`
	Name  string   `json:"name"`
	Title string   `json:"title"`
	Party string   `json:"party"`
	Roles []string `json:"roles"`
	// Password is declared only to refuse it by name: nobody sets
	// another person's password.
	Password *string `json:"password"`
}

type invitationOut struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// errPasswordNotAccepted refuses a password chosen for someone else.
func errPasswordNotAccepted(field string) error {
	return &moudesk.Error{Kind: moudesk.KindInvalid, Code: "password_not_accepted", Field: field,
		Message: "an admin does not set another person's password: the account is created with an invitation link, and its owner sets the password"}
}

// inviteUser creates an account without a password and answers with the
// invitation link for the admin to send; the link is in this answer only.
func (s *Server) inviteUser(c *gin.Context) error {
	var req inviteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Password != nil {
		return errPasswordNotAccepted("password")
	}
	roles, err := parseRoleList(req.Roles)
	if err != nil {
		return err
	}
	u, link, err := s.desk.InviteUser(c.Request.Context(), actor(c), desk.NewUser{Email: req.Email, Name: req.Name,
		Title: req.Title, PartySlug: req.Party, Roles: roles})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"user": u, "invitation": invitationOut{URL: desk.InvitationURL(s.publicURL(c), link.Token), ExpiresAt: link.ExpiresAt}})
	return nil
}

// parseRoleList reads role names, refusing an unknown one by name.
func parseRoleList(names []string) ([]auth.Role, error) {
	roles := make([]auth.Role, 0, len(names))
	for _, n := range names {
		r := auth.Role(n)
		if !r.Valid() {
			return nil, &moudesk.Error{Kind: moudesk.KindUnprocessable, Code: "invalid_role", Field: "roles",
				Message: "unknown role " + clip(n, 40) + " (want one of " + auth.FormatRoles(auth.Roles()) + ")"}
		}
		roles = append(roles, r)
	}
	return roles, nil
}

// reinviteUser gives an account that has no password yet a new link.
func (s *Server) reinviteUser(c *gin.Context) error {
	id, err := positiveID(c, "uid", "user")
	if err != nil {
		return err
	}
	link, err := s.desk.Reinvite(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"invitation": invitationOut{URL: desk.InvitationURL(s.publicURL(c), link.Token), ExpiresAt: link.ExpiresAt}})
	return nil
}

func (s *Server) listTokens(c *gin.Context) error {
	ts, err := s.desk.Tokens(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"tokens": ts})
	return nil
}

// revokeAnyToken is the admin's revocation of anyone's token.
func (s *Server) revokeAnyToken(c *gin.Context) error {
	id, err := positiveID(c, "tid", "token")
	if err != nil {
		return err
	}
	if err := s.desk.RevokeToken(c.Request.Context(), actor(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

type acceptRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// acceptInvitation sets the invited person's own password.
func (s *Server) acceptInvitation(c *gin.Context) error {
	var req acceptRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.desk.AcceptInvitation(c.Request.Context(), s.cfg.Hasher, c.ClientIP(), req.Token, req.Password)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"user": u})
	return nil
}
