package intake

import (
	"context"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
)

// SubmitEmail files a report that arrived through the phishing mailbox.
// The reporter is the forwarder (or the SMTP envelope sender), matched to a
// user by address; an unknown sender still makes a report, from "unknown".
func (s *Service) SubmitEmail(ctx context.Context, raw []byte, envelopeFrom string) (shieldwall.Report, error) {
	if len(raw) > MaxEmail {
		return shieldwall.Report{}, shieldwall.Errorf(shieldwall.ETOOLARGE, "The message is larger than %d MB.", MaxEmail>>20)
	}
	t := s.triageEmail(ctx, raw)
	reporter := strings.ToLower(strings.TrimSpace(envelopeFrom))
	title := "Suspicious email"
	description := ""
	if t.msg != nil {
		if t.msg.Reporter.Address != "" {
			reporter = strings.ToLower(t.msg.Reporter.Address)
		}
		if t.subject != "" {
			title = "Suspicious email: " + t.subject
		}
		description = mailText(t.msg.Note)
	}
	if clean, err := cleanText("title", "title", title, 1, 100000); err != nil {
		title = "Suspicious email"
	} else if title = clean; len([]rune(title)) > MaxTitle {
		title = string([]rune(title)[:MaxTitle])
	}
	if len([]rune(description)) > MaxDescription {
		description = string([]rune(description)[:MaxDescription])
	}
	r := shieldwall.Report{Kind: shieldwall.KindPhishing, Title: title, Description: description, Source: shieldwall.SourceEmail}
	actor := shieldwall.SystemActor("phishing mailbox")
	if reporter != "" {
		u, err := s.store.FindUserByEmail(ctx, mailText(reporter))
		switch {
		case err == nil && u.Active:
			r.ReporterID, r.ReporterName, r.DepartmentID = u.ID, u.Name, u.DepartmentID
			actor = shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, DepartmentID: u.DepartmentID}
		case err != nil && shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND:
			// The database failed: refuse for now (the mailbox answers 451
			// and the relay retries) rather than lose who reported it.
			return shieldwall.Report{}, err
		}
	}
	err := s.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		return s.insert(ctx, tx, actor, &r, nil, t)
	})
	return r, err
}
