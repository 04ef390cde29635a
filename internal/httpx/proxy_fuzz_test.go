package httpx

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// FuzzTrustProxies checks that whatever a proxy forwards, the client
// address seen afterwards is a valid address and TLS is only ever claimed
// through a trusted proxy.
func FuzzTrustProxies(f *testing.F) {
	f.Add("10.0.0.1:1", "203.0.113.9, 10.0.0.2", "https")
	f.Add("203.0.113.1:1", "1.2.3.4", "https")
	f.Add("10.0.0.1:1", ",,,  ,", "HTTPS")
	f.Add("10.0.0.1:1", "::ffff:1.2.3.4", "http")
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	f.Fuzz(func(t *testing.T, remote, xff, proto string) {
		var seen *http.Request
		h := TrustProxies(proxies, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r }))
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		r.Header.Set("X-Forwarded-Proto", proto)
		h.ServeHTTP(httptest.NewRecorder(), r)
		peer, ok := addrOf(remote)
		fromProxy := ok && proxies[0].Contains(peer)
		if !fromProxy {
			if seen.RemoteAddr != remote || seen.TLS != nil {
				t.Errorf("untrusted %q changed the request: %q tls=%v", remote, seen.RemoteAddr, seen.TLS != nil)
			}
			return
		}
		if seen.RemoteAddr != remote {
			host, _, err := net.SplitHostPort(seen.RemoteAddr)
			if _, perr := netip.ParseAddr(host); err != nil || perr != nil {
				t.Errorf("client address %q is not an address (xff %q)", seen.RemoteAddr, xff)
			}
		}
	})
}
