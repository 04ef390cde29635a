package smtpd_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/intake"
	"github.com/shieldwall/shieldwall/internal/mailtriage"
	"github.com/shieldwall/shieldwall/internal/smtpd"
	"github.com/shieldwall/shieldwall/internal/store"
)

func TestDefaultMaxMessageBytes(t *testing.T) {
	if smtpd.DefaultMaxMessageBytes != intake.MaxEmail {
		t.Errorf("DefaultMaxMessageBytes = %d; want intake.MaxEmail = %d", smtpd.DefaultMaxMessageBytes, intake.MaxEmail)
	}
}

// TestMailbox delivers reported mails over a real SMTP conversation on
// loopback to a real intake service over a real database.
func TestMailbox(t *testing.T) {
	each(t, smtpd.Config{AllowedRecipients: []string{reportAddress}}, func(t *testing.T, e *env) {
		ctx := context.Background()
		anna := e.mustUser(t, "anna.berg@acmecorp.com", "Anna Berg", shieldwall.RoleMember, "Finance")

		t.Run("OK", func(t *testing.T) {
			raw := readTestdata(t, "forward-attachment.eml")
			// The standard library's client, as a relay would talk.
			c, err := smtp.Dial(e.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Hello("mx.acmecorp.com"); err != nil {
				t.Fatal(err)
			}
			if err := c.Mail(anna.Email); err != nil {
				t.Fatalf("MAIL: %v", err)
			}
			if err := c.Rcpt(reportAddress); err != nil {
				t.Fatalf("RCPT: %v", err)
			}
			w, err := c.Data()
			if err != nil {
				t.Fatalf("DATA: %v", err)
			}
			if _, err := w.Write(raw); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil { // fails unless the answer is 250
				t.Fatalf("end of DATA: %v", err)
			}

			// 250 means durable: a second, independent connection to the
			// database sees the report at once.
			other := openStore(t, e.cfg)
			items, total, err := other.ListReports(ctx, shieldwall.ReportFilter{}, store.ReportVisibility{All: true})
			if err != nil || total != 1 || len(items) != 1 {
				t.Fatalf("right after 250: ListReports() = %d reports (total %d), %v; want 1", len(items), total, err)
			}
			_ = c.Quit()

			r := e.full(t, items[0].ID)
			if r.Kind != shieldwall.KindPhishing || r.Source != shieldwall.SourceEmail || r.Status != shieldwall.StatusNew {
				t.Errorf("kind, source, status = %s, %s, %s; want phishing, email, new", r.Kind, r.Source, r.Status)
			}
			if r.ReporterID != anna.ID || r.ReporterName != "Anna Berg" || r.DepartmentName != "Finance" || r.Anonymous {
				t.Errorf("reporter = %q (%q, %q, anonymous %v); want Anna Berg in Finance", r.ReporterID, r.ReporterName, r.DepartmentName, r.Anonymous)
			}
			if !strings.Contains(r.Title, "outstanding invoice") || !strings.Contains(r.Description, "Jane never writes") {
				t.Errorf("title %q, description %q; want the original's subject and the reporter's note", r.Title, r.Description)
			}
			if r.VerdictLevel != mailtriage.LevelMalicious || r.VerdictScore < 60 {
				t.Errorf("verdict = %s (%d); want %s", r.VerdictLevel, r.VerdictScore, mailtriage.LevelMalicious)
			}
			signals := map[string]string{}
			for _, s := range r.Signals {
				signals[s.Code] = s.Reason
			}
			for _, code := range []string{mailtriage.SignalReplyToMismatch, mailtriage.SignalLookalikeDomain, mailtriage.SignalAuthFail,
				mailtriage.SignalRiskyAttachment, mailtriage.SignalPaymentChange} {
				if signals[code] == "" {
					t.Errorf("signal %s missing or without a reason; got %v", code, signals)
				}
			}
			indicators := map[string]bool{}
			for _, in := range r.Indicators {
				indicators[in.Type+" "+in.Value] = true
			}
			for _, want := range []string{"sender jane.doe@acmec0rp.com", "reply-to jane.doe.cfo@gmail.com",
				"attachment-name Invoice_4471.pdf.exe", "domain acmec0rp.com"} {
				if !indicators[want] {
					t.Errorf("indicator %q missing; got %v", want, indicators)
				}
			}
			if r.CampaignID == "" {
				t.Errorf("CampaignID is empty; want the report in a campaign")
			}
			if len(r.Attachments) != 1 {
				t.Fatalf("attachments = %+v; want original.eml", r.Attachments)
			}
			a := r.Attachments[0]
			sent := crlf(raw) // what crossed the wire
			sum := sha256.Sum256(sent)
			if a.Filename != "original.eml" || a.ContentType != "message/rfc822" || a.Size != int64(len(sent)) || a.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("attachment = %+v; want original.eml, message/rfc822, %d bytes, sha256 of the message", a, len(sent))
			}
			_, data, compressed, err := e.intake.Attachment(ctx, e.security, r.ID, a.ID)
			if err != nil || !compressed {
				t.Fatalf("Attachment() compressed = %v, %v; want the original kept compressed", compressed, err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			back, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(back, sent) {
				t.Errorf("the stored original (%d bytes, %v) differs from the message sent (%d bytes)", len(back), err, len(sent))
			}
			if len(data) >= len(sent) {
				t.Errorf("stored %d bytes for a %d-byte message; want it compressed", len(data), len(sent))
			}
		})

		t.Run("UnknownSender", func(t *testing.T) {
			raw := forward("Stranger <stranger@elsewhere.example>", "Is this real?", readTestdata(t, "html-only.eml"))
			mustSend(t, e.addr, "stranger@elsewhere.example", raw)
			r := e.reports(t)[0]
			if r.ReporterID != "" || r.ReporterName != "" || r.DepartmentID != "" || r.Anonymous || r.Source != shieldwall.SourceEmail {
				t.Errorf("report from an unknown sender = reporter %q %q, department %q, anonymous %v, source %s; want no reporter, not anonymous, email",
					r.ReporterID, r.ReporterName, r.DepartmentID, r.Anonymous, r.Source)
			}
			if !strings.Contains(r.Title, "Password expiry notice") {
				t.Errorf("title = %q; want the original's subject", r.Title)
			}
		})

		t.Run("EnvelopeSenderWhenNotAForward", func(t *testing.T) {
			// A relay rule that redirects the suspect mail itself: its From is
			// the attacker, so the reporter is the envelope sender.
			mustSend(t, e.addr, "Anna.Berg@AcmeCorp.com", readTestdata(t, "plain-phish.eml"))
			r := e.reports(t)[0]
			if r.ReporterID != anna.ID {
				t.Errorf("reporter = %q; want Anna (%s) from the envelope", r.ReporterID, anna.ID)
			}
		})

		t.Run("SMTPUTF8", func(t *testing.T) {
			c := dial(t, e.addr)
			defer c.quit()
			if r := c.cmd("EHLO relay.acmecorp.com"); !strings.Contains(r.msg, "SMTPUTF8") {
				t.Errorf("EHLO = %v; want SMTPUTF8 offered", r)
			}
			if r := c.cmd("MAIL FROM:<jörg.müller@acmecorp.com> SMTPUTF8"); r.code != 250 {
				t.Errorf("MAIL FROM with SMTPUTF8 = %v; want 250", r)
			}
			c.cmd("RCPT TO:<%s>", reportAddress)
			if r := c.data([]byte("From: Jörg Müller <jörg.müller@acmecorp.com>\r\nSubject: Überweisung dringend\r\n\r\nBitte prüfen.\r\n")); r.code != 250 {
				t.Errorf("UTF-8 message = %v; want 250", r)
			}
			if got := e.reports(t)[0].Title; got != "Suspicious email: Überweisung dringend" {
				t.Errorf("title = %q; want the UTF-8 subject", got)
			}
		})

		t.Run("ErrUnknownRecipient", func(t *testing.T) {
			c := dial(t, e.addr)
			defer c.quit()
			c.cmd("EHLO relay.acmecorp.com")
			c.cmd("MAIL FROM:<%s>", anna.Email)
			for _, rcpt := range []string{"ceo@acmecorp.com", "report-phishing@acmecorp.com.evil.example", "report-phishing@other.example"} {
				if r := c.cmd("RCPT TO:<%s>", rcpt); r.code != 550 || !strings.HasPrefix(r.msg, "5.1.1 ") {
					t.Errorf("RCPT TO:<%s> = %v; want 550 5.1.1", rcpt, r)
				}
			}
			if r := c.cmd("DATA"); r.code/100 != 5 {
				t.Errorf("DATA without an accepted recipient = %v; want 5xx", r)
			}
			for _, rcpt := range []string{"Report-Phishing@AcmeCorp.com", "report-phishing+outlook@acmecorp.com"} {
				if r := c.cmd("RCPT TO:<%s>", rcpt); r.code != 250 {
					t.Errorf("RCPT TO:<%s> = %v; want 250", rcpt, r)
				}
			}
		})

		t.Run("ErrTooManyRecipients", func(t *testing.T) {
			c := dial(t, e.addr)
			defer c.quit()
			c.cmd("EHLO relay.acmecorp.com")
			c.cmd("MAIL FROM:<%s>", anna.Email)
			for i := range smtpd.DefaultMaxRecipients {
				if r := c.cmd("RCPT TO:<report-phishing+%d@acmecorp.com>", i); r.code != 250 {
					t.Fatalf("recipient %d = %v; want 250", i, r)
				}
			}
			if r := c.cmd("RCPT TO:<%s>", reportAddress); r.code != 452 {
				t.Errorf("recipient %d = %v; want 452", smtpd.DefaultMaxRecipients+1, r)
			}
		})

		t.Run("ErrTooLarge", func(t *testing.T) {
			const limit = 4096
			_, addr := startMailbox(t, smtpd.Config{MaxMessageBytes: limit}, e.intake, e.log)
			before := len(e.reports(t))
			message := func(size int) []byte {
				head := "From: Anna Berg <anna.berg@acmecorp.com>\r\nSubject: big\r\n\r\n"
				body := strings.Repeat("x", 70) + "\r\n"
				var b strings.Builder
				b.WriteString(head)
				for b.Len()+len(body) <= size {
					b.WriteString(body)
				}
				pad := size - b.Len() - 2
				b.WriteString(strings.Repeat("y", pad) + "\r\n")
				return []byte(b.String())
			}
			c := dial(t, addr)
			defer c.quit()
			if r := c.cmd("EHLO relay.acmecorp.com"); !strings.Contains(r.msg, "SIZE") {
				t.Errorf("EHLO = %v; want SIZE advertised", r)
			}
			c.cmd("MAIL FROM:<%s>", anna.Email)
			c.cmd("RCPT TO:<%s>", reportAddress)
			if r := c.data(message(limit + 1)); r.code != 552 || !strings.HasPrefix(r.msg, "5.3.4 ") {
				t.Errorf("a message one byte over the limit = %v; want 552 5.3.4", r)
			}
			if r := c.cmd("NOOP"); r.code != 250 {
				t.Errorf("NOOP after a refused message = %v; want the connection still usable", r)
			}
			if r := c.cmd("MAIL FROM:<%s> SIZE=%d", anna.Email, 10*limit); r.code != 552 {
				t.Errorf("MAIL FROM with SIZE over the limit = %v; want 552", r)
			}
			if got := len(e.reports(t)); got != before {
				t.Errorf("%d reports after refused messages; want %d", got, before)
			}
			c.cmd("RSET")
			c.cmd("MAIL FROM:<%s>", anna.Email)
			c.cmd("RCPT TO:<%s>", reportAddress)
			if r := c.data(message(limit)); r.code != 250 {
				t.Errorf("a message of exactly the limit = %v; want 250", r)
			}
		})

		t.Run("NoAddressesInTheLog", func(t *testing.T) {
			log := e.log.String()
			for _, s := range []string{"anna.berg", "Anna.Berg", "stranger@", "127.0.0.1"} {
				if strings.Contains(log, s) {
					t.Errorf("the log contains %q:\n%s", s, log)
				}
			}
			if !strings.Contains(log, "report received") {
				t.Errorf("the log does not say a report was received:\n%s", log)
			}
		})
	})
}

// TestMailbox_Answers checks what the relay is told when storing fails:
// retry on a temporary failure, bounce on a permanent one.
func TestMailbox_Answers(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   int
		prefix string
	}{
		{"OK", nil, 250, "2.0.0"},
		{"ErrUnavailable", shieldwall.Errorf(shieldwall.EUNAVAILABLE, "The database does not answer."), 451, "4.3.0"},
		{"ErrInternal", errors.New("store: batch commit: connection refused"), 451, "4.3.0"},
		{"ErrCanceled", context.Canceled, 451, "4.3.0"},
		{"ErrTooLarge", shieldwall.Errorf(shieldwall.ETOOLARGE, "too big"), 552, "5.3.4"},
		{"ErrInvalid", shieldwall.Errorf(shieldwall.EINVALID, "The message is not an email."), 554, "5.6.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtpd.New(smtpd.Config{Domain: "mailbox.test"}, func(context.Context, []byte, string) error { return tt.err }, nil)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go srv.Serve(ln)
			t.Cleanup(func() { srv.Close() })
			r := send(t, ln.Addr().String(), "anna@acmecorp.com", []string{reportAddress}, []byte("Subject: x\r\n\r\nhello\r\n"))
			if r.code != tt.code || !strings.HasPrefix(r.msg, tt.prefix+" ") {
				t.Errorf("answer = %v; want %d %s", r, tt.code, tt.prefix)
			}
		})
	}
}

// TestMailbox_DatabaseDown: with the database gone the relay is told to
// retry (451), so the reported mail is not lost.
func TestMailbox_DatabaseDown(t *testing.T) {
	each(t, smtpd.Config{}, func(t *testing.T, e *env) {
		before := len(e.reports(t))
		st := openStore(t, e.cfg)
		svc := intake.New(st, intake.Config{})
		t.Cleanup(svc.Close)
		_, addr := startMailbox(t, smtpd.Config{}, svc, e.log)
		st.Close()
		r := send(t, addr, "anna@acmecorp.com", []string{reportAddress}, readTestdata(t, "forward-attachment.eml"))
		if r.code != 451 || !strings.HasPrefix(r.msg, "4.3.0 ") {
			t.Errorf("answer with the database closed = %v; want 451 4.3.0", r)
		}
		// The same message is stored when the relay retries against a live database.
		mustSend(t, e.addr, "anna@acmecorp.com", readTestdata(t, "forward-attachment.eml"))
		if got := len(e.reports(t)); got != before+1 {
			t.Errorf("%d reports; want %d", got, before+1)
		}
	})
}

func TestMailbox_Simulation(t *testing.T) {
	each(t, smtpd.Config{}, func(t *testing.T, e *env) {
		anna := e.mustUser(t, "anna.berg@acmecorp.com", "Anna Berg", shieldwall.RoleMember, "Finance")
		mustSend(t, e.addr, anna.Email, readTestdata(t, "simulation-gophish.eml"))
		r := e.reports(t)[0]
		if !r.Simulation || r.Status != shieldwall.StatusResolved || r.CampaignID != "" {
			t.Errorf("simulation report: simulation %v, status %s, campaign %q; want true, resolved, none", r.Simulation, r.Status, r.CampaignID)
		}
		if !strings.Contains(strings.ToLower(r.Resolution), "thank you") || !strings.Contains(r.Resolution, "phishing test") {
			t.Errorf("resolution = %q; want it to say it was a test and thank the reporter", r.Resolution)
		}
		if r.ReporterID != anna.ID {
			t.Errorf("reporter = %q; want Anna credited", r.ReporterID)
		}
		// Anna sees the answer as herself.
		mine, err := e.intake.Get(context.Background(), actorOf(anna), r.ID)
		if err != nil || mine.Resolution != r.Resolution {
			t.Errorf("Get as Anna = %q, %v; want the thanks", mine.Resolution, err)
		}
		cs, _, err := e.intake.ListCampaigns(context.Background(), e.security, "", shieldwall.Page{})
		if err != nil || len(cs) != 0 {
			t.Errorf("ListCampaigns() = %d campaigns, %v; want none: no analyst time on a test", len(cs), err)
		}
	})
}

// phishVariant is the i-th colleague's copy of one invoice fraud, forwarded
// as an attachment: their own name in the greeting, their own tracking
// token in the link, and a few words changed.
func phishVariant(i int, name, addr string) []byte {
	greetings := []string{"Dear %s,", "Hi %s", "Hello %s,", "Good morning %s,", "Dear %s"}
	verbs := []string{"find attached", "see attached", "find enclosed", "review the attached"}
	closings := []string{"Kind regards,", "Best regards,", "Regards,", "Thanks,"}
	link := fmt.Sprintf("https://acmecorp.com.invoice-portal.example/view?utm_source=mail&utm_campaign=q%d&rid=%08x%04d&email=%s",
		i%4, uint32(i*2654435761), i, addr)
	body := fmt.Sprintf(`%s

Please %s the outstanding invoice 4471 for the consulting services delivered in March. Our bank details have changed because we moved to a new bank, so please use the new bank account below for this and all future payments.

This is urgent: the payment must be made within %s hours, otherwise the account will be suspended and late fees will apply to your company.

Account holder: Acme Consulting Ltd
IBAN: GB29 NWBK 6016 1331 9268 19

Review the invoice and the confirmation letter from our bank here: %s

Please do not call our office about this, our phone lines are being moved this week; simply reply to this email.

%s
Jane Doe
Chief Financial Officer
`, fmt.Sprintf(greetings[i%len(greetings)], name), verbs[i%len(verbs)], []string{"24", "48"}[i%2], link, closings[i%len(closings)])
	original := fmt.Sprintf("From: Jane Doe <jane.doe@acmec0rp.com>\r\nReply-To: jane.doe.cfo@gmail.com\r\nTo: %s <%s>\r\n"+
		"Subject: [EXTERNAL] Urgent: outstanding invoice 4471\r\nMessage-ID: <%d.4471@acmec0rp.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s",
		name, addr, 1000+i, body)
	return forward(name+" <"+addr+">", []string{"Phishing?", "This looks fake.", "Please check", ""}[i%4], []byte(original))
}

// TestMailbox_TwentyReportersOneCampaign is the campaign promise over SMTP:
// twenty colleagues in four departments forward one phishing mail, it is
// one campaign, and one decision answers all twenty.
func TestMailbox_TwentyReportersOneCampaign(t *testing.T) {
	each(t, smtpd.Config{AllowedRecipients: []string{reportAddress}}, func(t *testing.T, e *env) {
		ctx := context.Background()
		names := []string{"Anna", "Tom", "Maria", "Jonas", "Lea", "Paul", "Sofia", "Ben", "Emma", "Lukas",
			"Mia", "Felix", "Hannah", "Noah", "Lena", "Elias", "Clara", "Leon", "Ida", "Jan"}
		depts := []string{"Finance", "HR", "Sales", "Legal"}
		users := make([]shieldwall.User, len(names))
		for i, n := range names {
			users[i] = e.mustUser(t, strings.ToLower(n)+".smith@acmecorp.com", n+" Smith", shieldwall.RoleMember, depts[i%len(depts)])
		}
		// Five relay connections at once, as a busy mail server would: the
		// reports share group commits.
		var wg sync.WaitGroup
		errs := make(chan string, len(users))
		for w := range 5 {
			wg.Go(func() {
				for i := w; i < len(users); i += 5 {
					r := send(t, e.addr, users[i].Email, []string{reportAddress}, phishVariant(i, names[i], users[i].Email))
					if r.code != 250 {
						errs <- fmt.Sprintf("variant %d: %v", i, r)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for s := range errs {
			t.Error(s)
		}
		mustSend(t, e.addr, users[0].Email, forward("Anna Smith <anna.smith@acmecorp.com>", "and this one?", readTestdata(t, "html-only.eml")))

		cs, total, err := e.intake.ListCampaigns(ctx, e.security, "", shieldwall.Page{})
		if err != nil || total != 2 || len(cs) != 2 {
			t.Fatalf("ListCampaigns() = %d (total %d), %v; want 2: the fraud and the unrelated mail", len(cs), total, err)
		}
		big, small := cs[0], cs[1] // largest first
		if big.ReportCount != 20 || small.ReportCount != 1 {
			t.Errorf("campaign sizes = %d, %d; want 20, 1", big.ReportCount, small.ReportCount)
		}
		c, err := e.intake.GetCampaign(ctx, e.security, big.ID)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, d := range c.Departments {
			sum += d.Count
			if d.Count != 5 {
				t.Errorf("department %s reported %d times; want 5", d.DepartmentName, d.Count)
			}
		}
		if sum != 20 || len(c.Departments) != 4 {
			t.Errorf("department counts = %+v (sum %d); want 4 departments adding to 20", c.Departments, sum)
		}
		if c.SenderDomain != "acmec0rp.com" || c.FirstReportedAt.IsZero() || c.LastReportedAt.Before(c.FirstReportedAt) {
			t.Errorf("campaign = %+v; want sender acmec0rp.com and first/last reported times", c)
		}

		decided, n, err := e.intake.DecideCampaign(ctx, e.security, big.ID, intake.CampaignDecision{Decision: "malicious"})
		if err != nil || n != 20 || decided.Status != "decided" || decided.Decision != "malicious" {
			t.Fatalf("DecideCampaign() = %s/%s, %d resolved, %v; want decided/malicious, 20", decided.Status, decided.Decision, n, err)
		}
		for _, u := range users {
			mine, total, err := e.intake.List(ctx, actorOf(u), shieldwall.ReportFilter{})
			if err != nil || total != 1 && u.ID != users[0].ID {
				t.Fatalf("List as %s = %d, %v", u.Email, total, err)
			}
			for _, r := range mine {
				r, err := e.intake.Get(ctx, actorOf(u), r.ID)
				if err != nil {
					t.Fatalf("Get as %s: %v", u.Email, err)
				}
				if r.CampaignID != big.ID {
					if r.Status != shieldwall.StatusNew {
						t.Errorf("the unrelated report is %s; want it untouched by the decision", r.Status)
					}
					continue
				}
				if r.Status != shieldwall.StatusResolved || !strings.Contains(r.Resolution, "phishing attack") || !strings.Contains(r.Resolution, "Thank you") {
					t.Errorf("%s sees %s, %q; want resolved with the plain-words answer", u.Email, r.Status, r.Resolution)
				}
			}
		}
	})
}

// TestMailbox_Garbage: bad input gets 250 or a 5xx, never a crash, and
// the listener stays up.
func TestMailbox_Garbage(t *testing.T) {
	each(t, smtpd.Config{}, func(t *testing.T, e *env) {
		inputs := map[string][]byte{
			"Empty":         {},
			"Binary":        {0, 1, 2, 3, 0xff, 0xfe, 0x80, '\r', '\n', 0, 0},
			"NoHeader":      []byte("just some words, no header at all\r\n"),
			"NULAndBadUTF8": []byte("Subject: \xff\xfe\x00 hi\r\nFrom: \x00@\xc3\x28\r\n\r\nbody \x00 with \xc3\x28 bad bytes\r\n"),
			"BadForward": forward("Anna <anna@acmecorp.com>", "note with \x00 NUL and \xff\xfe bad UTF-8",
				[]byte("From: x@\xff.example\r\nSubject: \x00\r\n\r\n\x00\x00")),
			"BrokenMIME":  []byte("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n--\r\n--\r\n"),
			"DeepNesting": readTestdata(t, "deep-nesting.eml"),
			"HugeHeader":  readTestdata(t, "huge-header.eml"),
		}
		stored := 0
		for name, raw := range inputs {
			r := send(t, e.addr, "anna@acmecorp.com", []string{reportAddress}, raw)
			switch {
			case r.code == 250:
				stored++
			case r.code/100 == 5:
				t.Logf("%s: %v", name, r)
			default:
				t.Errorf("%s: answer %v; want 250 or 5xx\n%s", name, r, e.log.String())
			}
		}
		// A line longer than the listener takes ends the conversation with a
		// 5xx; the client may not read it, as the server closes while the
		// client is still writing.
		lc := dial(t, e.addr)
		lc.cmd("EHLO relay.acmecorp.com")
		lc.cmd("MAIL FROM:<anna@acmecorp.com>")
		lc.cmd("RCPT TO:<%s>", reportAddress)
		lc.cmd("DATA")
		_, _ = lc.conn.Write([]byte("Subject: long\r\n\r\n" + strings.Repeat("A", 100<<10) + "\r\n.\r\n"))
		if code, msg, err := lc.tp.ReadResponse(0); code/100 != 5 && err == nil {
			t.Errorf("a 100 KiB line: answer %d %s; want 5xx", code, msg)
		}
		// Junk commands.
		c := dial(t, e.addr)
		for _, line := range []string{"HELO", "MAIL FROM:<<<>>>", "RCPT TO:", "\x00\x01", "BDAT x", "AUTH PLAIN AGFiYwBk"} {
			if r := c.cmd("%s", line); r.code/100 != 5 && r.code != 250 {
				t.Errorf("%q: answer %v; want 5xx", line, r)
			}
		}
		c.quit()
		// Still listening, and what was accepted was stored.
		if r := dial(t, e.addr).cmd("NOOP"); r.code != 250 {
			t.Errorf("NOOP after the garbage = %v; want 250", r)
		}
		if got := len(e.reports(t)); got != stored {
			t.Errorf("%d reports; want %d, one per 250", got, stored)
		}
	})
}

// TestMailbox_Shutdown: an idle relay connection is told 421; a message
// being received is finished and stored first.
func TestMailbox_Shutdown(t *testing.T) {
	each(t, smtpd.Config{}, func(t *testing.T, e *env) {
		t.Run("IdleGets421", func(t *testing.T) {
			srv, addr := startMailbox(t, smtpd.Config{Domain: "mailbox.test"}, e.intake, e.log)
			c := dial(t, addr)
			c.cmd("EHLO relay.acmecorp.com")
			done := make(chan error, 1)
			go func() { done <- srv.Shutdown(context.Background()) }()
			if r := c.read(); r.code != 421 || !strings.HasPrefix(r.msg, "4.3.2 ") {
				t.Errorf("idle connection at shutdown got %v; want 421 4.3.2", r)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Shutdown() = %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Shutdown() did not return")
			}
			if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				t.Errorf("the listener still accepts after Shutdown")
			}
		})
		t.Run("InFlightFinishes", func(t *testing.T) {
			srv, addr := startMailbox(t, smtpd.Config{Domain: "mailbox.test"}, e.intake, e.log)
			before := len(e.reports(t))
			c := dial(t, addr)
			c.cmd("EHLO relay.acmecorp.com")
			c.cmd("MAIL FROM:<anna@acmecorp.com>")
			c.cmd("RCPT TO:<%s>", reportAddress)
			if r := c.cmd("DATA"); r.code != 354 {
				t.Fatalf("DATA = %v", r)
			}
			raw := crlf(readTestdata(t, "forward-attachment.eml"))
			half := len(raw) / 2
			if _, err := c.conn.Write(raw[:half]); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Shutdown(context.Background()) }()
			// Wait until the listener is closed: shutdown has begun.
			for deadline := time.Now().Add(5 * time.Second); ; {
				nc, err := net.DialTimeout("tcp", addr, time.Second)
				if err != nil {
					break
				}
				nc.Close()
				if time.Now().After(deadline) {
					t.Fatal("the listener did not close")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if _, err := c.conn.Write(append(raw[half:], ".\r\n"...)); err != nil {
				t.Fatal(err)
			}
			if r := c.read(); r.code != 250 {
				t.Errorf("message finished during shutdown = %v; want 250", r)
			}
			if r := c.cmd("NOOP"); r.code != 421 {
				t.Errorf("next command during shutdown = %v; want 421", r)
			}
			if err := <-done; err != nil {
				t.Errorf("Shutdown() = %v", err)
			}
			if got := len(e.reports(t)); got != before+1 {
				t.Errorf("%d reports; want %d: the message finished during shutdown is stored", got, before+1)
			}
		})
		t.Run("TooManyConnections", func(t *testing.T) {
			_, addr := startMailbox(t, smtpd.Config{Domain: "mailbox.test", MaxConnections: 2}, e.intake, e.log)
			dial(t, addr)
			dial(t, addr)
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			line, _ := io.ReadAll(nc)
			if !strings.HasPrefix(string(line), "421 4.7.0 ") {
				t.Errorf("third connection got %q; want 421 4.7.0", line)
			}
		})
	})
}
