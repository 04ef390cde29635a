package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/frameworks"
	"github.com/shieldwall/shieldwall/internal/govern"
)

// loadGovern adds the demo's governance: a few risks written in each
// department's terms, controls mapped to ISO 27001 and NIST CSF with
// evidence (one expiring), the committee with a meeting next week, a
// pending project review and the app catalogue.
func loadGovern(ctx context.Context, acc *accounts.Service, org Organisation) error {
	gv := govern.New(acc.Store())
	actor := func(dept string, i int) (shieldwall.Actor, error) {
		u, err := acc.Store().FindUserByEmail(ctx, org.People[indexOf(dept, i)].Email)
		if err != nil {
			return shieldwall.Actor{}, err
		}
		return shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, DepartmentID: u.DepartmentID}, nil
	}
	sec, err := actor("Security", 0)
	if err != nil {
		return err
	}
	s := func(v string) *string { return &v }
	n := func(v int) *int { return &v }
	fail := func(what string, err error) error { return fmt.Errorf("demo govern: %s: %w", what, err) }

	controls := map[string]string{}
	for _, c := range []struct{ title, dept, status, iso, nist, evidence, until string }{
		{"Call back on a known number before changing supplier bank details", "Finance", "implemented", "A.5.1", "PR.AA-01", "Call-back log, Q3", "+20"},
		{"Multi-factor sign-in for every account", "IT", "partial", "A.8.5", "PR.AA-03", "Conditional access report", "+200"},
		{"Offline, tested backups of file servers", "IT", "implemented", "A.8.13", "PR.DS-11", "Restore test", "-5"},
		{"Security awareness training for all staff", "HR", "implemented", "A.6.3", "PR.AT-01", "Training completion export", "+120"},
		{"Supplier security clauses in contracts", "Legal", "not-started", "A.5.20", "GV.SC-05", "", ""},
	} {
		ms := []shieldwall.ControlMapping{{FrameworkID: frameworks.ISO27001ID, RequirementID: c.iso}, {FrameworkID: frameworks.NISTCSF2ID, RequirementID: c.nist}}
		ctl, err := gv.CreateControl(ctx, sec, shieldwall.ControlInput{Title: s(c.title), OwnerDepartment: s(c.dept), Status: s(c.status), Mappings: &ms})
		if err != nil {
			return fail("control "+c.title, err)
		}
		controls[c.title] = ctl.ID
		if c.evidence != "" {
			var days int
			fmt.Sscanf(c.until, "%d", &days)
			until := time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly)
			if _, err := gv.AddEvidence(ctx, sec, ctl.ID, shieldwall.EvidenceInput{Title: c.evidence, URL: "https://intranet." + Domain + "/evidence/" + ctl.ID[:8], ValidUntil: until}); err != nil {
				return fail("evidence", err)
			}
		}
	}

	fraud, err := gv.CreateRisk(ctx, sec, shieldwall.RiskInput{Title: s("Fraudulent change of a supplier's bank details"), Category: s("payment-fraud"),
		Description:     s("A criminal impersonates a supplier by email and asks Accounts Payable to pay to a new account."),
		OwnerDepartment: s("Finance"), InherentLikelihood: n(4), InherentImpact: n(5), ResidualLikelihood: n(2), ResidualImpact: n(4),
		TreatmentPlan: s("Call back on a known number; two people approve any change."), ControlIDs: &[]string{controls["Call back on a known number before changing supplier bank details"]}})
	if err != nil {
		return fail("risk", err)
	}
	for _, im := range []shieldwall.RiskImpactInput{
		{Department: "Finance", Statement: "A single supplier payment of up to €250k could go to a criminal account, with little chance of recovery.", Score: 5},
		{Department: "Legal", Statement: "Contract disputes with the real supplier and possible reporting to the bank's regulator.", Score: 2},
	} {
		if _, err := gv.PutImpact(ctx, sec, fraud.ID, im); err != nil {
			return fail("impact", err)
		}
	}
	for _, r := range []shieldwall.RiskInput{
		{Title: s("Ransomware encrypts the file servers"), Category: s("ransomware"), OwnerDepartment: s("IT"), InherentLikelihood: n(3), InherentImpact: n(5),
			ResidualLikelihood: n(2), ResidualImpact: n(4), TreatmentPlan: s("Offline backups, restore drills, MFA everywhere.")},
		{Title: s("Salary and health data of 1,200 employees exposed"), Category: s("data-breach"), OwnerDepartment: s("HR"), InherentLikelihood: n(3), InherentImpact: n(4)},
		{Title: s("Old CRM without single sign-on kept running"), Category: s("third-party"), OwnerDepartment: s("Sales"), InherentLikelihood: n(4), InherentImpact: n(3),
			Treatment: s("accept"), TreatmentPlan: s("Replaced next year; accepted until then.")},
	} {
		if _, err := gv.CreateRisk(ctx, sec, r); err != nil {
			return fail("risk", err)
		}
	}

	for _, dept := range []string{"Finance", "HR", "Legal", "IT", "Sales", "Operations"} {
		champ, err := actor(dept, 1)
		if err != nil {
			return err
		}
		if _, err := gv.AddMember(ctx, sec, govern.MemberInput{UserID: champ.UserID}); err != nil {
			return fail("committee", err)
		}
	}
	if _, err := gv.AddMember(ctx, sec, govern.MemberInput{UserID: sec.UserID}); err != nil {
		return fail("committee", err)
	}
	// Last month's meeting decided on the fraud risk and gave IT an action
	// that is now overdue: next week's agenda brings it back.
	last := time.Now().UTC().AddDate(0, 0, -28).Truncate(24 * time.Hour).Add(14 * time.Hour)
	past, err := gv.CreateMeeting(ctx, sec, shieldwall.MeetingInput{Title: s("Security committee"), StartsAt: &last, DurationMinutes: n(60), Location: s("Board room")})
	if err != nil {
		return fail("past meeting", err)
	}
	if _, err := gv.AddDecision(ctx, sec, past.ID, shieldwall.Decision{Text: "Two people approve every change of supplier bank details, from next month.", ObjectType: "risk", ObjectID: fraud.ID}); err != nil {
		return fail("decision", err)
	}
	if _, err := gv.AddActionItem(ctx, sec, past.ID, govern.ActionInput{Title: "Turn on multi-factor sign-in for the remaining 40 accounts", OwnerDepartment: "IT",
		DueOn: time.Now().UTC().AddDate(0, 0, -3).Format(time.DateOnly)}); err != nil {
		return fail("action item", err)
	}
	if _, err := gv.UpdateMeeting(ctx, sec, past.ID, shieldwall.MeetingInput{Minutes: s("Present: the champions of Finance, HR, Legal, IT, Sales and Operations; Security.\nWe went through the new payment-fraud risk and agreed on dual approval.")}); err != nil {
		return fail("minutes", err)
	}
	next := time.Now().UTC().AddDate(0, 0, 7).Truncate(24 * time.Hour).Add(14 * time.Hour)
	if _, err := gv.CreateMeeting(ctx, sec, shieldwall.MeetingInput{Title: s("Security committee"), StartsAt: &next, DurationMinutes: n(60), Location: s("Board room and video call")}); err != nil {
		return fail("meeting", err)
	}

	requester, err := actor("Sales", 3)
	if err != nil {
		return err
	}
	if _, err := gv.RequestReview(ctx, requester, shieldwall.ProjectReviewInput{Title: "Prospect enrichment tool", Vendor: "LeadMagnet", Cost: 18000,
		Data: []string{shieldwall.DataPersonal, shieldwall.DataCustomer}, SSO: true, NewContract: true, AppName: "LeadMagnet", Departments: []string{"Sales"}}); err != nil {
		return fail("review", err)
	}
	for _, a := range []shieldwall.App{
		{Name: "Microsoft 365", Status: shieldwall.AppApproved, Description: "Mail, documents and meetings."},
		{Name: "OneDrive", Status: shieldwall.AppApproved, Description: "Sharing files with colleagues and partners."},
		{Name: "Grammarly", Status: shieldwall.AppTolerated, Description: "Writing help; keep confidential text out."},
		{Name: "WeTransfer", Status: shieldwall.AppBanned, Alternative: "OneDrive", Reason: "Anyone with the link can download the files, and links cannot be revoked."},
	} {
		if _, err := gv.PutApp(ctx, sec, a); err != nil {
			return fail("app", err)
		}
	}
	return nil
}
