package mailtriage

import (
	"strings"
	"testing"
)

func hasSignal(v Verdict, code string) bool {
	for _, s := range v.Signals {
		if s.Code == code {
			return true
		}
	}
	return false
}

func signal(v Verdict, code string) Signal {
	for _, s := range v.Signals {
		if s.Code == code {
			return s
		}
	}
	return Signal{}
}

// score runs Extract and Score over a message built from values.
func score(m *Message, opts Options) Verdict {
	return Score(m, Extract(m, opts), opts)
}

func from(name, addr string) Original {
	return Original{From: Address{Name: name, Address: addr}}
}

// TestScore_Signals has a positive and a negative case for every signal.
func TestScore_Signals(t *testing.T) {
	authHeader := func(v string) []Header { return []Header{{"Authentication-Results", "mx.acmecorp.com; " + v}} }
	tests := []struct {
		name   string
		orig   Original
		atts   []Attachment
		opts   Options
		code   string
		want   bool
		reason string // substring of the reason when want
	}{
		// reply_to_mismatch
		{name: "ReplyToOtherDomain", orig: Original{From: Address{Address: "ceo@vendor.example"}, ReplyTo: []Address{{Address: "ceo@gmail.com"}}}, code: SignalReplyToMismatch, want: true, reason: "gmail.com"},
		{name: "ReplyToSameRegistrable", orig: Original{From: Address{Address: "a@vendor.example"}, ReplyTo: []Address{{Address: "b@support.vendor.example"}}}, code: SignalReplyToMismatch},
		{name: "NoReplyTo", orig: from("", "a@vendor.example"), code: SignalReplyToMismatch},

		// display_name_impersonation
		{name: "InternalNameExternalAddress", orig: from("Jane Doe", "jane@freemail.example"), opts: testOpts, code: SignalDisplayName, want: true, reason: "Jane Doe"},
		{name: "InternalNameReversedWithTitle", orig: from("DOE, Jane (CFO)", "x@freemail.example"), opts: testOpts, code: SignalDisplayName, want: true},
		{name: "InternalNameInternalAddress", orig: from("Jane Doe", "jane.doe@acmecorp.com"), opts: testOpts, code: SignalDisplayName},
		{name: "OtherName", orig: from("Janet Doering", "x@freemail.example"), opts: testOpts, code: SignalDisplayName},
		{name: "FirstNameOnly", orig: from("Jane", "x@freemail.example"), opts: testOpts, code: SignalDisplayName},
		{name: "AddressInDisplayName", orig: from("jane.doe@acmecorp.com", "x@freemail.example"), opts: testOpts, code: SignalDisplayName, want: true, reason: "shows the address jane.doe@acmecorp.com"},

		// auth_fail and auth_pass
		{name: "DMARCFail", orig: Original{From: Address{Address: "a@bank.example"}, Headers: authHeader("dmarc=fail header.from=bank.example")}, code: SignalAuthFail, want: true, reason: "DMARC failed"},
		{name: "SPFSoftfail", orig: Original{From: Address{Address: "a@bank.example"}, Headers: authHeader("spf=softfail")}, code: SignalAuthFail, want: true, reason: "SPF soft-failed"},
		{name: "DKIMFail", orig: Original{From: Address{Address: "a@bank.example"}, Headers: authHeader("dkim=fail")}, code: SignalAuthFail, want: true, reason: "DKIM signature is invalid"},
		{name: "AllNone", orig: Original{From: Address{Address: "a@bank.example"}, Headers: authHeader("spf=none; dkim=none; dmarc=none")}, code: SignalAuthFail, want: true, reason: "no DMARC policy"},
		{name: "AllPassNoFail", orig: Original{From: Address{Address: "a@bank.example"}, Headers: authHeader("spf=pass; dkim=pass; dmarc=pass header.from=bank.example")}, code: SignalAuthFail},
		{name: "AllPassNoted", orig: Original{From: Address{Address: "a@bank.example"}, Headers: authHeader("spf=pass; dkim=pass; dmarc=pass header.from=bank.example")}, code: SignalAuthPass, want: true, reason: "passed for bank.example"},
		{name: "NoAuthHeader", orig: from("", "a@bank.example"), code: SignalAuthFail},

		// lookalike_domain
		{name: "LookalikeSender", orig: from("", "x@acmec0rp.com"), opts: testOpts, code: SignalLookalikeDomain, want: true, reason: "The sender's domain acmec0rp.com imitates your domain acmecorp.com"},
		{name: "LookalikeLink", orig: Original{From: Address{Address: "x@mailer.example"}, TextBody: "https://acmecorp.com.evil.example/login"}, opts: testOpts, code: SignalLookalikeDomain, want: true, reason: "A link goes to acmecorp.com.evil.example"},
		{name: "LookalikePunycodeLink", orig: Original{From: Address{Address: "x@mailer.example"}, TextBody: "https://xn--acmcorp-9gg.com/"}, opts: testOpts, code: SignalLookalikeDomain, want: true, reason: "acmеcorp.com"},
		{name: "OwnDomainNotLookalike", orig: Original{From: Address{Address: "it@mail.acmecorp.com"}, TextBody: "https://intranet.acmecorp.com/"}, opts: testOpts, code: SignalLookalikeDomain},
		{name: "UnrelatedNotLookalike", orig: Original{From: Address{Address: "news@shop.example"}, TextBody: "https://shop.example/deals"}, opts: testOpts, code: SignalLookalikeDomain},
		{name: "NoOwnDomains", orig: from("", "x@acmec0rp.com"), code: SignalLookalikeDomain},

		// link_text_mismatch
		{name: "LinkTextMismatch", orig: Original{From: Address{Address: "a@b.example"}, HTMLBody: `<a href="https://evil.example/">https://bank.example/</a>`}, code: SignalLinkTextMismatch, want: true, reason: "shows bank.example but leads to evil.example"},
		{name: "LinkTextMatches", orig: Original{From: Address{Address: "a@b.example"}, HTMLBody: `<a href="https://bank.example/x">bank.example</a>`}, code: SignalLinkTextMismatch},

		// urgency_language
		{name: "UrgencyEnglish", orig: Original{Subject: "Action required", TextBody: "Reply immediately."}, code: SignalUrgency, want: true, reason: "“action required”, “immediately”"},
		{name: "UrgencyGerman", orig: Original{TextBody: "Bitte umgehend bezahlen, sonst wird Ihr Konto gesperrt."}, code: SignalUrgency, want: true, reason: "umgehend"},
		{name: "UrgencyFrench", orig: Original{TextBody: "Merci de répondre dès que possible."}, code: SignalUrgency, want: true, reason: "dès que possible"},
		{name: "UrgencyDutch", orig: Original{TextBody: "Reageer zo snel mogelijk."}, code: SignalUrgency, want: true},
		{name: "NoUrgency", orig: Original{Subject: "Lunch", TextBody: "Shall we have lunch on Friday? Urgency is not a word here, nor is insurgent."}, code: SignalUrgency},

		// payment_change_language
		{name: "PaymentStrong", orig: Original{TextBody: "Please note our new bank account for all payments."}, code: SignalPaymentChange, want: true, reason: "new bank account"},
		{name: "PaymentWeakWithChange", orig: Original{TextBody: "Our IBAN has changed, see below."}, code: SignalPaymentChange, want: true, reason: "“iban”"},
		{name: "PaymentGerman", orig: Original{TextBody: "Bitte nutzen Sie ab sofort unsere neue Bankverbindung."}, code: SignalPaymentChange, want: true},
		{name: "PaymentFrench", orig: Original{TextBody: "Veuillez trouver notre nouveau RIB ci-joint."}, code: SignalPaymentChange, want: true},
		{name: "PaymentDutch", orig: Original{TextBody: "Let op: wij hebben een nieuw rekeningnummer."}, code: SignalPaymentChange, want: true},
		{name: "GiftCards", orig: Original{TextBody: "Can you buy four gift cards for a client? Keep it quiet."}, code: SignalPaymentChange, want: true},
		{name: "PaymentWeakAlone", orig: Original{TextBody: "Our IBAN is on the invoice as always."}, code: SignalPaymentChange},
		{name: "NoPayment", orig: Original{TextBody: "The new cafeteria menu is out."}, code: SignalPaymentChange},

		// risky_attachment
		{name: "Executable", atts: []Attachment{{Filename: "setup.exe", DetectedType: "application/x-msdownload"}}, code: SignalRiskyAttachment, want: true, reason: "is a program"},
		{name: "DisguisedProgram", atts: []Attachment{{Filename: "invoice.pdf", DetectedType: "application/x-msdownload"}}, code: SignalRiskyAttachment, want: true, reason: "disguised as a .pdf"},
		{name: "DoubleExtension", atts: []Attachment{{Filename: "scan.pdf.js", DetectedType: "text/plain"}}, code: SignalRiskyAttachment, want: true},
		{name: "Macro", atts: []Attachment{{Filename: "Budget.xlsm", DetectedType: "application/zip"}}, code: SignalRiskyAttachment, want: true, reason: "macros"},
		{name: "DiskImage", atts: []Attachment{{Filename: "docs.iso"}}, code: SignalRiskyAttachment, want: true, reason: "disk image"},
		{name: "HTMLAttachment", atts: []Attachment{{Filename: "Remittance.htm", ContentType: "text/html"}}, code: SignalRiskyAttachment, want: true, reason: "web page"},
		{name: "Archive", atts: []Attachment{{Filename: "files.zip", DetectedType: "application/zip"}}, code: SignalRiskyAttachment, want: true, reason: "not opened"},
		{name: "PDF", atts: []Attachment{{Filename: "invoice.pdf", DetectedType: "application/pdf"}}, code: SignalRiskyAttachment},
		{name: "Image", atts: []Attachment{{Filename: "logo.png", DetectedType: "image/png"}}, code: SignalRiskyAttachment},

		// external_sender
		{name: "External", orig: from("", "a@vendor.example"), opts: testOpts, code: SignalExternalSender, want: true, reason: "vendor.example"},
		{name: "Internal", orig: from("", "a@hr.acmecorp.com"), opts: testOpts, code: SignalExternalSender},
		{name: "UnknownOwnDomains", orig: from("", "a@vendor.example"), code: SignalExternalSender},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := score(&Message{Original: tt.orig, Attachments: tt.atts}, tt.opts)
			if got := hasSignal(v, tt.code); got != tt.want {
				t.Fatalf("signal %s = %v; want %v (signals %+v)", tt.code, got, tt.want, v.Signals)
			}
			if tt.want {
				s := signal(v, tt.code)
				if !strings.Contains(s.Reason, tt.reason) {
					t.Errorf("Reason = %q; want it to contain %q", s.Reason, tt.reason)
				}
				if !strings.HasSuffix(s.Reason, ".") || s.Reason[0] < 'A' || s.Reason[0] > 'Z' {
					t.Errorf("Reason = %q; want a sentence", s.Reason)
				}
			}
		})
	}
}

func TestLookalike(t *testing.T) {
	own := prepareOwn([]string{"acmecorp.com", "paypal.com"})
	tests := []struct {
		domain string
		want   bool
	}{
		{"acmec0rp.com", true},              // digit for letter
		{"acrnecorp.com", true},             // rn for m
		{"acmecorp.net", true},              // other ending
		{"acmecorp.co.uk", true},            // other ending, two labels
		{"acmecrop.com", true},              // swapped letters
		{"acmecorpp.com", true},             // one extra letter
		{"acmecorp-login.com", true},        // name inside another
		{"secure-acmecorp.example", true},   // name inside another
		{"acmecorp.com.evil.example", true}, // own domain in front
		{"acmecorp.evil.example", true},     // own name as subdomain
		{"xn--acmcorp-9gg.com", true},       // Cyrillic е
		{"xn--pypal-4ve.com", true},         // Cyrillic а in paypal
		{"paypa1.com", true},                // 1 for l
		{"pay-pal.com", true},               // hyphen
		{"acmecorp.com", false},             // own
		{"mail.acmecorp.com", false},        // own subdomain
		{"example.com", false},              // unrelated
		{"acme.com", false},                 // too different
		{"corpacme.org", false},             // too different
		{"gmail.com", false},                // unrelated
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			_, how, got := lookalike(tt.domain, own)
			if got != tt.want {
				t.Errorf("lookalike(%q) = %v (%s); want %v", tt.domain, got, how, tt.want)
			}
		})
	}
}

func TestSkeleton(t *testing.T) {
	tests := []struct{ in, want string }{
		{"paypal", "paypal"},
		{"paypa1", "paypal"},
		{"PAYPAL", "paypal"},
		{"раураl", "paypal"}, // Cyrillic р, а, у
		{"modern", "modem"},  // rn → m on both sides, so compared alike
		{"ｐａｙｐａｌ", "paypal"},
		{"pàypäl", "paypal"},
		{"micr0s0ft", "mlcrosoft"},
		{"microsoft", "mlcrosoft"},
	}
	for _, tt := range tests {
		if got := skeleton(tt.in); got != tt.want {
			t.Errorf("skeleton(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"acmecorp", "acmecorp", 0},
		{"acmecorp", "acmecrop", 1},
		{"acmecorp", "acmecor", 1},
		{"acmecorp", "acmecorpp", 1},
		{"kitten", "sitting", 3},
		{"", "abc", 3},
		{"bücher", "bucher", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestScore_Levels(t *testing.T) {
	t.Run("LikelyMalicious", func(t *testing.T) {
		m := mustParse(t, mustRead(t, "forward-attachment.eml"), testOpts)
		v := score(m, testOpts)
		if v.Level != LevelMalicious || v.Score != 100 {
			t.Errorf("Level, Score = %q, %d; want %q, 100", v.Level, v.Score, LevelMalicious)
		}
	})
	t.Run("Suspicious", func(t *testing.T) {
		m := &Message{Original: Original{From: Address{Address: "a@vendor.example"}, TextBody: "Please use our new bank account."}}
		if v := score(m, testOpts); v.Level != LevelSuspicious {
			t.Errorf("Level = %q (%d); want %q", v.Level, v.Score, LevelSuspicious)
		}
	})
	t.Run("LikelySafe", func(t *testing.T) {
		m := &Message{Original: Original{From: Address{Name: "Tom Weber", Address: "tom.weber@acmecorp.com"}, Subject: "Lunch", TextBody: "Friday at noon?"}}
		v := score(m, testOpts)
		if v.Level != LevelSafe || v.Score != 0 || v.Signals == nil {
			t.Errorf("Level, Score, Signals = %q, %d, %v; want %q, 0, []", v.Level, v.Score, v.Signals, LevelSafe)
		}
	})
	t.Run("Simulation", func(t *testing.T) {
		m := &Message{IsSimulation: true, SimulationReason: "The message carries the X-Gophish-Contact header of a phishing simulation.",
			Original: Original{From: Address{Address: "x@acmec0rp.com"}, TextBody: "urgent: new bank account"}}
		v := score(m, testOpts)
		if v.Level != LevelSimulation || signal(v, SignalSimulation).Reason != m.SimulationReason || !hasSignal(v, SignalLookalikeDomain) {
			t.Errorf("Verdict = %+v; want level simulation, its reason, and the signals kept", v)
		}
	})
	t.Run("ScoreCapped", func(t *testing.T) {
		m := mustParse(t, mustRead(t, "plain-phish.eml"), testOpts)
		v := score(m, testOpts)
		sum := 0
		for _, s := range v.Signals {
			sum += s.Weight
		}
		if sum <= 100 || v.Score != 100 {
			t.Errorf("sum of weights %d, Score %d; want the score capped at 100", sum, v.Score)
		}
	})
}
