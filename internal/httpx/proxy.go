package httpx

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustProxies makes requests that arrive through one of the given reverse
// proxies look as they did before the proxy: the client address comes from
// X-Forwarded-For (the nearest address that is not itself a trusted proxy),
// and X-Forwarded-Proto: https marks the request as served over TLS, so that
// cookies keep Secure and the __Host- prefix and HSTS is sent. Headers from
// anyone else are ignored: a client cannot claim another address.
func TrustProxies(proxies []netip.Prefix, next http.Handler) http.Handler {
	if len(proxies) == 0 {
		return next
	}
	trusted := func(a netip.Addr) bool {
		for _, p := range proxies {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, ok := addrOf(r.RemoteAddr)
		if !ok || !trusted(peer) {
			next.ServeHTTP(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		// Walk X-Forwarded-For from the right: the last hop the proxies added
		// first; the first untrusted address is the client.
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			r2.RemoteAddr = net.JoinHostPort(a.Unmap().String(), "0")
			if !trusted(a) {
				break
			}
		}
		if strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https") && r2.TLS == nil {
			r2.TLS = &tls.ConnectionState{} // the proxy terminated TLS for us
		}
		next.ServeHTTP(w, r2)
	})
}

func addrOf(hostport string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

// ParsePrefixes reads CIDR prefixes ("10.0.0.0/8") or single addresses.
func ParsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, err
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
