package notify_test

import (
	"net/url"
	"testing"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/notify"
)

// FuzzValidateWebhook checks that validation never panics, always names a
// field when it refuses, and only accepts absolute http(s) addresses.
func FuzzValidateWebhook(f *testing.F) {
	f.Add("https://siem.example.com/hooks/shieldwall", "normal", "standard", "report.answered")
	f.Add("http://10.0.0.5:8080/x?y=1", "critical", "slack", "")
	f.Add("ftp://x", "low", "teams", "a b")
	f.Add("https://user:pw@x/", "", "", "")
	f.Add("https://[::1]:0/", "loud", "xml", "UPPER")
	f.Add("//example.com", "normal", "standard", "x.y_z-1")
	f.Fuzz(func(t *testing.T, raw, urgency, format, event string) {
		in := shieldwall.WebhookInput{URL: raw, MinUrgency: shieldwall.Urgency(urgency), Format: shieldwall.WebhookFormat(format), Events: []string{event}}
		err := notify.ValidateWebhook(&in)
		if err != nil {
			if shieldwall.ErrorField(err) == "" {
				t.Fatalf("ValidateWebhook(%q) error %v names no field", raw, err)
			}
			return
		}
		u, perr := url.Parse(in.URL)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
			t.Fatalf("accepted %q; want only absolute http(s) addresses without credentials", in.URL)
		}
		if !in.MinUrgency.Valid() || !in.Format.Valid() {
			t.Fatalf("accepted urgency %q, format %q", in.MinUrgency, in.Format)
		}
	})
}
