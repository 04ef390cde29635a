package mailtriage

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestNormalizeSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Urgent: outstanding invoice 4471", "urgent outstanding invoice"},
		{"FW: [EXTERNAL] Urgent: outstanding invoice 4471", "urgent outstanding invoice"},
		{"RE: Fwd: AW: WG: TR: urgent   OUTSTANDING invoice #4472!", "urgent outstanding invoice"},
		{"Re[2]: RE (3): Fw : urgent outstanding invoice", "urgent outstanding invoice"},
		{"*EXTERNAL* Doorst: Antw: Urgent outstanding invoice", "urgent outstanding invoice"},
		{"EXTERNAL: urgent outstanding invoice [External Sender]", "urgent outstanding invoice"},
		{"Rechnung Nr. 2025-17 für März", "rechnung nr für märz"},
		{"Invoice4471", "invoice"},
		{"[Project X] status", "project x status"},
		{"Reminder: meeting", "reminder meeting"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeSubject(tt.in); got != tt.want {
			t.Errorf("NormalizeSubject(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestURLKey(t *testing.T) {
	recipients := []string{"anna.berg@acmecorp.com", "anna.berg", "tom"}
	tests := []struct{ a, b string }{
		{"https://evil.example/login?utm_source=a&utm_campaign=b", "https://EVIL.example/login"},
		{"https://evil.example/l?fbclid=abc&gclid=def&mc_eid=1a2b", "https://evil.example/l"},
		{"https://evil.example/l?id=8f3a9c2e71b44d0e9a1c", "https://evil.example/l?id=0b7c61de99a04f1b8e22"},
		{"https://evil.example/l?u=anna.berg%40acmecorp.com", "https://evil.example/l?u=tom.weber%40acmecorp.com"},
		{"https://evil.example/l?e=YW5uYS5iZXJnQGFjbWVjb3JwLmNvbQ==", "https://evil.example/l?e=dG9tLndlYmVyQGFjbWVjb3JwLmNvbQ=="},
		{"https://evil.example/t/550e8400-e29b-41d4-a716-446655440000/login", "https://evil.example/t/123e4567-e89b-12d3-a456-426614174000/login"},
		{"https://evil.example/r/anna.berg/login", "https://evil.example/r/tom/login"},
		{"https://www.evil.example/x?b=2&a=1", "https://evil.example/x?a=1&b=2"},
	}
	for _, tt := range tests {
		ka, kb := urlKey(tt.a, recipients), urlKey(tt.b, recipients)
		if ka != kb || ka == "" {
			t.Errorf("urlKey(%q) = %q, urlKey(%q) = %q; want equal", tt.a, ka, tt.b, kb)
		}
	}
	differ := []struct{ a, b string }{
		{"https://evil.example/login", "https://evil.example/logout"},
		{"https://evil.example/x?page=login", "https://evil.example/x?page=reset"},
		{"https://evil.example/x", "https://other.example/x"},
		{"https://evil.example/r/bottom", "https://evil.example/r/top"},
	}
	for _, tt := range differ {
		if ka, kb := urlKey(tt.a, recipients), urlKey(tt.b, recipients); ka == kb {
			t.Errorf("urlKey(%q) = urlKey(%q) = %q; want different", tt.a, tt.b, ka)
		}
	}
}

func TestFingerprint(t *testing.T) {
	a := mustParse(t, mustRead(t, "forward-attachment.eml"), testOpts)
	b := mustParse(t, mustRead(t, "plain-phish.eml"), testOpts)
	c := mustParse(t, mustRead(t, "nested-forward.eml"), testOpts)
	fa, fb, fc := Fingerprint(a, Extract(a, testOpts)), Fingerprint(b, Extract(b, testOpts)), Fingerprint(c, Extract(c, testOpts))
	if fa != fb || fa != fc || len(fa) != 32 {
		t.Errorf("Fingerprint = %q, %q, %q; want one 32-character key for one mail however it came", fa, fb, fc)
	}
	d := mustParse(t, mustRead(t, "html-only.eml"), testOpts)
	if fd := Fingerprint(d, Extract(d, testOpts)); fd == fa {
		t.Errorf("Fingerprint of an unrelated mail = %q; want a different key", fd)
	}

	t.Run("NoLinksUsesAddress", func(t *testing.T) {
		m1 := &Message{Original: Original{From: Address{Address: "alice@freemail.example"}, Subject: "Invoice"}}
		m2 := &Message{Original: Original{From: Address{Address: "bob@freemail.example"}, Subject: "Invoice"}}
		if Fingerprint(m1, Indicators{}) == Fingerprint(m2, Indicators{}) {
			t.Errorf("two link-less 'Invoice' mails from different free-mail users share a fingerprint")
		}
	})
}

func TestMinHash(t *testing.T) {
	body := func(s string) *Message { return &Message{Original: Original{Subject: "s", TextBody: s}} }
	base := "Please review the attached outstanding invoice and pay it to our new bank account within one day or the services will be suspended for your whole team."
	sigA := MinHash(Shingles(body(base)))

	if got := Similarity(sigA, sigA); got != 1 {
		t.Errorf("Similarity(a, a) = %v; want 1", got)
	}
	if got := Similarity(sigA, MinHash(Shingles(body("Dear Anna,\n"+base)))); got != 1 {
		t.Errorf("Similarity with a greeting = %v; want 1 (greetings are dropped)", got)
	}
	if got := Similarity(sigA, MinHash(Shingles(body(strings.ToUpper(base)+"\n\n")))); got != 1 {
		t.Errorf("Similarity with changed case and spacing = %v; want 1", got)
	}
	if got := Similarity(sigA, MinHash(Shingles(body(strings.Replace(base, "one day", "two days", 1))))); got < 0.6 {
		t.Errorf("Similarity after a small edit = %v; want ≥ 0.6", got)
	}
	other := MinHash(Shingles(body("The quarterly town hall moves to the large auditorium on the second floor; coffee and cake will be served after the talks.")))
	if got := Similarity(sigA, other); got > 0.2 {
		t.Errorf("Similarity of unrelated text = %v; want ≤ 0.2", got)
	}
	empty := MinHash(nil)
	if !empty.IsEmpty() || !(Signature{}).IsEmpty() || Similarity(empty, empty) != 0 || BandKeys(empty) != nil {
		t.Errorf("the empty signature must be similar to nothing and have no band keys")
	}
	if sigA.IsEmpty() {
		t.Errorf("IsEmpty() = true for a real signature")
	}

	t.Run("PlaceholdersAndNumbers", func(t *testing.T) {
		a := Shingles(body("Pay 1,200.00 EUR at https://a.example/x?id=1 or mail anna@a.example today."))
		b := Shingles(body("Pay 9.99 EUR at https://b.example/y or mail tom@b.example today."))
		if Similarity(MinHash(a), MinHash(b)) != 1 {
			t.Errorf("numbers, URLs and addresses must not change the signature")
		}
	})
	t.Run("MarshalBinary", func(t *testing.T) {
		b, _ := sigA.MarshalBinary()
		var back Signature
		if err := back.UnmarshalBinary(b); err != nil || back != sigA {
			t.Errorf("UnmarshalBinary(MarshalBinary()) = %v, %v; want the signature back", back, err)
		}
		if err := back.UnmarshalBinary(b[:10]); err == nil {
			t.Errorf("UnmarshalBinary(short) error = nil; want an error")
		}
	})
	t.Run("StableAcrossReleases", func(t *testing.T) {
		// Signatures and band keys are stored: a change here orphans every
		// stored campaign index, so it must be deliberate.
		keys := BandKeys(MinHash([]uint64{1, 2, 3, 4, 5}))
		if len(keys) != Bands || keys[0] != "00"+keys[0][2:] || keys[15][:2] != "0f" || len(keys[0]) != 18 {
			t.Fatalf("BandKeys = %q; want %d keys of 18 characters prefixed by the band", keys, Bands)
		}
		const want = "009c7ba3074d943aaf"
		if keys[0] != want {
			t.Errorf("BandKeys()[0] = %q; want %q", keys[0], want)
		}
	})
}

// TestMinHash_EstimatesJaccard checks the estimator against known set
// overlaps, small sets (where bins go empty and are densified) included.
func TestMinHash_EstimatesJaccard(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tests := []struct{ shared, onlyA, onlyB int }{
		{300, 0, 0}, {240, 30, 30}, {150, 75, 75}, {60, 120, 120}, {0, 200, 200}, {20, 5, 5}, {8, 2, 2},
	}
	for _, tt := range tests {
		want := float64(tt.shared) / float64(tt.shared+tt.onlyA+tt.onlyB)
		const trials = 40
		sum, worst := 0.0, 0.0
		for range trials {
			var a, b []uint64
			for range tt.shared {
				x := rng.Uint64()
				a, b = append(a, x), append(b, x)
			}
			for range tt.onlyA {
				a = append(a, rng.Uint64())
			}
			for range tt.onlyB {
				b = append(b, rng.Uint64())
			}
			got := Similarity(MinHash(a), MinHash(b))
			sum += got
			worst = max(worst, math.Abs(got-want))
		}
		if avg := sum / trials; math.Abs(avg-want) > 0.05 || worst > 0.3 {
			t.Errorf("shared %d, only %d/%d: mean estimate %.3f, worst error %.3f; want %.3f", tt.shared, tt.onlyA, tt.onlyB, avg, worst, want)
		}
	}
}

// phishVariant builds the i-th copy of one invoice-fraud campaign as one of
// twenty colleagues reported it: each with their own name in the greeting
// and in the tracking link, some words changed, the sender domain rotated,
// and forwarded as an attachment, inline from Gmail or inline from Outlook.
func phishVariant(i int, rng *rand.Rand) []byte {
	names := []string{"Anna", "Tom", "Maria", "Jonas", "Lea", "Paul", "Sofia", "Ben", "Emma", "Lukas",
		"Mia", "Felix", "Hannah", "Noah", "Lena", "Elias", "Clara", "Leon", "Ida", "Jan"}
	name := names[i]
	addr := strings.ToLower(name) + ".smith@acmecorp.com"
	greetings := []string{"Dear %s,", "Hi %s", "Hello %s,", "Good morning %s,", "Dear %s"}
	greeting := fmt.Sprintf(greetings[i%len(greetings)], name)
	senders := []string{"jane.doe@acmec0rp.com", "billing@acmecorp-billing.example", "jane@acrnecorp.com"}
	sender := senders[i%len(senders)]
	token := fmt.Sprintf("%016x%04x", rng.Uint64(), i)
	link := fmt.Sprintf("https://acmecorp.com.invoice-portal.example/view?utm_source=mail&utm_campaign=q%d&id=%s&email=%s", i%4, token, addr)
	verb := []string{"find attached", "see attached", "find enclosed", "review the attached"}[i%4]
	hours := []string{"24", "48"}[i%2]
	closing := []string{"Kind regards,", "Best regards,", "Regards,", "Thanks,"}[i%4]
	invoice := 4471 + i%3
	text := fmt.Sprintf(`%s

Please %s the outstanding invoice %d for the consulting services delivered in March. Our bank details have changed because we moved to a new bank, so please use the new bank account below for this and all future payments.

This is urgent: the payment must be made within %s hours, otherwise the account will be suspended and late fees will apply to your company.

Account holder: Acme Consulting Ltd
IBAN: GB29 NWBK 6016 1331 9268 %02d

Review the invoice and the confirmation letter from our bank here: %s

Please do not call our office about this, our phone lines are being moved this week; simply reply to this email.

%s
Jane Doe
Chief Financial Officer
`, greeting, verb, invoice, hours, i, link, closing)
	subject := fmt.Sprintf("Urgent: outstanding invoice %d", invoice)
	original := fmt.Sprintf("From: Jane Doe <%s>\r\nTo: %s <%s>\r\nSubject: [EXTERNAL] %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s",
		sender, name, addr, subject, strings.ReplaceAll(text, "\n", "\r\n"))
	switch i % 3 {
	case 0:
		return []byte(fmt.Sprintf("From: %s Smith <%s>\r\nTo: report-phishing@acmecorp.com\r\nSubject: FW: [EXTERNAL] %s\r\nContent-Type: multipart/mixed; boundary=\"r%d\"\r\n\r\n--r%d\r\nContent-Type: text/plain\r\n\r\nPhishing?\r\n--r%d\r\nContent-Type: message/rfc822\r\n\r\n%s\r\n--r%d--\r\n",
			name, addr, subject, i, i, i, original, i))
	case 1:
		return []byte(fmt.Sprintf("From: %s Smith <%s>\r\nTo: report-phishing@acmecorp.com\r\nSubject: Fwd: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThis looks fake.\r\n\r\n---------- Forwarded message ---------\r\nFrom: Jane Doe <%s>\r\nDate: Mon, Mar 3, 2025 at 9:%02d AM\r\nSubject: [EXTERNAL] %s\r\nTo: %s <%s>\r\n\r\n\r\n%s",
			name, addr, subject, sender, i, subject, name, addr, strings.ReplaceAll(text, "\n", "\r\n")))
	default:
		return []byte(fmt.Sprintf("From: \"Smith, %s\" <%s>\r\nTo: report-phishing@acmecorp.com\r\nSubject: FW: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease check\r\n\r\n________________________________\r\nFrom: Jane Doe <%s>\r\nSent: Monday, March 3, 2025 9:%02d AM\r\nTo: Smith, %s <%s>\r\nSubject: [EXTERNAL] %s\r\n\r\n%s",
			name, addr, subject, sender, i, name, addr, subject, strings.ReplaceAll(text, "\n", "\r\n")))
	}
}

// TestClusterer_TwentyReportersOneCampaign is the campaign promise: twenty
// colleagues forward one phishing mail twenty ways, and it is one campaign.
func TestClusterer_TwentyReportersOneCampaign(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	c := NewClusterer(DefaultThreshold)
	campaign := ""
	fingerprints := map[string]bool{}
	for i := range 20 {
		m := mustParse(t, phishVariant(i, rng), testOpts)
		if m.Reporter.Address == "" || m.Forward == ForwardNone {
			t.Fatalf("variant %d: Forward = %q, Reporter = %q; want a forward", i, m.Forward, m.Reporter.Address)
		}
		ind := Extract(m, testOpts)
		fp := Fingerprint(m, ind)
		fingerprints[fp] = true
		id, isNew := c.Add(fmt.Sprintf("report-%d", i), fp, MinHash(Shingles(m)))
		if i == 0 {
			campaign = id
			if !isNew {
				t.Errorf("first report: isNew = false; want true")
			}
			continue
		}
		if id != campaign || isNew {
			t.Errorf("variant %d (reporter %s, %s forward) went to %q (new %v); want campaign %q",
				i, m.Reporter.Address, m.Forward, id, isNew, campaign)
		}
	}
	// The sender domain rotates, so exact fingerprints alone cannot do it.
	if len(fingerprints) < 3 {
		t.Errorf("got %d distinct fingerprints; want the test to need near-duplicate matching", len(fingerprints))
	}
	if got := c.Size(campaign); got != 20 {
		t.Errorf("Size(%q) = %d; want 20", campaign, got)
	}

	unrelated := []string{"html-only.eml", "forward-inline-apple.eml", "forward-inline-outlook.eml", "zip-attachment.eml"}
	for _, f := range unrelated {
		m := mustParse(t, mustRead(t, f), testOpts)
		ind := Extract(m, testOpts)
		id, isNew := c.Add(f, Fingerprint(m, ind), MinHash(Shingles(m)))
		if id == campaign || !isNew {
			t.Errorf("%s went to %q (new %v); want a campaign of its own", f, id, isNew)
		}
	}
	// Another fraud from the same sender domain, with other words, is
	// another campaign.
	other := mustParse(t, eml([]string{"From: Jane Doe <jane.doe@acmec0rp.com>", "Subject: Gift cards", "Content-Type: text/plain"},
		"Hi, are you at your desk? I need you to buy eight gift cards for a client meeting today. Keep it between us and send me the codes."), testOpts)
	if id, _ := c.Add("other", Fingerprint(other, Extract(other, testOpts)), MinHash(Shingles(other))); id == campaign {
		t.Errorf("an unrelated fraud from the same sender joined the campaign")
	}
	if got, want := c.Len(), 1+len(unrelated)+1; got != want {
		t.Errorf("Len() = %d; want %d", got, want)
	}
}

func TestClusterer(t *testing.T) {
	sig := func(s string) Signature {
		return MinHash(Shingles(&Message{Original: Original{TextBody: s}}))
	}
	t.Run("ExactFingerprintFirst", func(t *testing.T) {
		c := NewClusterer(0)
		c.Add("a", "fp1", sig("completely different words about apples and pears in the garden"))
		if id, isNew := c.Add("b", "fp1", sig("nothing in common with the first one at all, trains and boats")); id != "a" || isNew {
			t.Errorf("Add() = %q, %v; want a, false", id, isNew)
		}
	})
	t.Run("EmptySignatureNoFingerprint", func(t *testing.T) {
		c := NewClusterer(0)
		c.Add("a", "", Signature{})
		if id, isNew := c.Add("b", "", Signature{}); id != "b" || !isNew {
			t.Errorf("Add() = %q, %v; want b, true: empty mails are not one campaign", id, isNew)
		}
	})
	t.Run("NearDuplicateJoinsFingerprintRecorded", func(t *testing.T) {
		c := NewClusterer(0)
		text := "your mailbox is almost full please verify your account at the link below to keep receiving messages from your colleagues and customers"
		c.Add("a", "fp1", sig(text))
		if id, _ := c.Add("b", "fp2", sig(text+" thanks")); id != "a" {
			t.Errorf("near-duplicate went to %q; want a", id)
		}
		if id, _ := c.Add("c", "fp2", Signature{}); id != "a" {
			t.Errorf("fingerprint learnt from a near-duplicate went to %q; want a", id)
		}
	})
}
