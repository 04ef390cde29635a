package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
)

// EmailMessage is one notification email, ready to send.
type EmailMessage struct {
	MessageID   string // stable per delivery, so a retry is recognisable as the same message
	To          string
	ToName      string
	Subject     string
	Text        string
	HTML        string
	Unsubscribe string // List-Unsubscribe address; empty for critical messages, which cannot be switched off
}

// Mailer sends email. SMTPMailer is the real one.
type Mailer interface {
	Send(ctx context.Context, m EmailMessage) error
}

// SMTPConfig is the outgoing mail server.
type SMTPConfig struct {
	Host     string
	Port     int    // default 587, or 465 with TLS "tls", or 25 with "none"
	TLS      string // none, starttls (default) or tls
	User     string
	Password string // never logged
	From     string
	// TLSConfig overrides certificate checks (tests with a self-signed server).
	TLSConfig *tls.Config
}

// SMTPMailer sends through an SMTP server with go-mail.
type SMTPMailer struct {
	cfg  SMTPConfig
	opts []mail.Option
}

// NewSMTPMailer checks cfg and returns a mailer; it does not connect yet.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	if cfg.Host == "" {
		return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "smtp-out-host", "no outgoing mail server given")
	}
	if cfg.From == "" {
		return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "smtp-out-from", "give the address notification emails come from (--smtp-out-from)")
	}
	if err := mail.NewMsg().From(cfg.From); err != nil {
		return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "smtp-out-from", "%q is not an email address", cfg.From)
	}
	opts := []mail.Option{mail.WithTimeout(15 * time.Second)}
	switch cfg.TLS {
	case "", "starttls":
		opts = append(opts, mail.WithTLSPortPolicy(mail.TLSMandatory))
		if cfg.Port == 0 {
			cfg.Port = 587
		}
	case "tls":
		opts = append(opts, mail.WithSSL())
		if cfg.Port == 0 {
			cfg.Port = 465
		}
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
		if cfg.Port == 0 {
			cfg.Port = 25
		}
	default:
		return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "smtp-out-tls", "TLS mode %q: use none, starttls or tls", cfg.TLS)
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, shieldwall.FieldErrorf(shieldwall.EINVALID, "smtp-out-port", "port %d is out of range", cfg.Port)
	}
	opts = append(opts, mail.WithPort(cfg.Port))
	if cfg.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(cfg.TLSConfig))
	}
	if cfg.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(cfg.User), mail.WithPassword(cfg.Password))
	}
	return &SMTPMailer{cfg: cfg, opts: opts}, nil
}

// Send delivers m. A permanent refusal (5xx) is a *PermanentError.
func (s *SMTPMailer) Send(ctx context.Context, m EmailMessage) error {
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return &PermanentError{Err: err}
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return &PermanentError{Err: fmt.Errorf("recipient %q: %w", m.To, err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	if m.Unsubscribe != "" {
		msg.SetGenHeader(mail.HeaderListUnsubscribe, "<"+m.Unsubscribe+">")
	}
	c, err := mail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return err
	}
	err = c.DialAndSendWithContext(ctx, msg)
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 && !se.IsTemp() {
		return &PermanentError{Code: se.ErrorCode(), Err: err}
	}
	return err
}

// PermanentError is a refusal that repeating will not fix (SMTP 5xx).
type PermanentError struct {
	Code int
	Err  error
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

var emailHTML = template.Must(template.New("email").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a">
{{if .Critical}}<p style="color: #a00000; font-weight: bold">Critical: please act now.</p>{{end}}
<h1 style="font-size: 1.25rem">{{.Title}}</h1>
{{if .Body}}<p style="white-space: pre-line">{{.Body}}</p>{{end}}
{{if .More}}<p>{{.More}}</p>{{end}}
{{if .Link}}<p><a href="{{.Link}}">Open in Shieldwall</a></p>{{end}}
{{if .Ack}}<p><a href="{{.Ack}}">Acknowledge: I am on it</a> (no sign-in needed; the link works once)</p>{{end}}
{{if .Prefs}}<p style="font-size: 0.875rem; color: #555">You receive this because of your notification settings. <a href="{{.Prefs}}">Change them</a>.</p>{{end}}
</body></html>
`))

// composeEmail writes the message of one delivery; ack is the acknowledge
// link of a critical notification, or empty.
func (w *Worker) composeEmail(j store.DeliveryJob, ack string) (EmailMessage, error) {
	n := j.Notification
	critical := n.Urgency == shieldwall.UrgencyCritical
	subject := "[Shieldwall] " + n.Title
	if critical {
		subject = "[Shieldwall] CRITICAL: " + n.Title
	}
	link, prefs := w.link(n.Link), w.link("/account/notifications")
	var text strings.Builder
	if critical {
		text.WriteString("Critical: please act now.\n\n")
	}
	text.WriteString(n.Title + "\n")
	if n.Body != "" {
		text.WriteString("\n" + n.Body + "\n")
	}
	if m := moreText(n); m != "" {
		text.WriteString("\n" + m + "\n")
	}
	if link != "" {
		text.WriteString("\nOpen in Shieldwall: " + link + "\n")
	}
	if ack != "" {
		text.WriteString("\nAcknowledge (no sign-in needed; the link works once): " + ack + "\n")
	}
	text.WriteString("\nChange what you receive: " + prefs + "\n")
	var html bytes.Buffer
	if err := emailHTML.Execute(&html, map[string]any{"Title": n.Title, "Body": n.Body, "Link": link, "Ack": ack, "Prefs": prefs, "Critical": critical, "More": moreText(n)}); err != nil {
		return EmailMessage{}, err
	}
	m := EmailMessage{MessageID: MessageID(j.ID) + "@shieldwall", To: j.Email, ToName: j.Name, Subject: subject, Text: text.String(), HTML: html.String()}
	if !critical {
		m.Unsubscribe = prefs
	}
	return m, nil
}

// sendEmail sends one email delivery. The answer is a status for the
// retry rules: 0 (try again) for a temporary failure or none, 422 for a
// permanent refusal, 250 for accepted.
func (w *Worker) sendEmail(ctx context.Context, j store.DeliveryJob) (int, error) {
	var ack string
	if j.Notification.Urgency == shieldwall.UrgencyCritical && j.Notification.AckedAt == nil {
		token, err := w.acks.New(ctx, j.NotificationID, w.cfg.Now())
		if err != nil {
			return 0, err
		}
		ack = w.link("/ack/" + token)
	}
	m, err := w.composeEmail(j, ack)
	if err != nil {
		return 0, err
	}
	err = w.cfg.Mailer.Send(ctx, m)
	var pe *PermanentError
	switch {
	case err == nil:
		return 250, nil
	case errors.As(err, &pe):
		return 422, err
	}
	return 0, err
}
