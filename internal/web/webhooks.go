package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/moudesk/moudesk"
	"github.com/moudesk/moudesk/internal/auth"
	"github.com/moudesk/moudesk/internal/desk"
)

// Webhooks: an admin registers URLs for their own party and reads what
// became of every delivery (desk/webhook.go). The deliveries themselves
// are sent by the worker serve starts, not by a request.

// maxDeliveriesShown is how many of a webhook's newest deliveries the API
// and the page list.
const maxDeliveriesShown = 100

func (s *Server) webhookRoutes() {
	s.handle(http.MethodGet, "/api/v1/webhooks", auth.WebhookAdmin, s.listWebhooks)
	s.handle(http.MethodPost, "/api/v1/webhooks", auth.WebhookAdmin, s.createWebhook)
	s.handle(http.MethodGet, "/api/v1/webhooks/:wid", auth.WebhookAdmin, s.getWebhook)
	s.handle(http.MethodDelete, "/api/v1/webhooks/:wid", auth.WebhookAdmin, s.disableWebhook)
	s.handle(http.MethodGet, "/api/v1/webhooks/:wid/deliveries", auth.WebhookAdmin, s.webhookDeliveries)
	s.handle(http.MethodGet, "/admin/webhooks", auth.WebhookAdmin, s.webhooksPage)
	s.handle(http.MethodPost, "/admin/webhooks", auth.WebhookAdmin, s.createWebhookPage)
	s.handle(http.MethodPost, "/admin/webhooks/:wid/disable", auth.WebhookAdmin, s.disableWebhookPage)
}

func (s *Server) listWebhooks(c *gin.Context) error {
	ws, err := s.desk.WebhooksOf(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"webhooks": ws, "events": desk.WebhookEventNames()})
	return nil
}

type webhookRequest struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// createWebhook registers a webhook; the answer holds its secret, the
// only time it is shown.
func (s *Server) createWebhook(c *gin.Context) error {
	var req webhookRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	w, secret, err := s.desk.RegisterWebhook(c.Request.Context(), actor(c), desk.NewWebhook{URL: req.URL, Events: req.Events, RequestHost: c.Request.Host})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"webhook": w, "secret": secret})
	return nil
}

func (s *Server) getWebhook(c *gin.Context) error {
	id, err := positiveID(c, "wid", "webhook")
	if err != nil {
		return err
	}
	w, err := s.desk.WebhookOf(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"webhook": w})
	return nil
}

func (s *Server) disableWebhook(c *gin.Context) error {
	id, err := positiveID(c, "wid", "webhook")
	if err != nil {
		return err
	}
	if err := s.desk.DisableWebhook(c.Request.Context(), actor(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) webhookDeliveries(c *gin.Context) error {
	id, err := positiveID(c, "wid", "webhook")
	if err != nil {
		return err
	}
	ds, err := s.desk.WebhookDeliveriesOf(c.Request.Context(), actor(c), id, maxDeliveriesShown)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"deliveries": ds})
	return nil
}

// webhooksPage is the admin's page of their party's webhooks, each with
// its newest deliveries and every attempt's answer.
type webhooksPage struct {
	Webhooks  []webhookView
	Events    []string
	URL       string
	Chosen    map[string]bool
	NewSecret string // shown once, right after registering
	Errors    map[string]string
}

type webhookView struct {
	desk.Webhook
	Deliveries []desk.WebhookDelivery
}

func (s *Server) webhooksData(c *gin.Context) (*webhooksPage, error) {
	ctx, a := c.Request.Context(), actor(c)
	ws, err := s.desk.WebhooksOf(ctx, a)
	if err != nil {
		return nil, err
	}
	out := &webhooksPage{Events: desk.WebhookEventNames(), Chosen: map[string]bool{}, Errors: map[string]string{}}
	for _, w := range ws {
		ds, err := s.desk.WebhookDeliveriesOf(ctx, a, w.ID, 20)
		if err != nil {
			return nil, err
		}
		out.Webhooks = append(out.Webhooks, webhookView{Webhook: w, Deliveries: ds})
	}
	return out, nil
}

func (s *Server) webhooksPage(c *gin.Context) error {
	out, err := s.webhooksData(c)
	if err != nil {
		return err
	}
	return s.renderPage(c, http.StatusOK, "webhooks", "Webhooks", "admin", out)
}

func (s *Server) createWebhookPage(c *gin.Context) error {
	out, err := s.webhooksData(c)
	if err != nil {
		return err
	}
	out.URL = strings.TrimSpace(c.PostForm("url"))
	events := c.PostFormArray("event")
	for _, e := range events {
		out.Chosen[e] = true
	}
	_, secret, err := s.desk.RegisterWebhook(c.Request.Context(), actor(c), desk.NewWebhook{URL: out.URL, Events: events, RequestHost: c.Request.Host})
	if err != nil {
		e, safe := clientError(err)
		if !safe || e.Kind == moudesk.KindInternal {
			return err
		}
		field := "url"
		if strings.HasPrefix(e.Field, "events") {
			field = "events"
		}
		out.Errors[field] = e.Message
		return s.renderPage(c, statusOf[e.Kind], "webhooks", "Webhooks", "admin", out)
	}
	fresh, err := s.webhooksData(c)
	if err != nil {
		return err
	}
	fresh.NewSecret = secret
	return s.renderPage(c, http.StatusCreated, "webhooks", "Webhooks", "admin", fresh)
}

func (s *Server) disableWebhookPage(c *gin.Context) error {
	id, err := positiveID(c, "wid", "webhook")
	if err != nil {
		return err
	}
	if err := s.desk.DisableWebhook(c.Request.Context(), actor(c), id); err != nil {
		return err
	}
	return seeOther(c, "/admin/webhooks", "webhook-off")
}
