package intake

import (
	"context"
	"fmt"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// notFound hides whether a report the actor may not see exists at all.
var notFound = shieldwall.Errorf(shieldwall.ENOTFOUND, "Report not found.")

// List returns the reports the actor may see that match f.
func (s *Service) List(ctx context.Context, actor shieldwall.Actor, f shieldwall.ReportFilter) ([]shieldwall.Report, int, error) {
	if err := policy.Authorize(actor, policy.ReportList, nil); err != nil {
		return nil, 0, err
	}
	sc := policy.ReportListScope(actor)
	items, total, err := s.store.ListReports(ctx, f, store.ReportVisibility{All: sc.All || actor.System, DepartmentID: sc.DepartmentID, ReporterID: sc.ReporterID})
	if err == nil {
		err = s.hideCases(ctx, actor, items)
	}
	return items, total, err
}

// hideCases blanks the case link of reports whose case the actor may not
// see: a reporter must not learn that a confidential case exists.
func (s *Service) hideCases(ctx context.Context, actor shieldwall.Actor, reports []shieldwall.Report) error {
	if actor.System {
		return nil
	}
	var ids []string
	for _, r := range reports {
		if r.CaseID != "" {
			ids = append(ids, r.CaseID)
		}
	}
	hidden, err := s.store.CasesOutOfScope(ctx, ids, policy.CaseListScope(actor))
	if err != nil {
		return err
	}
	for i := range reports {
		if hidden[reports[i].CaseID] {
			reports[i].CaseID = ""
		}
	}
	return nil
}

// Get returns one report the actor may see, with indicators, files and messages.
func (s *Service) Get(ctx context.Context, actor shieldwall.Actor, id string) (shieldwall.Report, error) {
	r, err := s.store.FindReport(ctx, id)
	if shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
		return r, notFound
	} else if err != nil {
		return r, err
	}
	if !policy.Can(actor, policy.ReportView, r) {
		return shieldwall.Report{}, notFound
	}
	one := []shieldwall.Report{r}
	err = s.hideCases(ctx, actor, one)
	return one[0], err
}

// Attachment returns a file of a report the actor may see.
func (s *Service) Attachment(ctx context.Context, actor shieldwall.Actor, reportID, attachmentID string) (shieldwall.Attachment, []byte, bool, error) {
	if _, err := s.Get(ctx, actor, reportID); err != nil {
		return shieldwall.Attachment{}, nil, false, err
	}
	return s.store.AttachmentData(ctx, reportID, attachmentID)
}

// TriageUpdate changes a report. Empty fields keep their value.
type TriageUpdate struct {
	Status      shieldwall.ReportStatus `json:"status"`
	AssigneeID  *string                 `json:"assignee_id"`
	Resolution  *string                 `json:"resolution"`
	DuplicateOf *string                 `json:"duplicate_of"`
	CaseID      *string                 `json:"case_id"` // the link point for cases
}

// Triage assigns, sets the status, merges into another report, links a
// case, or writes the answer the reporter sees.
func (s *Service) Triage(ctx context.Context, actor shieldwall.Actor, id string, in TriageUpdate) (shieldwall.Report, error) {
	var r shieldwall.Report
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if r, err = tx.FindReport(ctx, id); shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
			return notFound
		} else if err != nil {
			return err
		}
		if !policy.Can(actor, policy.ReportView, r) {
			return notFound
		}
		if !policy.Can(actor, policy.ReportTriage, r) {
			return shieldwall.Errorf(shieldwall.EFORBIDDEN, "You may not triage this report.")
		}
		var changes []string
		answered := false
		if in.Status != "" && in.Status != r.Status {
			if !in.Status.Valid() {
				return shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "%q is not a status; use new, triaging, resolved or closed.", in.Status)
			}
			changes = append(changes, fmt.Sprintf("status %s → %s", r.Status, in.Status))
			r.Status = in.Status
		}
		if in.AssigneeID != nil && *in.AssigneeID != r.AssigneeID {
			if *in.AssigneeID != "" {
				u, err := tx.FindUser(ctx, *in.AssigneeID)
				if err != nil || !u.Active {
					return shieldwall.FieldErrorf(shieldwall.EINVALID, "assignee_id", "There is no active person with that id.")
				}
				if u.Role != shieldwall.RoleSecurity && u.Role != shieldwall.RoleAdmin && u.Role != shieldwall.RoleChampion {
					return shieldwall.FieldErrorf(shieldwall.EINVALID, "assignee_id", "%s cannot triage reports; assign someone from security or a champion.", u.Name)
				}
				changes = append(changes, "assigned to "+u.Email)
			} else {
				changes = append(changes, "unassigned")
			}
			r.AssigneeID = *in.AssigneeID
		}
		if in.Resolution != nil {
			res, err := cleanText("resolution", "The answer", *in.Resolution, 0, MaxMessage)
			if err != nil {
				return err
			}
			if res != r.Resolution {
				changes = append(changes, "answer to the reporter updated")
				r.Resolution = res
				answered = res != ""
			}
		}
		if in.DuplicateOf != nil && *in.DuplicateOf != r.DuplicateOf {
			if d := *in.DuplicateOf; d != "" {
				if d == r.ID {
					return shieldwall.FieldErrorf(shieldwall.EINVALID, "duplicate_of", "A report cannot duplicate itself.")
				}
				other, err := tx.FindReport(ctx, d)
				if err != nil || !policy.Can(actor, policy.ReportView, other) {
					return shieldwall.FieldErrorf(shieldwall.EINVALID, "duplicate_of", "There is no report %q.", d)
				}
				// A duplicate is closed and follows the report it duplicates.
				r.Status = shieldwall.StatusClosed
				if other.CampaignID != "" && r.CampaignID == "" {
					r.CampaignID = other.CampaignID
				}
				changes = append(changes, "merged into "+d)
			}
			r.DuplicateOf = *in.DuplicateOf
		}
		if in.CaseID != nil && *in.CaseID != r.CaseID {
			c, err := cleanText("case_id", "The case", *in.CaseID, 0, 100)
			if err != nil {
				return err
			}
			if c != "" {
				// Only a case the actor may see can be linked; a hidden one
				// answers as a missing one.
				hidden, err := s.store.CasesOutOfScope(ctx, []string{c}, policy.CaseListScope(actor))
				if err != nil {
					return err
				}
				if _, err := tx.FindCase(ctx, c); err != nil || hidden[c] {
					return shieldwall.FieldErrorf(shieldwall.EINVALID, "case_id", "No case %q.", c)
				}
			}
			// Not the case's id: the audit log is read by people a confidential case is hidden from.
			changes = append(changes, "case link changed")
			r.CaseID = c
		}
		if len(changes) == 0 {
			return nil
		}
		r.UpdatedAt = tx.Now
		if err := tx.UpdateReport(ctx, &r); err != nil {
			return err
		}
		if answered {
			if err := notifyReporter(ctx, tx, actor, r, shieldwall.NotifyReportAnswered, "Security answered your report",
				"There is an answer to your report \""+r.Title+"\". Open it to read what security found."); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, actor, "report.triage", "report", r.ID, strings.Join(changes, "; "))
	})
	if err != nil {
		return shieldwall.Report{}, err
	}
	return s.Get(ctx, actor, id)
}

// Reply adds a message to a report's conversation: from the security team
// (a question or an answer to the reporter, named or anonymous) or from the
// reporter themselves.
func (s *Service) Reply(ctx context.Context, actor shieldwall.Actor, id, body string) (shieldwall.Report, error) {
	body, err := cleanText("body", "The message", body, 1, MaxMessage)
	if err != nil {
		return shieldwall.Report{}, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := tx.FindReport(ctx, id)
		if err != nil || !policy.Can(actor, policy.ReportView, r) {
			return notFound
		}
		author := "security"
		switch {
		case policy.Can(actor, policy.ReportTriage, r):
			if r.Status == shieldwall.StatusNew {
				r.Status = shieldwall.StatusTriaging
			}
		case r.ReporterID == actor.UserID && !r.Anonymous:
			author = "reporter"
			// The reporter writing back reopens an answered report for the security team.
			if r.Status == shieldwall.StatusResolved || r.Status == shieldwall.StatusClosed {
				r.Status = shieldwall.StatusTriaging
			}
		default:
			return shieldwall.Errorf(shieldwall.EFORBIDDEN, "You may not write on this report.")
		}
		if err := tx.AddMessage(ctx, id, shieldwall.Message{ID: store.NewID(), Author: author, AuthorID: actor.UserID, Body: body, CreatedAt: tx.Now}); err != nil {
			return err
		}
		r.UpdatedAt = tx.Now
		if err := tx.UpdateReport(ctx, &r); err != nil {
			return err
		}
		if author == "security" {
			err = notifyReporter(ctx, tx, actor, r, shieldwall.NotifyReportMessage, "Security wrote to you about your report",
				"There is a new message on your report \""+r.Title+"\". Open it to read and answer.")
		} else if r.AssigneeID != "" && r.AssigneeID != actor.UserID {
			err = notify(ctx, tx, r.AssigneeID, r, shieldwall.NotifyReportMessage, "The reporter wrote back",
				r.ReporterName+" wrote a new message on the report \""+r.Title+"\" assigned to you.")
		}
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "report.message", "report", id, "message from "+author)
	})
	if err != nil {
		return shieldwall.Report{}, err
	}
	return s.Get(ctx, actor, id)
}

// Decisions on a campaign and what each tells the reporters, in plain words.
var decisionText = map[string]string{
	"malicious":  "Security confirmed this email was a phishing attack and blocked it for everyone. Thank you — your report helped protect your colleagues.",
	"spam":       "This email was unwanted advertising (spam), not an attack. You can delete it. Thank you for checking with us.",
	"safe":       "We checked this email: it is genuine and safe. Thank you for checking — asking is always the right thing to do.",
	"simulation": simulationThanks,
}

// decisionAnswer is what a reporter is told about a decided campaign.
func decisionAnswer(decision, note string) string {
	if note == "" {
		return decisionText[decision]
	}
	return decisionText[decision] + " " + note
}

// ListCampaigns returns campaigns, largest first.
func (s *Service) ListCampaigns(ctx context.Context, actor shieldwall.Actor, status string, page shieldwall.Page) ([]shieldwall.Campaign, int, error) {
	if err := policy.Authorize(actor, policy.CampaignList, nil); err != nil {
		return nil, 0, err
	}
	if status != "" && status != "open" && status != "decided" {
		return nil, 0, shieldwall.FieldErrorf(shieldwall.EINVALID, "status", "%q is not a campaign status; use open or decided.", status)
	}
	return s.store.ListCampaigns(ctx, store.CampaignFilter{Status: status, Page: page})
}

// GetCampaign returns a campaign with its reporters counted per department.
func (s *Service) GetCampaign(ctx context.Context, actor shieldwall.Actor, id string) (shieldwall.Campaign, error) {
	if err := policy.Authorize(actor, policy.CampaignView, nil); err != nil {
		return shieldwall.Campaign{}, err
	}
	return s.store.FindCampaign(ctx, id)
}

// CampaignDecision is the security team's verdict on a campaign.
type CampaignDecision struct {
	Decision string `json:"decision"` // malicious, spam, safe or simulation
	Note     string `json:"note"`     // added to what every reporter is told
}

// DecideCampaign records the decision, resolves every open report in the
// campaign and tells each reporter what happened.
func (s *Service) DecideCampaign(ctx context.Context, actor shieldwall.Actor, id string, in CampaignDecision) (shieldwall.Campaign, int64, error) {
	if err := policy.Authorize(actor, policy.CampaignDecide, nil); err != nil {
		return shieldwall.Campaign{}, 0, err
	}
	if _, ok := decisionText[in.Decision]; !ok {
		return shieldwall.Campaign{}, 0, shieldwall.FieldErrorf(shieldwall.EINVALID, "decision", "%q is not a decision; use malicious, spam, safe or simulation.", in.Decision)
	}
	note, err := cleanText("note", "The note", in.Note, 0, 2000)
	if err != nil {
		return shieldwall.Campaign{}, 0, err
	}
	text := decisionAnswer(in.Decision, note)
	var closed int64
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DecideCampaign(ctx, id, in.Decision, note, actor.UserID); err != nil {
			return err
		}
		// The reporters to tell are those of the reports this decision
		// resolves, read before the update resolves them.
		reporters, err := tx.CampaignReportersToResolve(ctx, id)
		if err != nil {
			return err
		}
		if closed, err = tx.ResolveCampaignReports(ctx, id, text); err != nil {
			return err
		}
		for _, uid := range reporters {
			if err := tx.AddNotification(ctx, &shieldwall.Notification{UserID: uid, Urgency: shieldwall.UrgencyNormal,
				Kind: shieldwall.NotifyCampaignDecided, Title: "Security checked the email you reported", Body: text,
				Link: "/reports/mine", ObjectType: "campaign", ObjectID: id}); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, actor, "campaign.decide", "campaign", id, fmt.Sprintf("decided %s; %d reports resolved", in.Decision, closed))
	})
	if err != nil {
		return shieldwall.Campaign{}, 0, err
	}
	c, err := s.store.FindCampaign(ctx, id)
	return c, closed, err
}

// notifyReporter tells a report's named reporter about a change someone
// else made. Anonymous reports have nobody to tell, and a reporter who
// triages their own report needs no news of it.
func notifyReporter(ctx context.Context, tx *store.Tx, actor shieldwall.Actor, r shieldwall.Report, kind, title, body string) error {
	if r.Anonymous || r.ReporterID == "" || r.ReporterID == actor.UserID {
		return nil
	}
	return notify(ctx, tx, r.ReporterID, r, kind, title, body)
}

// notify writes one notification about report r for userID, in tx. It is
// never called for an anonymous report, so no anonymous words reach anyone.
func notify(ctx context.Context, tx *store.Tx, userID string, r shieldwall.Report, kind, title, body string) error {
	if r.Anonymous {
		return nil
	}
	return tx.AddNotification(ctx, &shieldwall.Notification{UserID: userID, Urgency: shieldwall.UrgencyNormal, Kind: kind,
		Title: title, Body: body, Link: "/reports/" + r.ID, ObjectType: "report", ObjectID: r.ID})
}
