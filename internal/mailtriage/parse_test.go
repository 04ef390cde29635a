package mailtriage

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// testOpts is the organisation of the test mails: Acme Corp, whose CFO is
// Jane Doe.
var testOpts = Options{
	OwnDomains:    []string{"acmecorp.com"},
	InternalNames: []string{"Jane Doe", "Tom Weber", "Anna Berg"},
}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t testing.TB, raw []byte, opts Options) *Message {
	t.Helper()
	m, err := Parse(raw, opts)
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	return m
}

// eml builds a message from header lines and a body.
func eml(headers []string, body string) []byte {
	return []byte(strings.Join(headers, "\r\n") + "\r\n\r\n" + body)
}

func hasWarning(m *Message, sub string) bool {
	for _, w := range m.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func TestParse_ForwardAsAttachment(t *testing.T) {
	m := mustParse(t, mustRead(t, "forward-attachment.eml"), testOpts)

	if got, want := m.Forward, ForwardAttachment; got != want {
		t.Errorf("Forward = %q; want %q", got, want)
	}
	if got, want := m.Reporter, (Address{Name: "Anna Berg", Address: "anna.berg@acmecorp.com"}); got != want {
		t.Errorf("Reporter = %+v; want %+v", got, want)
	}
	if !strings.Contains(m.Note, "Jane never writes from that address") {
		t.Errorf("Note = %q; want the reporter's words", m.Note)
	}
	o := m.Original
	if got, want := o.From, (Address{Name: "Jane Doe", Address: "jane.doe@acmec0rp.com"}); got != want {
		t.Errorf("From = %+v; want %+v", got, want)
	}
	if len(o.ReplyTo) != 1 || o.ReplyTo[0].Address != "jane.doe.cfo@gmail.com" {
		t.Errorf("ReplyTo = %+v; want jane.doe.cfo@gmail.com", o.ReplyTo)
	}
	if got, want := o.ReturnPath, "bounce@mailer.acmec0rp.com"; got != want {
		t.Errorf("ReturnPath = %q; want %q", got, want)
	}
	if len(o.To) != 1 || o.To[0].Address != "anna.berg@acmecorp.com" {
		t.Errorf("To = %+v; want anna.berg@acmecorp.com", o.To)
	}
	if got, want := o.Subject, "[EXTERNAL] Urgent: outstanding invoice 4471"; got != want {
		t.Errorf("Subject = %q; want %q", got, want)
	}
	if got, want := o.Date.Format("2006-01-02T15:04:05Z07:00"), "2025-03-03T09:13:55Z"; got != want {
		t.Errorf("Date = %s; want %s", got, want)
	}
	if got, want := o.MessageID, "20250303091355.4471@acmec0rp.com"; got != want {
		t.Errorf("MessageID = %q; want %q", got, want)
	}
	if o.header("Authentication-Results") == "" || o.header("X-Mailer") != "PHPMailer 6.1.4" {
		t.Errorf("Headers = %+v; want Authentication-Results and X-Mailer kept", o.Headers)
	}
	if !strings.Contains(o.TextBody, "Our bank details have changed") {
		t.Errorf("TextBody = %q; want the decoded quoted-printable text", o.TextBody)
	}
	if !strings.Contains(o.HTMLBody, `href="https://acmecorp.com.invoice-portal.example/view`) {
		t.Errorf("HTMLBody = %q; want the decoded base64 HTML", o.HTMLBody)
	}
	if len(m.Attachments) != 1 {
		t.Fatalf("Attachments = %+v; want 1", m.Attachments)
	}
	a := m.Attachments[0]
	if a.Filename != "Invoice_4471.pdf.exe" || a.DetectedType != "application/x-msdownload" || a.ContentType != "application/octet-stream" {
		t.Errorf("Attachment = %+v; want the .pdf.exe detected as a program", a)
	}
	if len(a.SHA256) != 64 || a.Size != 253 {
		t.Errorf("Attachment hash/size = %s/%d; want a SHA-256 over 253 bytes", a.SHA256, a.Size)
	}
	if len(m.Warnings) != 0 {
		t.Errorf("Warnings = %q; want none for a well-formed report", m.Warnings)
	}
}

// TestParse_Files walks the corpus: every file parses (or fails with the
// error it should), and the original is the one a person would point at.
func TestParse_Files(t *testing.T) {
	tests := []struct {
		file     string
		err      error
		forward  ForwardKind
		reporter string
		from     string
		subject  string
		text     string // substring of TextBody
		atts     int
		warning  string // substring of some warning
	}{
		{file: "forward-attachment.eml", forward: ForwardAttachment, reporter: "anna.berg@acmecorp.com", from: "jane.doe@acmec0rp.com", subject: "[EXTERNAL] Urgent: outstanding invoice 4471", text: "new bank account", atts: 1},
		{file: "forward-eml-octet.eml", forward: ForwardAttachment, reporter: "anna.berg@acmecorp.com", from: "jane.doe@acmec0rp.com", text: "new bank account", atts: 1},
		{file: "nested-forward.eml", forward: ForwardAttachment, reporter: "anna.berg@acmecorp.com", from: "jane.doe@acmec0rp.com", subject: "[EXTERNAL] Urgent: outstanding invoice 4471", atts: 1},
		{file: "plain-phish.eml", forward: ForwardNone, from: "jane.doe@acmec0rp.com", text: "within 24 hours", atts: 1},
		{file: "forward-inline-gmail.eml", forward: ForwardInline, reporter: "anna.berg@acmecorp.com", from: "helpdesk@acmecorp-it.example", subject: "Your mailbox is almost full", text: "Verify your account immediately", warning: "forwarded inline"},
		{file: "forward-inline-outlook.eml", forward: ForwardInline, reporter: "anna.berg@acmecorp.com", from: "accounts@vendor-payments.example", subject: "Payment confirmation required", text: "wire transfer"},
		{file: "forward-inline-apple.eml", forward: ForwardInline, reporter: "anna.berg@acmecorp.com", from: "noreply@dhl-delivery.example", subject: "Delivery failed", text: "customs fee"},
		{file: "html-only.eml", from: "no-reply@m365-security.example", text: "Your password expires today"},
		{file: "wrong-charset.eml", from: "mueller@lieferant.example", subject: "Dringend: neue Bankverbindung für Zahlungen", text: "künftigen Überweisungen", warning: `charset "x-no-such-charset" is unknown`},
		{file: "charset-mislabelled.eml", text: "Grüße aus Köln – € 1.200", warning: "is really UTF-8"},
		{file: "zip-attachment.eml", from: "scanner@printers.example", atts: 1},
		{file: "broken-boundary.eml", text: "Unlock it at", warning: `"actual-boundary" was used instead`},
		{file: "missing-final-boundary.eml", text: "First part", atts: 1, warning: "final MIME boundary is missing"},
		{file: "no-boundary.eml", text: "no-boundary.example", warning: "no boundary"},
		{file: "malformed-headers.eml", from: "someone@odd.example", subject: "still read", warning: "malformed header line"},
		{file: "simulation-gophish.eml", forward: ForwardAttachment, reporter: "anna.berg@acmecorp.com", from: "it-desk@acmecorp-support.example"},
		{file: "deep-nesting.eml", forward: ForwardAttachment, reporter: "level7@acmecorp.com", atts: 1, warning: "nested deeper than 5"},
		{file: "huge-header.eml", err: ErrHeaderTooLarge},
		{file: "bench-forward.eml", forward: ForwardAttachment, reporter: "anna.berg@acmecorp.com", from: "jane.doe@northwind-consu1ting.com", atts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, err := Parse(mustRead(t, tt.file), testOpts)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Parse() error = %v; want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			if m.Forward != tt.forward {
				t.Errorf("Forward = %q; want %q", m.Forward, tt.forward)
			}
			if m.Reporter.Address != tt.reporter {
				t.Errorf("Reporter = %q; want %q", m.Reporter.Address, tt.reporter)
			}
			if tt.from != "" && m.Original.From.Address != tt.from {
				t.Errorf("From = %q; want %q", m.Original.From.Address, tt.from)
			}
			if tt.subject != "" && m.Original.Subject != tt.subject {
				t.Errorf("Subject = %q; want %q", m.Original.Subject, tt.subject)
			}
			if !strings.Contains(m.Original.TextBody, tt.text) {
				t.Errorf("TextBody = %q; want it to contain %q", m.Original.TextBody, tt.text)
			}
			if len(m.Attachments) != tt.atts {
				t.Errorf("Attachments = %d; want %d", len(m.Attachments), tt.atts)
			}
			if tt.warning != "" && !hasWarning(m, tt.warning) {
				t.Errorf("Warnings = %q; want one containing %q", m.Warnings, tt.warning)
			}
			if tt.warning == "" && len(m.Warnings) > 0 && tt.forward != ForwardInline {
				t.Errorf("Warnings = %q; want none", m.Warnings)
			}
			for _, s := range []string{m.Original.Subject, m.Original.TextBody, m.Original.HTMLBody, m.Original.From.Name} {
				if !utf8.ValidString(s) {
					t.Errorf("field %q is not valid UTF-8", s)
				}
			}
		})
	}
}

func TestParse_ZipIsHashedNotOpened(t *testing.T) {
	m := mustParse(t, mustRead(t, "zip-attachment.eml"), testOpts)
	want := strings.Fields(string(mustRead(t, "zip-sha256.txt")))
	size, _ := strconv.ParseInt(want[1], 10, 64)
	a := m.Attachments[0]
	if a.SHA256 != want[0] || a.Size != size {
		t.Errorf("zip = %s/%d; want %s/%d", a.SHA256, a.Size, want[0], size)
	}
	if a.Filename != "scan_0042.zip" || a.DetectedType != "application/zip" {
		t.Errorf("zip = %+v; want scan_0042.zip sniffed as application/zip", a)
	}
	// The archive holds invoice.pdf.exe; nothing may know that, since the
	// archive was never opened.
	v := Score(m, Extract(m, testOpts), testOpts)
	for _, s := range v.Signals {
		if strings.Contains(s.Reason, "invoice.pdf.exe") {
			t.Errorf("signal %q looked inside the archive", s.Reason)
		}
	}
	if !hasSignal(v, SignalRiskyAttachment) {
		t.Errorf("Signals = %+v; want the archive noted", v.Signals)
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		opts Options
		want error
	}{
		{"ErrEmpty", []byte("\r\n \r\n"), Options{}, ErrEmpty},
		{"ErrEmptyNil", nil, Options{}, ErrEmpty},
		{"ErrTooLarge", bytes.Repeat([]byte("a"), 2048), Options{MaxBytes: 1024}, ErrTooLarge},
		{"ErrNotMessage", []byte("hello world, this is not an email\n\nbody"), Options{}, ErrNotMessage},
		{"ErrHeaderTooLarge", eml([]string{"From: a@b.example", "X-Big: " + strings.Repeat("x", 5000)}, "body"), Options{MaxHeaderBytes: 1024}, ErrHeaderTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(tt.raw, tt.opts); !errors.Is(err, tt.want) {
				t.Errorf("Parse() error = %v; want %v", err, tt.want)
			}
		})
	}

	t.Run("OKHugeHeaderWithRaisedLimit", func(t *testing.T) {
		m := mustParse(t, mustRead(t, "huge-header.eml"), Options{MaxHeaderBytes: 1 << 20})
		if m.Original.Subject != "huge header" {
			t.Errorf("Subject = %q; want %q", m.Original.Subject, "huge header")
		}
	})
	t.Run("OKHugeHeaderOfAttachedOriginal", func(t *testing.T) {
		// An attached original over the header limit is kept as a file;
		// the report itself still parses.
		raw := eml([]string{"From: anna.berg@acmecorp.com", "Subject: FW: x", `Content-Type: multipart/mixed; boundary="b"`},
			"--b\r\nContent-Type: text/plain\r\n\r\nlook\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"+string(mustRead(t, "huge-header.eml"))+"\r\n--b--\r\n")
		m := mustParse(t, raw, Options{})
		if !hasWarning(m, "could not be read") || len(m.Attachments) != 1 {
			t.Errorf("Warnings = %q, Attachments = %d; want the original kept as a file", m.Warnings, len(m.Attachments))
		}
	})
}

func TestParse_Limits(t *testing.T) {
	t.Run("MaxParts", func(t *testing.T) {
		var b strings.Builder
		for i := range 50 {
			fmt.Fprintf(&b, "--b\r\nContent-Type: application/octet-stream; name=\"f%d.bin\"\r\n\r\nx%d\r\n", i, i)
		}
		b.WriteString("--b--\r\n")
		m := mustParse(t, eml([]string{"From: a@b.example", `Content-Type: multipart/mixed; boundary="b"`}, b.String()), Options{MaxParts: 10})
		if len(m.Attachments) != 9 || !hasWarning(m, "more than 10 MIME parts") {
			t.Errorf("Attachments = %d, Warnings = %q; want 9 and a warning", len(m.Attachments), m.Warnings)
		}
	})
	t.Run("MultipartNesting", func(t *testing.T) {
		body := "innermost text"
		ct := "text/plain"
		for i := range 40 {
			body = fmt.Sprintf("--n%d\r\nContent-Type: %s\r\n\r\n%s\r\n--n%d--\r\n", i, ct, body, i)
			ct = fmt.Sprintf("multipart/mixed; boundary=\"n%d\"", i)
		}
		m := mustParse(t, eml([]string{"From: a@b.example", "Content-Type: " + ct}, body), Options{MaxParts: 1000})
		if !hasWarning(m, "multipart nesting deeper than") || m.Original.TextBody != "" {
			t.Errorf("TextBody = %q, Warnings = %q; want the nesting cut off", m.Original.TextBody, m.Warnings)
		}
	})
	t.Run("MaxTextBytes", func(t *testing.T) {
		m := mustParse(t, eml([]string{"From: a@b.example"}, strings.Repeat("é", 1000)), Options{MaxTextBytes: 101})
		if len(m.Original.TextBody) > 101 || !utf8.ValidString(m.Original.TextBody) || !hasWarning(m, "was cut") {
			t.Errorf("TextBody = %d bytes, Warnings = %q; want ≤ 101 valid bytes and a warning", len(m.Original.TextBody), m.Warnings)
		}
	})
}

func TestParse_Charsets(t *testing.T) {
	tests := []struct {
		name    string
		charset string
		cte     string
		body    []byte
		want    string
		warning string
	}{
		{"OKLatin1", "iso-8859-1", "8bit", []byte("Gr\xfc\xdfe"), "Grüße", ""},
		{"OKWindows1252Euro", "windows-1252", "8bit", []byte("\x80 5"), "€ 5", ""},
		{"OKShiftJIS", "shift_jis", "8bit", []byte("\x93\xfa\x96\x7b"), "日本", ""},
		{"OKUTF16", "utf-16le", "base64", []byte("SABpAA=="), "Hi", ""},
		{"OKQuotedPrintableUTF8", "utf-8", "quoted-printable", []byte("caf=C3=A9 =E2=82=AC"), "café €", ""},
		{"UnknownCharsetLatinBytes", "x-bogus", "8bit", []byte("M\xfcnchen"), "München", "is unknown"},
		{"UnknownCharsetUTF8Bytes", "x-bogus", "8bit", []byte("München"), "München", "read as UTF-8"},
		{"UTF8LabelLatinBytes", "utf-8", "8bit", []byte("M\xfcnchen"), "München", "not valid utf-8"},
		{"LatinLabelUTF8Bytes", "iso-8859-1", "8bit", []byte("München"), "München", "really UTF-8"},
		{"QuotedCharsetLabel", `"UTF-8"`, "8bit", []byte("ok ✓"), "ok ✓", ""},
		{"UnknownEncoding", "utf-8", "x-uuencode", []byte("plain"), "plain", "transfer encoding"},
		{"BrokenBase64", "utf-8", "base64", []byte("SGVsbG8gd29ybGQ=\r\n!!!garbage-after-padding"), "Hello world", "damaged"},
		{"TruncatedBase64", "utf-8", "base64", []byte("SGVsbG8gd29ybGQhI"), "Hello world!", "damaged"},
		{"Base64WithSpaces", "utf-8", "base64", []byte("SGVs bG8g\td29y bGQ="), "Hello world", ""},
		// Found by fuzzing: unpadded input whose length is not a multiple
		// of four once junk is dropped overran the decode buffer.
		{"Base64UnpaddedOddLength", "utf-8", "base64", []byte("SGVsbG8gd29ybGQhIEhlbGxvIHdvcmxkIUhlbGxvIHdvcmw"), "Hello world! Hello world!Hello worl", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := eml([]string{"From: a@b.example", "Content-Type: text/plain; charset=" + tt.charset, "Content-Transfer-Encoding: " + tt.cte}, string(tt.body))
			m := mustParse(t, raw, Options{})
			if got := strings.TrimSpace(m.Original.TextBody); got != tt.want {
				t.Errorf("TextBody = %q; want %q", got, tt.want)
			}
			if tt.warning != "" && !hasWarning(m, tt.warning) {
				t.Errorf("Warnings = %q; want one containing %q", m.Warnings, tt.warning)
			}
			if tt.warning == "" && len(m.Warnings) > 0 {
				t.Errorf("Warnings = %q; want none", m.Warnings)
			}
		})
	}

	t.Run("HeaderUnknownCharset", func(t *testing.T) {
		m := mustParse(t, eml([]string{"From: =?x-bogus?Q?M=FCller?= <m@x.example>", "Subject: =?x-bogus?B?R3L832U=?="}, "x"), Options{})
		if m.Original.Subject != "Grüße" || m.Original.From.Name != "Müller" {
			t.Errorf("Subject, Name = %q, %q; want Grüße, Müller", m.Original.Subject, m.Original.From.Name)
		}
		if !hasWarning(m, "unknown charset") {
			t.Errorf("Warnings = %q; want an unknown charset warning", m.Warnings)
		}
	})
	t.Run("HeaderRaw8Bit", func(t *testing.T) {
		m := mustParse(t, eml([]string{"From: a@b.example", "Subject: Gr\xfc\xdfe"}, "x"), Options{})
		if m.Original.Subject != "Grüße" {
			t.Errorf("Subject = %q; want Grüße", m.Original.Subject)
		}
	})
}

func TestParse_InlineForwards(t *testing.T) {
	tests := []struct {
		name    string
		subject string
		from    string // outer From
		body    string
		opts    Options
		forward ForwardKind
		orig    string
		subj    string
		date    string
	}{
		{
			name: "GermanOutlook", subject: "WG: Rechnung", from: "anna.berg@acmecorp.com",
			body:    "Bitte prüfen.\n\n-----Ursprüngliche Nachricht-----\nVon: Buchhaltung <buchhaltung@lieferant.example>\nGesendet: Montag, 3. März 2025 10:15\nAn: Anna Berg <anna.berg@acmecorp.com>\nBetreff: Rechnung 2025-17\n\nSehr geehrte Frau Berg,\nanbei die Rechnung.\n",
			forward: ForwardInline, orig: "buchhaltung@lieferant.example", subj: "Rechnung 2025-17",
		},
		{
			name: "FrenchGmail", subject: "TR: Facture", from: "anna.berg@acmecorp.com",
			body:    "---------- Message transféré ---------\nDe : Service Client <client@fournisseur.example>\nDate: lun. 3 mars 2025 à 10:15\nObjet : Facture impayée\nÀ : <anna.berg@acmecorp.com>\n\nBonjour,\nvotre facture est impayée.\n",
			forward: ForwardInline, orig: "client@fournisseur.example", subj: "Facture impayée",
		},
		{
			name: "OutlookMailtoDecoration", subject: "FW: Hello", from: "anna.berg@acmecorp.com",
			body:    "From: John Smith [mailto:john@smith.example]\nSent: Monday, March 3, 2025 10:15 AM\nTo: Berg, Anna\nSubject: Hello\n\nHi\n",
			forward: ForwardInline, orig: "john@smith.example", subj: "Hello", date: "2025-03-03T10:15:00Z",
		},
		{
			name: "GmailDate", subject: "Fwd: x", from: "anna.berg@acmecorp.com",
			body:    "---------- Forwarded message ---------\nFrom: *Bank* <info@bank.example>\nDate: Mon, Mar 3, 2025 at 10:15 AM\nSubject: Verify\nTo: <anna.berg@acmecorp.com>\n\nbody\n",
			forward: ForwardInline, orig: "info@bank.example", subj: "Verify", date: "2025-03-03T10:15:00Z",
		},
		{
			// A fraudster's fake reply chain is not a forward: the
			// organisation's domains are known and the sender is outside.
			name: "FakeReplyChainFromOutsider", subject: "RE: Payment", from: "ceo@acmec0rp.com",
			body: "Please pay today.\n\n-----Original Message-----\nFrom: Anna Berg <anna.berg@acmecorp.com>\nSubject: Payment\n\nWhen should we pay?\n",
			opts: testOpts, forward: ForwardNone, orig: "ceo@acmec0rp.com", subj: "RE: Payment",
		},
		{
			name: "SentenceStartingWithFrom", subject: "Hello", from: "x@y.example",
			body:    "From: the team, with love.\nWe hope you enjoy it.\n",
			forward: ForwardNone, orig: "x@y.example", subj: "Hello",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, eml([]string{"From: " + tt.from, "Subject: " + tt.subject, "Content-Type: text/plain; charset=utf-8"}, tt.body), tt.opts)
			if m.Forward != tt.forward {
				t.Errorf("Forward = %q; want %q", m.Forward, tt.forward)
			}
			if m.Original.From.Address != tt.orig {
				t.Errorf("From = %q; want %q", m.Original.From.Address, tt.orig)
			}
			if m.Original.Subject != tt.subj {
				t.Errorf("Subject = %q; want %q", m.Original.Subject, tt.subj)
			}
			if tt.date != "" {
				if got := m.Original.Date.Format("2006-01-02T15:04:05Z07:00"); got != tt.date {
					t.Errorf("Date = %s; want %s", got, tt.date)
				}
			}
		})
	}
}

func TestParse_Simulation(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		opts    Options
		want    bool
	}{
		{"GoPhishHeader", []string{"From: it@phish-test.example", "X-Gophish-Contact: security@acmecorp.com"}, Options{}, true},
		{"GoPhishHeaderPinned", []string{"From: it@phish-test.example", "X-Gophish-Contact: Phishing-Tests@acmecorp.com"},
			Options{SimulationHeaders: []string{"X-Gophish-Contact: phishing-tests@acmecorp.com"}}, true},
		// Once the value is pinned, an attacker's copy of the header with
		// another value does not turn a real attack into a test.
		{"GoPhishHeaderOtherThanPinned", []string{"From: it@phish-test.example", "X-Gophish-Contact: help@attacker.example"},
			Options{SimulationHeaders: []string{"X-Gophish-Contact: phishing-tests@acmecorp.com"}}, false},
		{"ConfiguredHeaderPresent", []string{"From: it@x.example", "X-Sim-Campaign: 42"}, Options{SimulationHeaders: []string{"X-Sim-Campaign"}}, true},
		{"ConfiguredHeaderValue", []string{"From: it@x.example", "X-Phish-Test: acme-2025"}, Options{SimulationHeaders: []string{"X-Phish-Test: ACME-2025"}}, true},
		{"ConfiguredHeaderWrongValue", []string{"From: it@x.example", "X-Phish-Test: other"}, Options{SimulationHeaders: []string{"X-Phish-Test: acme-2025"}}, false},
		{"SimulationDomain", []string{"From: it@mail.sim-vendor.example"}, Options{SimulationDomains: []string{"sim-vendor.example"}}, true},
		{"SimulationDomainReturnPath", []string{"From: it@x.example", "Return-Path: <b@sim-vendor.example>"}, Options{SimulationDomains: []string{"sim-vendor.example"}}, true},
		{"NotSimulation", []string{"From: it@x.example", "X-Other: 1"}, Options{SimulationHeaders: []string{"X-Sim"}, SimulationDomains: []string{"sim-vendor.example"}}, false},
		{"LookalikeOfSimulationDomain", []string{"From: it@sim-vendor.example.evil.example"}, Options{SimulationDomains: []string{"sim-vendor.example"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, eml(tt.headers, "hello"), tt.opts)
			if m.IsSimulation != tt.want {
				t.Errorf("IsSimulation = %v (%q); want %v", m.IsSimulation, m.SimulationReason, tt.want)
			}
			if m.IsSimulation && m.SimulationReason == "" {
				t.Errorf("SimulationReason is empty")
			}
		})
	}

	t.Run("ForwardedAsAttachment", func(t *testing.T) {
		m := mustParse(t, mustRead(t, "simulation-gophish.eml"), testOpts)
		v := Score(m, Extract(m, testOpts), testOpts)
		if !m.IsSimulation || v.Level != LevelSimulation || !hasSignal(v, SignalSimulation) {
			t.Errorf("IsSimulation = %v, Level = %q; want a simulation", m.IsSimulation, v.Level)
		}
	})
	t.Run("HeaderOfReporterDoesNotCount", func(t *testing.T) {
		// The reporter's own envelope may carry any header; only the
		// reported original decides.
		raw := eml([]string{"From: anna.berg@acmecorp.com", "X-Gophish-Contact: x", "Subject: FW: y", `Content-Type: multipart/mixed; boundary="b"`},
			"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: real@phish.example\r\nSubject: y\r\n\r\nbody\r\n--b--\r\n")
		if m := mustParse(t, raw, Options{}); m.IsSimulation {
			t.Errorf("IsSimulation = true; want false")
		}
	})
}

func TestParse_FilenameSanitised(t *testing.T) {
	raw := eml([]string{"From: a@b.example", `Content-Type: multipart/mixed; boundary="b"`},
		"--b\r\nContent-Type: application/octet-stream; name=\"=?utf-8?B?Li4vLi4vZXZpbC5leGU=?=\"\r\n\r\nMZ\r\n--b\r\n"+
			"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"C:\\\\Users\\\\x\\\\doc\x01.pdf\"\r\n\r\n%PDF-\r\n--b--\r\n")
	m := mustParse(t, raw, Options{})
	if len(m.Attachments) != 2 {
		t.Fatalf("Attachments = %+v; want 2", m.Attachments)
	}
	if got := m.Attachments[0].Filename; got != "evil.exe" {
		t.Errorf("Filename = %q; want evil.exe", got)
	}
	if got := m.Attachments[1].Filename; got != "doc.pdf" {
		t.Errorf("Filename = %q; want doc.pdf", got)
	}
}

// TestFastPathsAgreeWithStandardLibrary checks the hand-written parsers for
// common header shapes against net/mail and mime, which they stand in for.
func TestFastPathsAgreeWithStandardLibrary(t *testing.T) {
	mediaTypes := []string{
		`text/plain`, `text/plain; charset="utf-8"`, `TEXT/HTML; Charset=ISO-8859-1`,
		`multipart/mixed; boundary="----=_NextPart_000_0012_01DB97E1"`, `multipart/alternative; boundary=000000000000abc`,
		`attachment; filename="Invoice 4471.pdf"`, `inline`, `application/pdf; name="a;b.pdf"`,
		`text/plain; charset=utf-8; format=flowed; delsp=yes`, `text/plain;charset=us-ascii`,
	}
	for _, v := range mediaTypes {
		mt, params, ok := simpleMediaType(v)
		if !ok {
			t.Errorf("simpleMediaType(%q) not handled; want the fast path", v)
			continue
		}
		wantMT, wantParams, err := mime.ParseMediaType(v)
		if err != nil || mt != wantMT || !maps.Equal(params, wantParams) {
			t.Errorf("simpleMediaType(%q) = %q %v; want %q %v (%v)", v, mt, params, wantMT, wantParams, err)
		}
	}
	for _, v := range []string{`attachment; filename*=utf-8''%e2%82%ac.pdf`, `text/plain; charset="a\"b"`, `text/plain; a=1; a=2`, `text/plain; (comment) a=1`} {
		if _, _, ok := simpleMediaType(v); ok {
			t.Errorf("simpleMediaType(%q) handled; want it left to mime.ParseMediaType", v)
		}
	}

	addresses := []string{
		`jane@example.com`, `<jane@example.com>`, `Jane Doe <jane@Example.COM>`, `"Doe, Jane" <jane.doe+x@example.com>`,
		`Jörg Müller <j@example.de>`, `o'brien@example.ie`,
	}
	for _, v := range addresses {
		got, ok := simpleAddress(v)
		if !ok {
			t.Errorf("simpleAddress(%q) not handled; want the fast path", v)
			continue
		}
		want, err := mail.ParseAddress(v)
		if err != nil || got.Name != want.Name || got.Address != normAddress(want.Address) {
			t.Errorf("simpleAddress(%q) = %+v; want %+v (%v)", v, got, want, err)
		}
	}
	for _, v := range []string{`a@b.example, c@d.example`, `=?utf-8?q?J=C3=B6rg?= <j@x.example>`, `j@x.example (Jörg)`, `"a\"b" <c@d.example>`, `a@@b.example`, `Name <a b@c.example>`} {
		if _, ok := simpleAddress(v); ok {
			t.Errorf("simpleAddress(%q) handled; want it left to net/mail", v)
		}
	}
}

func TestParse_LargeAttachmentStreamed(t *testing.T) {
	// Over smallAttachment the file is streamed through the hash, not
	// decoded into memory; the hash must be the same.
	content := bytes.Repeat([]byte("MZ\x90\x00 big program "), (3<<20)/20)
	sum := sha256.Sum256(content)
	enc := base64.StdEncoding.EncodeToString(content)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	raw := eml([]string{"From: a@b.example", `Content-Type: multipart/mixed; boundary="b"`},
		"--b\r\nContent-Type: text/plain\r\n\r\nsee file\r\n--b\r\nContent-Type: application/octet-stream; name=\"setup.exe\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"+b.String()+"\r\n--b--\r\n")
	m := mustParse(t, raw, Options{})
	if len(m.Attachments) != 1 {
		t.Fatalf("Attachments = %+v; want 1", m.Attachments)
	}
	a := m.Attachments[0]
	if a.SHA256 != hex.EncodeToString(sum[:]) || a.Size != int64(len(content)) || a.DetectedType != "application/x-msdownload" {
		t.Errorf("Attachment = %+v; want size %d, the content's SHA-256 and a program", a, len(content))
	}
	if len(m.Warnings) > 0 {
		t.Errorf("Warnings = %q; want none", m.Warnings)
	}
}
