package notify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/shieldwall/shieldwall/internal/notify"
)

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestSMTPTLSModes sends through a real go-smtp server with STARTTLS and
// with implicit TLS, and checks that starttls refuses a server without it.
func TestSMTPTLSModes(t *testing.T) {
	cert, pool := selfSigned(t)
	start := func(t *testing.T, implicit, offerTLS bool) (*mailbox, int) {
		m := &mailbox{}
		srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }))
		srv.Domain = "localhost"
		if offerTLS {
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		}
		var ln net.Listener
		var err error
		if implicit {
			ln, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
		} else {
			ln, err = net.Listen("tcp", "127.0.0.1:0")
		}
		if err != nil {
			t.Fatal(err)
		}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		p, _ := strconv.Atoi(port)
		return m, p
	}
	msg := notify.EmailMessage{MessageID: "msg_1@shieldwall", To: "alice@example.com", Subject: "Hello", Text: "plain", HTML: "<p>html</p>"}
	for _, tc := range []struct {
		mode              string
		implicit, offered bool
		wantErr           bool
	}{
		{"starttls", false, true, false},
		{"tls", true, true, false},
		{"starttls", false, false, true}, // never falls back to plain text
	} {
		name := tc.mode
		if tc.wantErr {
			name = "ErrNoSTARTTLS"
		}
		t.Run(name, func(t *testing.T) {
			mb, port := start(t, tc.implicit, tc.offered)
			m, err := notify.NewSMTPMailer(notify.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: tc.mode, From: "security@example.com",
				TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}})
			if err != nil {
				t.Fatal(err)
			}
			err = m.Send(t.Context(), msg)
			if tc.wantErr {
				if err == nil || len(mb.messages()) != 0 {
					t.Fatalf("Send without STARTTLS offered = %v, %d messages; want a refusal and nothing sent", err, len(mb.messages()))
				}
				return
			}
			if err != nil {
				t.Fatalf("Send = %v", err)
			}
			if got := mb.messages(); len(got) != 1 || !strings.Contains(string(got[0].Data), "plain") {
				t.Fatalf("mailbox = %d messages; want the one sent", len(got))
			}
		})
	}
	t.Run("ErrConfig", func(t *testing.T) {
		for _, tc := range []struct {
			cfg   notify.SMTPConfig
			field string
		}{
			{notify.SMTPConfig{From: "a@example.com"}, "smtp-out-host"},
			{notify.SMTPConfig{Host: "h"}, "smtp-out-from"},
			{notify.SMTPConfig{Host: "h", From: "not an address"}, "smtp-out-from"},
			{notify.SMTPConfig{Host: "h", From: "a@example.com", TLS: "ssl3"}, "smtp-out-tls"},
			{notify.SMTPConfig{Host: "h", From: "a@example.com", Port: 70000}, "smtp-out-port"},
		} {
			_, err := notify.NewSMTPMailer(tc.cfg)
			if got := errField(err); got != tc.field {
				t.Errorf("NewSMTPMailer(%+v) field = %q (%v); want %q", tc.cfg, got, err, tc.field)
			}
		}
	})
}
