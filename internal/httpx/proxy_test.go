package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestTrustProxies(t *testing.T) {
	proxies, err := ParsePrefixes([]string{"10.0.0.0/8", "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	var gotAddr string
	var gotTLS bool
	h := TrustProxies(proxies, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAddr, gotTLS = r.RemoteAddr, r.TLS != nil
	}))
	tests := []struct {
		name, remote, xff, proto string
		wantAddr                 string
		wantTLS                  bool
	}{
		{"OKThroughProxy", "10.1.2.3:5000", "203.0.113.9", "https", "203.0.113.9:0", true},
		{"OKChainOfProxies", "10.1.2.3:5000", "198.51.100.4, 203.0.113.9, 10.9.9.9", "https", "203.0.113.9:0", true},
		{"OKSingleAddressProxy", "192.0.2.7:1", "203.0.113.5", "http", "203.0.113.5:0", false},
		{"UntrustedPeerIgnored", "203.0.113.66:4000", "1.2.3.4", "https", "203.0.113.66:4000", false},
		{"GarbageStopsTheWalk", "10.1.2.3:5000", "not-an-ip, 203.0.113.9", "", "203.0.113.9:0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			r.Header.Set("X-Forwarded-For", tt.xff)
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if gotAddr != tt.wantAddr || gotTLS != tt.wantTLS {
				t.Errorf("got %s tls=%v; want %s tls=%v", gotAddr, gotTLS, tt.wantAddr, tt.wantTLS)
			}
		})
	}
	if _, err := ParsePrefixes([]string{"10.0.0.0/33"}); err == nil {
		t.Error("ParsePrefixes(10.0.0.0/33) = nil error; want one")
	}
}
