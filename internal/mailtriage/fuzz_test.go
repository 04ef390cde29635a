package mailtriage

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary bytes through the whole triage path. Whatever
// arrives at the phishing mailbox, triage must not panic, must return valid
// UTF-8 text and a score in range, and must be deterministic. The seeds
// include a 300 KB header, so keep minimisation short:
//
//	go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 60s -fuzzminimizetime 5s ./internal/mailtriage/
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed corpus in testdata: %v", err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	opts := testOpts
	opts.SimulationHeaders = []string{"X-Sim: yes"}
	opts.SimulationDomains = []string{"sim.example"}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, opts)
		if err != nil {
			if m != nil {
				t.Fatalf("Parse() = %v, %v; want no message with an error", m, err)
			}
			return
		}
		o := m.Original
		for _, s := range []string{o.Subject, o.TextBody, o.HTMLBody, o.From.Name, m.Note, m.Reporter.Name} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %q", s)
			}
		}
		for _, a := range m.Attachments {
			if !utf8.ValidString(a.Filename) || len(a.SHA256) != 64 || a.Size < 0 {
				t.Fatalf("bad attachment %+v", a)
			}
		}
		ind := Extract(m, opts)
		v := Score(m, ind, opts)
		if v.Score < 0 || v.Score > 100 {
			t.Fatalf("Score = %d; want 0–100", v.Score)
		}
		switch v.Level {
		case LevelMalicious, LevelSuspicious, LevelSafe, LevelSimulation:
		default:
			t.Fatalf("Level = %q", v.Level)
		}
		fp := Fingerprint(m, ind)
		sig := MinHash(Shingles(m))
		_ = BandKeys(sig)

		m2, err := Parse(raw, opts)
		if err != nil {
			t.Fatalf("second Parse() error = %v; want the first result again", err)
		}
		if fp2 := Fingerprint(m2, Extract(m2, opts)); fp2 != fp {
			t.Fatalf("Fingerprint not deterministic: %s vs %s", fp, fp2)
		}
		if MinHash(Shingles(m2)) != sig {
			t.Fatalf("signature not deterministic")
		}
	})
}

// FuzzExtract feeds arbitrary text and HTML bodies to the indicator
// scanners and the shingler.
func FuzzExtract(f *testing.F) {
	f.Add("see https://evil.example/login. or www.x.example, ip 192.0.2.1 and 2001:db8::1, mail a@b.example", "")
	f.Add("", `<a href="https://evil.example/x">https://bank.com/login</a><a href="mailto:x%40y.example">m</a>`)
	f.Add("Dear Anna,\nurgent: new bank account (https://x.example/a_(b)) now", `<form action="//x"><a href=javascript:1>www.a.com</a>`)
	f.Add("http://[::1]:80/ https://xn--pypal-4ve.com/ https://bücher.example/ http://a@b@c/", "<a href='http://%zz'>a.com</a><script>https://no.example</script>")
	f.Add("::ffff:1.2.3.4 1.2.3.4.5 ::::: 00:11:22:33:44:55", "<a href=\"https://e.example\"><a href=\"https://f.example\">nested</a></a>")
	opts := testOpts
	opts.MaxIndicators = 20
	f.Fuzz(func(t *testing.T, text, html string) {
		m := &Message{Original: Original{TextBody: text, HTMLBody: html, Subject: text}}
		ind := Extract(m, opts)
		for _, u := range ind.URLs {
			if _, err := url.Parse(u); err != nil {
				t.Fatalf("URL %q does not parse: %v", u, err)
			}
		}
		for _, d := range ind.Domains {
			if d.Name == "" || d.Registrable == "" {
				t.Fatalf("empty domain %+v", d)
			}
		}
		if len(ind.URLs) > 20 || len(ind.Domains) > 20 || len(ind.Emails) > 20 || len(ind.IPs) > 20 || len(ind.LinkMismatches) > 20 {
			t.Fatalf("a list passed its cap")
		}
		v := Score(m, ind, opts)
		if v.Score < 0 || v.Score > 100 {
			t.Fatalf("Score = %d", v.Score)
		}
		_ = Fingerprint(m, ind)
		sig := MinHash(Shingles(m))
		if !sig.IsEmpty() && Similarity(sig, sig) != 1 {
			t.Fatalf("Similarity(sig, sig) != 1")
		}
	})
}

// TestAdversarialInputsFinish runs inputs built to hit quadratic paths in
// the scanners (each about 1 MB). It asserts nothing about time: with a
// linear scanner it takes milliseconds, and a quadratic regression shows up
// as this test hanging until the test timeout.
func TestAdversarialInputsFinish(t *testing.T) {
	const n = 1 << 20
	rep := func(s string) string { return strings.Repeat(s, n/len(s)) }
	bodies := map[string]string{
		"ClosingParens":    "see http://x.example/" + rep(")"),
		"ManyWWW":          rep("www.a.example "),
		"ManyInvalidWWW":   rep("xwww.") + " WWW.b.example",
		"ManySchemes":      rep("http://a.example/ "),
		"ManyAts":          rep("a@"),
		"HexAndColons":     rep("a1:"),
		"DigitsAndDots":    rep("1.2."),
		"LongWord":         rep("a"),
		"ManyFromLines":    rep("From: x\n"),
		"ManyMarkers":      rep("-----Original Message-----\n"),
		"ManyGreetings":    rep("Dear Anna,\n"),
		"ManyPhraseStarts": rep("new "),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			raw := eml([]string{"From: a@b.example", "Subject: Fwd: x", "Content-Type: text/plain"}, body)
			m := mustParse(t, raw, testOpts)
			ind := Extract(m, testOpts)
			Score(m, ind, testOpts)
			Fingerprint(m, ind)
			MinHash(Shingles(m))
		})
	}
	t.Run("HTML", func(t *testing.T) {
		html := strings.Repeat(`<a href="https://e.example/x">www.bank.com</a><p>`, n/48) + strings.Repeat("<div>", n/5)
		m := &Message{Original: Original{HTMLBody: html}}
		Score(m, Extract(m, testOpts), testOpts)
		MinHash(Shingles(m))
	})
	t.Run("Multipart", func(t *testing.T) {
		raw := eml([]string{"From: a@b.example", `Content-Type: multipart/mixed; boundary="b"`}, strings.Repeat("--b\r\n\r\nx\r\n", n/10))
		if m := mustParse(t, raw, Options{}); !hasWarning(m, "more than") {
			t.Errorf("Warnings = %q; want the part limit reached", m.Warnings)
		}
	})
	t.Run("NoDelimiterMatches", func(t *testing.T) {
		raw := eml([]string{"From: a@b.example", `Content-Type: multipart/mixed; boundary="b"`}, strings.Repeat("--bx\r\n", n/6))
		mustParse(t, raw, Options{})
	})
	t.Run("Header", func(t *testing.T) {
		raw := []byte("From: a@b.example\r\nAuthentication-Results: " + strings.Repeat("(", n/2) + strings.Repeat(";", n/4) + "\r\n\r\nx")
		m := mustParse(t, raw, Options{MaxHeaderBytes: 2 * n})
		Extract(m, Options{})
	})
}
