package mailtriage

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestExtract_ForwardAsAttachment(t *testing.T) {
	m := mustParse(t, mustRead(t, "forward-attachment.eml"), testOpts)
	ind := Extract(m, testOpts)

	wantURLs := []string{
		"https://acmecorp.com.invoice-portal.example/view?utm_source=mail&id=8f3a9c2e71b44d0e9a1c",
		"https://portal.acmecorp.com/invoices/4471",
		"http://xn--acmcorp-9gg.com/login",
	}
	if !slices.Equal(ind.URLs, wantURLs) {
		t.Errorf("URLs = %q; want %q", ind.URLs, wantURLs)
	}
	wantEmails := []string{"jane.doe@acmec0rp.com", "jane.doe.cfo@gmail.com", "bounce@mailer.acmec0rp.com"}
	if !slices.Equal(ind.Emails, wantEmails) {
		t.Errorf("Emails = %q; want %q (reporter and recipients left out)", ind.Emails, wantEmails)
	}
	// The private relay address in the second Received header is left out.
	if want := []string{"203.0.113.45", "198.51.100.23"}; !slices.Equal(ind.IPs, want) {
		t.Errorf("IPs = %q; want %q", ind.IPs, want)
	}
	var idn *Domain
	for i, d := range ind.Domains {
		if d.Name == "xn--acmcorp-9gg.com" {
			idn = &ind.Domains[i]
		}
	}
	if idn == nil || idn.Unicode != "acmеcorp.com" || idn.Registrable != "xn--acmcorp-9gg.com" {
		t.Errorf("Domains = %+v; want the punycode domain with its display form", ind.Domains)
	}
	if len(ind.LinkMismatches) != 2 || ind.LinkMismatches[0].TextHost != "portal.acmecorp.com" || ind.LinkMismatches[1].HrefHost != "xn--acmcorp-9gg.com" {
		t.Errorf("LinkMismatches = %+v; want both deceptive links", ind.LinkMismatches)
	}
	if got, want := ind.Auth, (AuthResults{SPF: "softfail", DKIM: "none", DMARC: "fail", ServID: "mx.acmecorp.com", HeaderFrom: "acmec0rp.com", MailFrom: "mailer.acmec0rp.com"}); got != want {
		t.Errorf("Auth = %+v; want %+v", got, want)
	}
	if len(ind.Attachments) != 1 || ind.Attachments[0].SHA256 != m.Attachments[0].SHA256 {
		t.Errorf("Attachments = %+v; want the attachment's hash", ind.Attachments)
	}
}

// extractText runs Extract over a plain-text body.
func extractText(body string) Indicators {
	return Extract(&Message{Original: Original{TextBody: body}}, Options{})
}

// extractHTML runs Extract over an HTML body.
func extractHTML(html string) Indicators {
	return Extract(&Message{Original: Original{HTMLBody: html}}, Options{})
}

func TestExtract_URLsFromText(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"see https://evil.example/login.", []string{"https://evil.example/login"}},
		{"(https://evil.example/a) and <http://b.example/x?y=1>", []string{"https://evil.example/a", "http://b.example/x?y=1"}},
		{"wiki https://en.wikipedia.org/wiki/Foo_(bar) ok", []string{"https://en.wikipedia.org/wiki/Foo_(bar)"}},
		{"go to www.Evil.example/path, now", []string{"http://www.evil.example/path"}},
		{"HTTPS://UPPER.EXAMPLE/Path?Q=A#frag", []string{"https://upper.example/Path?Q=A"}},
		{"dup https://a.example/x https://a.example/x https://A.example/x", []string{"https://a.example/x"}},
		{"not urls: http:// and www. and awww.example.com and ftp://x.example", nil},
		{"ip https://192.0.2.7:8080/admin", []string{"https://192.0.2.7:8080/admin"}},
		{"idn https://bücher.example/x", []string{"https://bücher.example/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := extractText(tt.text).URLs; !slices.Equal(got, tt.want) {
				t.Errorf("URLs = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestExtract_Domains(t *testing.T) {
	ind := extractText("https://login.paypal.co.uk/x https://bücher.example/y mail me at Bob@Mail.Example.COM")
	want := []Domain{
		{Name: "login.paypal.co.uk", Registrable: "paypal.co.uk"},
		{Name: "xn--bcher-kva.example", Unicode: "bücher.example", Registrable: "xn--bcher-kva.example"},
		{Name: "mail.example.com", Registrable: "example.com"},
	}
	if !slices.Equal(ind.Domains, want) {
		t.Errorf("Domains = %+v; want %+v", ind.Domains, want)
	}
	if want := []string{"Bob@mail.example.com"}; !slices.Equal(ind.Emails, want) {
		t.Errorf("Emails = %q; want %q", ind.Emails, want)
	}
}

func TestExtract_IPs(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"from 203.0.113.9 and 198.51.100.1.", []string{"203.0.113.9", "198.51.100.1"}},
		{"v6 2001:db8::1 and [2001:db8:0:0:0:0:0:2]", []string{"2001:db8::1", "2001:db8::2"}},
		{"not ips: 10:30:45, version 1.2.3, 999.1.1.1, 1.2.3.4.5, ::, abc1.2.3.4", nil},
		{"mapped ::ffff:192.0.2.1", []string{"192.0.2.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := extractText(tt.text).IPs; !slices.Equal(got, tt.want) {
				t.Errorf("IPs = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestExtract_LinkMismatch(t *testing.T) {
	tests := []struct {
		name string
		html string
		want int
	}{
		{"URLTextOtherHost", `<a href="https://evil.example/x">https://bank.com/login</a>`, 1},
		{"DomainTextOtherHost", `<a href="https://evil.example/x">www.bank.com</a>`, 1},
		{"BareDomainText", `<a href="https://evil.example/x">bank.com</a>`, 1},
		{"SameRegistrable", `<a href="https://click.bank.com/t/1">www.bank.com</a>`, 0},
		{"SameHost", `<a href="https://bank.com/a?utm_source=x">https://bank.com/a</a>`, 0},
		{"PlainText", `<a href="https://evil.example/x">Click here</a>`, 0},
		{"FileNameText", `<a href="https://evil.example/x">report.pdf</a>`, 0},
		{"EmailText", `<a href="https://evil.example/x">info@bank.com</a>`, 0},
		{"MailtoHref", `<a href="mailto:info@bank.com">www.other.com</a>`, 0},
		{"NestedMarkup", `<a href="https://evil.example/x"><span>https://</span><b>bank.com</b></a>`, 1},
		{"TwoLinks", `<a href="https://a.example">b.com</a> <a href="https://c.example">d.com</a>`, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := extractHTML(tt.html).LinkMismatches; len(got) != tt.want {
				t.Errorf("LinkMismatches = %+v; want %d", got, tt.want)
			}
		})
	}
}

func TestExtract_HTML(t *testing.T) {
	ind := extractHTML(`<html><head><title>https://title.example</title><script>var u="https://script.example/x"</script></head>
<body><p>Visit https://text.example/a</p><form action="https://form.example/post"><input></form>
<a href="mailto:boss%40corp.example?subject=hi">write</a><a href="javascript:alert(1)">x</a><a href="/relative">y</a>
<img src="https://img.example/p.gif"></body></html>`)
	wantURLs := []string{"https://text.example/a", "https://form.example/post"}
	if !slices.Equal(ind.URLs, wantURLs) {
		t.Errorf("URLs = %q; want %q (no script, title or image URLs)", ind.URLs, wantURLs)
	}
	if want := []string{"boss@corp.example"}; !slices.Equal(ind.Emails, want) {
		t.Errorf("Emails = %q; want %q", ind.Emails, want)
	}
}

func TestExtract_Caps(t *testing.T) {
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "https://host%d.example/p user%d@mail%d.example 192.0.2.%d\n", i, i, i, i%250)
	}
	ind := Extract(&Message{Original: Original{TextBody: b.String()}}, Options{MaxIndicators: 10})
	if len(ind.URLs) != 10 || len(ind.Emails) != 10 || len(ind.IPs) != 10 || len(ind.Domains) != 10 || !ind.Truncated {
		t.Errorf("URLs, Emails, IPs, Domains = %d, %d, %d, %d, Truncated = %v; want 10 each and Truncated",
			len(ind.URLs), len(ind.Emails), len(ind.IPs), len(ind.Domains), ind.Truncated)
	}
	// Stable: the first ten seen, in order.
	if ind.URLs[0] != "https://host0.example/p" || ind.URLs[9] != "https://host9.example/p" {
		t.Errorf("URLs = %q; want host0 … host9", ind.URLs)
	}
}

func TestParseAuthResults(t *testing.T) {
	tests := []struct {
		name    string
		headers []Header
		trusted []string
		want    AuthResults
	}{
		{
			name:    "Microsoft365",
			headers: []Header{{"Authentication-Results", "spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=x.example; dkim=pass (signature was verified) header.d=x.example;dmarc=pass action=none header.from=x.example;compauth=pass reason=100"}},
			want:    AuthResults{SPF: "pass", DKIM: "pass", DMARC: "pass", HeaderFrom: "x.example", MailFrom: "x.example"},
		},
		{
			name:    "TopmostOnly",
			headers: []Header{{"Authentication-Results", "mx.corp.example; spf=fail smtp.mailfrom=a@evil.example; dmarc=fail header.from=bank.example"}, {"Authentication-Results", "evil.example; spf=pass; dkim=pass; dmarc=pass"}},
			want:    AuthResults{SPF: "fail", DMARC: "fail", ServID: "mx.corp.example", HeaderFrom: "bank.example", MailFrom: "evil.example"},
		},
		{
			name:    "TrustedServID",
			headers: []Header{{"Authentication-Results", "fake.example; dmarc=pass"}, {"Authentication-Results", "mx.corp.example; dmarc=fail (p=reject) header.from=bank.example"}},
			trusted: []string{"mx.corp.example"},
			want:    AuthResults{DMARC: "fail", ServID: "mx.corp.example", HeaderFrom: "bank.example"},
		},
		{
			name:    "DKIMOnePassIsEnough",
			headers: []Header{{"Authentication-Results", "mx.example; dkim=fail header.d=list.example; dkim=pass header.d=x.example"}},
			want:    AuthResults{DKIM: "pass", ServID: "mx.example"},
		},
		{
			name:    "CommentsAndQuotes",
			headers: []Header{{"Authentication-Results", `mx.example (a; comment (nested)); spf=softfail ("quoted;semi") smtp.mailfrom="a@b.example"`}},
			want:    AuthResults{SPF: "softfail", ServID: "mx.example", MailFrom: "b.example"},
		},
		{
			name:    "ReceivedSPFFallback",
			headers: []Header{{"Authentication-Results", "mx.example; dkim=none"}, {"Received-Spf", "Fail (mailfrom) identity=mailfrom"}},
			want:    AuthResults{SPF: "fail", DKIM: "none", ServID: "mx.example"},
		},
		{
			name:    "NoResults",
			headers: []Header{{"Authentication-Results", "mx.example; none"}},
			want:    AuthResults{ServID: "mx.example"},
		},
		{name: "Absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseAuthResults(tt.headers, tt.trusted); got != tt.want {
				t.Errorf("parseAuthResults() = %+v; want %+v", got, tt.want)
			}
		})
	}
}
