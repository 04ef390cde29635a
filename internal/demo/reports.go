package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/accounts"
	"github.com/shieldwall/shieldwall/internal/intake"
)

// phishingWave is the demo's campaign: the same fake "mailbox full" email,
// forwarded by many colleagues, each copy with its own tracking link.
func phishingWave(reporter shieldwall.UserInput, n int) []byte {
	greeting := strings.Split(reporter.Name, " ")[0]
	return []byte(fmt.Sprintf(`From: %s <%s>
To: report-phishing@%s
Subject: FW: Action required: your mailbox is full
Date: Thu, 26 Nov 2026 09:%02d:00 +0100
Message-ID: <fwd-%d@%s>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: text/plain; charset=utf-8

This looks fake, can you check?

--outer
Content-Type: message/rfc822

From: Microsoft 365 <no-reply@micros0ft-support.com>
Reply-To: it-helpdesk@mailbox-quota.example
To: %s
Subject: Action required: your mailbox is full
Date: Thu, 26 Nov 2026 08:41:00 +0100
Message-ID: <quota-%d@micros0ft-support.com>
Authentication-Results: mx.%s; spf=fail smtp.mailfrom=micros0ft-support.com; dkim=none; dmarc=fail
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<p>Dear %s,</p>
<p>Your mailbox has reached its storage limit. Incoming messages will be <b>deleted within 24 hours</b>
unless you verify your account immediately.</p>
<p><a href="http://micros0ft-support.com/verify?user=%d&amp;utm_source=mail">https://portal.office.com/storage</a></p>
<p>Microsoft 365 Team</p>

--outer--
`, reporter.Name, reporter.Email, Domain, n%60, n, Domain, reporter.Email, n, Domain, greeting, 1000+n))
}

// simulation is the organisation's own phishing test, recognised by its header.
func simulation(reporter shieldwall.UserInput, n int) []byte {
	return []byte(fmt.Sprintf(`From: %s <%s>
To: report-phishing@%s
Subject: FW: Your parcel could not be delivered
Message-ID: <sim-fwd-%d@%s>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Suspicious?

--b
Content-Type: message/rfc822

From: Parcel Service <tracking@parcel-notice.example>
To: %s
Subject: Your parcel could not be delivered
X-Gophish-Contact: security@%s
Content-Type: text/plain; charset=utf-8

We tried to deliver your parcel. Pay the 1.99 EUR fee here: http://parcel-notice.example/pay?rid=%d

--b--
`, reporter.Name, reporter.Email, Domain, n, Domain, reporter.Email, Domain, n))
}

func details(v map[string]any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// loadReports files realistic reports from the demo's people: a phishing
// wave that forms one campaign, a phishing simulation, portal reports of
// each kind, and an anonymous near miss with a question from security.
func loadReports(ctx context.Context, acc *accounts.Service, in *intake.Service, org Organisation) error {
	actorFor := func(email string) (shieldwall.Actor, error) {
		u, err := acc.Store().FindUserByEmail(ctx, email)
		if err != nil {
			return shieldwall.Actor{}, err
		}
		return shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, DepartmentID: u.DepartmentID}, nil
	}
	// People across departments forward the same phishing email.
	for i, idx := range []int{3, 12, 25, 41, 44, 58, 73, 90, 101, 122, 140, 161, 175} {
		p := org.People[idx%len(org.People)].UserInput
		if _, err := in.SubmitEmail(ctx, phishingWave(p, i), p.Email); err != nil {
			return fmt.Errorf("demo phishing wave: %w", err)
		}
	}
	for i, idx := range []int{30, 66, 130} {
		p := org.People[idx].UserInput
		if _, err := in.SubmitEmail(ctx, simulation(p, i), p.Email); err != nil {
			return fmt.Errorf("demo simulation: %w", err)
		}
	}
	portal := []struct {
		person int
		in     shieldwall.ReportInput
	}{
		{indexOf("Finance", 2), shieldwall.ReportInput{Kind: shieldwall.KindPaymentFraud, Title: "Supplier asks us to pay to a new bank account",
			Description: "Nordic Parts AB emailed that their bank changed and asked us to pay invoice 4471 to a new IBAN before Friday. The phone number in the email is not the one we have.",
			Details:     details(map[string]any{"amount": 48250, "currency": "EUR", "payee": "Nordic Parts AB", "what_changed": "new IBAN", "paid": false})}},
		{indexOf("Sales", 5), shieldwall.ReportInput{Kind: shieldwall.KindLostDevice, Title: "Laptop left on the train to Hamburg",
			Description: "I left my work laptop in the luggage rack. It is encrypted; I have reported it to the railway lost and found.",
			Details:     details(map[string]any{"device_type": "laptop", "where": "ICE 1023 to Hamburg", "data": "customer proposals, CRM access"})}},
		{indexOf("Marketing", 4), shieldwall.ReportInput{Kind: shieldwall.KindShadowIT, Title: "Team uses a free AI transcription app for customer calls",
			Details: details(map[string]any{"app_name": "QuickScribe", "used_for": "transcribing customer interviews", "url": "https://quickscribe.example"})}},
		{indexOf("HR", 3), shieldwall.ReportInput{Kind: shieldwall.KindDataExposure, Title: "Salary spreadsheet sent to the wrong Anna",
			Description: "An HR colleague sent the salary review sheet to an external Anna instead of our Anna in Finance.",
			Details:     details(map[string]any{"what_data": "names and salaries", "how_many": 240, "where": "external email address"})}},
		{indexOf("Operations", 7), shieldwall.ReportInput{Kind: shieldwall.KindSuspiciousBehaviour, Title: "Visitor photographing the server room door",
			Description: "A man without a badge took photos of the server room door and the badge reader, then left quickly.",
			Details:     details(map[string]any{"where": "2nd floor, north corridor"})}},
	}
	for _, r := range portal {
		actor, err := actorFor(org.People[r.person].Email)
		if err != nil {
			return err
		}
		if _, err := in.Submit(ctx, actor, r.in, shieldwall.SourcePortal, nil); err != nil {
			return fmt.Errorf("demo report %q: %w", r.in.Title, err)
		}
	}
	anon, _, err := in.SubmitAnonymous(ctx, "demo", shieldwall.ReportInput{Kind: shieldwall.KindMistake,
		Title: "I typed my password into a fake login page", Description: "It looked like our login page. I changed my password right after."}, nil)
	if err != nil {
		return fmt.Errorf("demo anonymous report: %w", err)
	}
	sec, err := actorFor(org.People[indexOf("Security", 0)].Email)
	if err != nil {
		return err
	}
	_, err = in.Reply(ctx, sec, anon.ID, "Thank you for telling us — changing the password was exactly right. Do you remember the web address of the page?")
	return err
}
