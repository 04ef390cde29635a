package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzLocalPath checks that the sign-in form's "next" can never send a
// browser to another site, whatever it holds.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/people", "//evil.example", `/\evil.example`, "/\t/evil.example", "https://evil.example", "javascript:alert(1)", "/a?b=c#d", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localPath(next)
		if got == "/" {
			return
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n") {
			t.Errorf("localPath(%q) = %q; want a path on this site or /", next, got)
		}
	})
}
