package demo

import (
	"context"
	"fmt"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/response"
)

// loadCases fills each department's duty directory and opens two cases: a
// personal-data breach in progress, with Legal, HR and IT engaged and the
// GDPR clock running, and the phishing wave, recovered, with its review.
func loadCases(ctx context.Context, acc *accounts.Service, in *intake.Service, resp *response.Service, org Organisation) error {
	person := func(dept string, i int) (shieldwall.Actor, error) {
		u, err := acc.Store().FindUserByEmail(ctx, org.People[indexOf(dept, i)].Email)
		if err != nil {
			return shieldwall.Actor{}, err
		}
		return shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, DepartmentID: u.DepartmentID}, nil
	}
	sec, err := person("Security", 0)
	if err != nil {
		return err
	}
	// The sign-in accounts hold the duties a newcomer will want to try.
	duties := []struct {
		dept, role      string
		primary, backup int
	}{
		{"Security", "incident-commander", 0, 1},
		{"Security", "scribe", 2, 3},
		{"Legal", "privacy-officer", 2, 0},
		{"Legal", "legal-counsel", 2, 4},
		{"HR", "hr-partner", 2, 0},
		{"IT", "it-containment", 1, 3},
		{"Finance", "finance-controller", 1, 2},
		{"Marketing", "communications-lead", 1, 2},
		{"Executive", "executive-sponsor", 0, 1},
	}
	for _, d := range duties {
		p, err := person(d.dept, d.primary)
		if err != nil {
			return err
		}
		b, err := person(d.dept, d.backup)
		if err != nil {
			return err
		}
		if _, err := resp.SetDuty(ctx, sec, d.dept, d.role, response.DutyInput{UserID: p.UserID, BackupUserID: b.UserID}); err != nil {
			return fmt.Errorf("demo duty %s/%s: %w", d.dept, d.role, err)
		}
	}

	system := shieldwall.SystemActor("demo")
	exposures, _, err := in.List(ctx, system, shieldwall.ReportFilter{Kind: shieldwall.KindDataExposure})
	if err != nil || len(exposures) == 0 {
		return fmt.Errorf("demo: the data-exposure report is missing: %v", err)
	}
	breach, err := resp.Create(ctx, sec, shieldwall.CaseInput{
		Title: "Salary review sheet sent to an external address", Type: "personal-data-breach", Severity: shieldwall.SEV2,
		Summary:   "The salary review spreadsheet (names and salaries of 240 employees) was emailed to an external Anna instead of Anna in Finance.\nWe have asked the recipient to delete it and are waiting for confirmation.",
		Affected:  []string{"personal-data"},
		ReportIDs: []string{exposures[0].ID},
	})
	if err != nil {
		return fmt.Errorf("demo breach case: %w", err)
	}
	investigating := shieldwall.CaseInvestigating
	if _, err := resp.Patch(ctx, sec, breach.ID, shieldwall.CasePatch{Status: &investigating}); err != nil {
		return err
	}
	if _, err := resp.AddEntry(ctx, sec, breach.ID, shieldwall.TimelineNote, "Called the external recipient; she confirmed by phone that she deleted the email. Written confirmation requested."); err != nil {
		return err
	}

	campaigns, _, err := in.ListCampaigns(ctx, system, "", shieldwall.Page{Limit: 1})
	if err != nil || len(campaigns) == 0 {
		return fmt.Errorf("demo: the phishing campaign is missing: %v", err)
	}
	wave, err := resp.Create(ctx, sec, shieldwall.CaseInput{
		Title: "Fake invoice portal phishing wave", Type: "phishing", Severity: shieldwall.SEV3,
		Summary:    "Thirteen colleagues reported the same fake invoice email. Nobody entered their password; the link was blocked.",
		CampaignID: campaigns[0].ID,
	})
	if err != nil {
		return fmt.Errorf("demo phishing case: %w", err)
	}
	for _, st := range []shieldwall.CaseStatus{shieldwall.CaseInvestigating, shieldwall.CaseContained, shieldwall.CaseRecovered} {
		if _, err := resp.Patch(ctx, sec, wave.ID, shieldwall.CasePatch{Status: &st}); err != nil {
			return err
		}
	}
	what, factors := "A fake invoice-portal email reached 240 mailboxes; 13 people reported it within an hour, the first after four minutes.",
		"The sender domain imitated ours with one letter changed, and our mail filter had no rule for look-alike domains."
	if _, err := resp.SaveReview(ctx, sec, wave.ID, response.ReviewInput{WhatHappened: &what, ContributingFactors: &factors}); err != nil {
		return err
	}
	_, err = resp.AddReviewAction(ctx, sec, wave.ID, response.ActionItemInput{
		Title: "Block newly registered look-alike domains at the mail gateway", Department: "IT", DueOn: "2027-01-15"})
	return err
}
