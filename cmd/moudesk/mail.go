package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/moudesk/moudesk/internal/desk"
	"github.com/moudesk/moudesk/internal/mail"
)

// mailFlags configure notification e-mail for serve; each also reads
// MOUDESK_SMTP_*. The password is best given in MOUDESK_SMTP_PASSWORD: a
// flag shows in the process list.
type mailFlags struct {
	host, tlsMode, user, password, from, caFile *string
	port                                        *string
	interval                                    *time.Duration
}

func (e *env) mailFlags(fs *flag.FlagSet) mailFlags {
	return mailFlags{
		host:     fs.String("smtp-host", e.getenv("MOUDESK_SMTP_HOST"), "SMTP server for notification e-mail (unset: notifications stay in the app)"),
		port:     fs.String("smtp-port", e.getenv("MOUDESK_SMTP_PORT"), "SMTP port (default: 25 for --smtp-tls none, 587 for starttls, 465 for tls)"),
		tlsMode:  fs.String("smtp-tls", firstNonEmpty(e.getenv("MOUDESK_SMTP_TLS"), "starttls"), "how the SMTP connection is protected: none, starttls or tls (implicit)"),
		user:     fs.String("smtp-user", e.getenv("MOUDESK_SMTP_USER"), "SMTP user, when the server wants authentication (password in MOUDESK_SMTP_PASSWORD)"),
		password: fs.String("smtp-password", "", "SMTP password; prefer MOUDESK_SMTP_PASSWORD, since flags show in the process list"),
		from:     fs.String("smtp-from", e.getenv("MOUDESK_SMTP_FROM"), "sender of notification e-mail, e.g. \"moudesk <moudesk@city.example.gov>\""),
		caFile:   fs.String("smtp-ca-file", e.getenv("MOUDESK_SMTP_CA_FILE"), "PEM file of certificates to trust for the SMTP server besides the system's (an internal CA)"),
		interval: fs.Duration("mail-interval", 10*time.Second, "how often the mail worker looks for notifications due to be sent"),
	}
}

// config is the SMTP configuration the flags and environment give; ok is
// false when no host is set (mail is off).
func (e *env) mailConfig(mf mailFlags) (cfg mail.Config, ok bool, err error) {
	if *mf.host == "" {
		return cfg, false, nil
	}
	cfg = mail.Config{Host: *mf.host, TLS: mail.TLSMode(*mf.tlsMode), Username: *mf.user,
		Password: firstNonEmpty(*mf.password, e.getenv("MOUDESK_SMTP_PASSWORD")), From: *mf.from, CAFile: *mf.caFile}
	if *mf.port != "" {
		p, err := strconv.Atoi(*mf.port)
		if err != nil || p < 1 || p > 65535 {
			return cfg, false, fmt.Errorf("--smtp-port %q: a port is a number from 1 to 65535", *mf.port)
		}
		cfg.Port = p
	}
	switch cfg.TLS {
	case mail.None, mail.StartTLS, mail.ImplicitTLS:
	default:
		return cfg, false, fmt.Errorf("--smtp-tls %q: choose none, starttls or tls", *mf.tlsMode)
	}
	if cfg.From == "" {
		return cfg, false, fmt.Errorf("--smtp-from is required with --smtp-host: the address notification e-mail comes from")
	}
	return cfg, true, nil
}

// smtpMailer sends the outbox's mail through internal/mail's SMTP client.
type smtpMailer struct{ s *mail.Sender }

func (m smtpMailer) Send(ctx context.Context, o desk.OutgoingMail) error {
	return m.s.Send(ctx, mail.Message{To: o.To, Subject: o.Subject, Text: o.Text, HTML: o.HTML, ID: o.ID})
}

func (smtpMailer) Temporary(err error) bool { return mail.Temporary(err) }

// startMail runs the mail worker: a pass at start and then every
// interval, each sending every notification due (desk.DeliverMail). Off,
// said once in the log, when no SMTP host is configured: notifications
// then stay on the in-app list, queued. The returned func stops it after
// the message being sent, if any, is sent and recorded, so a SIGTERM
// never leaves one half done.
func startMail(ctx context.Context, svc *desk.Service, cfg mail.Config, on bool, interval time.Duration, publicURL string, log *slog.Logger) (stop func(), err error) {
	if !on {
		log.Info("mail off: no --smtp-host, notifications stay on the in-app list")
		return func() {}, nil
	}
	sender, err := mail.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	if interval <= 0 {
		return nil, fmt.Errorf("--mail-interval must be above 0, not %s", interval)
	}
	log.Info("mail on: notifications are e-mailed", "smtp", cfg.Host, "port", cfg.Port, "tls", cfg.TLS, "from", cfg.From, "auth", cfg.Username != "")
	m := smtpMailer{s: sender}
	return every(ctx, 0, interval, func(ctx context.Context) {
		rep, err := svc.DeliverMail(ctx, m, publicURL, time.Now())
		if rep.Sent > 0 {
			log.Info("mail sent", "messages", rep.Sent)
		}
		if rep.Retry+rep.Failed > 0 {
			log.Warn("mail not delivered", "retry_later", rep.Retry, "refused", rep.Failed, "last_error", rep.LastError)
		}
		if err != nil && ctx.Err() == nil {
			log.Error("mail worker", "err", err)
		}
	}), nil
}
