package delivery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The Standard Webhooks reference test vector, reproduced by every
// reference library: matching it is what says a receiver's library will
// accept our signatures, which a round-trip alone cannot show.
const (
	vecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vecID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vecUnix   = 1614265330
	vecBody   = `{"test": 2432232314}`
	vecSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

var vecTime = time.Unix(vecUnix, 0)

func TestSign(t *testing.T) {
	t.Run("SpecVector", func(t *testing.T) {
		h, err := Sign(vecSecret, vecID, vecTime, []byte(vecBody))
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{HeaderID: vecID, HeaderTimestamp: "1614265330", HeaderSignature: vecSig} {
			if got := h.Get(name); got != want {
				t.Errorf("Sign: %s = %q; want %q", name, got, want)
			}
		}
	})

	t.Run("IndependentHMAC", func(t *testing.T) {
		secret := NewSecret()
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		if err != nil {
			t.Fatal(err)
		}
		ts := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		body := []byte(`{"event":"case.sev1"}`)
		m := hmac.New(sha256.New, key)
		m.Write([]byte("msg_1." + "1772366400" + "." + string(body)))
		want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))

		h, err := Sign(secret, "msg_1", ts, body)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Get(HeaderSignature); got != want {
			t.Errorf("signature = %q; want %q", got, want)
		}
		if got := h.Get(HeaderTimestamp); got != "1772366400" {
			t.Errorf("timestamp = %q; want %q", got, "1772366400")
		}
	})

	t.Run("ErrInvalidSecret", func(t *testing.T) {
		for _, s := range []string{
			"",
			"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", // no prefix
			"whsec_",                           // empty key
			"whsec_not base64!",                // not base64
			"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 23)), // too short
			"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65)), // too long
		} {
			if _, err := Sign(s, "msg_1", vecTime, nil); !errors.Is(err, ErrInvalidSecret) {
				t.Errorf("Sign(%q) error = %v; want ErrInvalidSecret", s, err)
			}
		}
	})

	t.Run("ErrInvalidMessageID", func(t *testing.T) {
		for _, id := range []string{"", "a.b", "a b", "a\nb", "é", strings.Repeat("x", 257)} {
			if _, err := Sign(vecSecret, id, vecTime, nil); !errors.Is(err, ErrInvalidMessageID) {
				t.Errorf("Sign(id %q) error = %v; want ErrInvalidMessageID", id, err)
			}
		}
	})
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Fatalf("NewSecret twice = %q; want different secrets", a)
	}
	key, err := decodeSecret(a)
	if err != nil {
		t.Fatalf("decodeSecret(NewSecret()) error = %v", err)
	}
	if len(key) != 32 {
		t.Errorf("key length = %d; want 32", len(key))
	}
}

func TestVerify(t *testing.T) {
	body := []byte(vecBody)
	vecHeaders := func() http.Header {
		h := http.Header{}
		h.Set(HeaderID, vecID)
		h.Set(HeaderTimestamp, "1614265330")
		h.Set(HeaderSignature, vecSig)
		return h
	}
	other := NewSecret()
	otherSig := func(t *testing.T) string {
		h, err := Sign(other, vecID, vecTime, body)
		if err != nil {
			t.Fatal(err)
		}
		return h.Get(HeaderSignature)
	}

	tests := []struct {
		name   string
		secret string
		edit   func(t *testing.T, h http.Header)
		body   string
		now    time.Time
		tol    time.Duration
		want   error
	}{
		{name: "OK", want: nil},
		{name: "OKLowercaseHeaderKeys", edit: func(t *testing.T, h http.Header) {
			// A receiver built on a map of raw names still works through Get.
			for _, k := range []string{HeaderID, HeaderTimestamp, HeaderSignature} {
				v := h.Get(k)
				h.Del(k)
				h.Set(strings.ToUpper(k), v)
			}
		}},
		{name: "OKOneOfSeveral", edit: func(t *testing.T, h http.Header) {
			h.Set(HeaderSignature, otherSig(t)+" v1a,AAAA garbage v1,!!! "+vecSig)
		}},
		{name: "OKRotatedSecretListedFirst", secret: other, edit: func(t *testing.T, h http.Header) {
			h.Set(HeaderSignature, vecSig+" "+otherSig(t))
		}},
		{name: "OKAtEdgeOfTolerance", now: vecTime.Add(5 * time.Minute)},
		{name: "OKSkewAhead", now: vecTime.Add(-5 * time.Minute)},
		{name: "OKCustomTolerance", now: vecTime.Add(time.Hour), tol: time.Hour},
		{name: "ErrTamperedBody", body: `{"test": 2432232315}`, want: ErrNoValidSignature},
		{name: "ErrTamperedID", edit: func(t *testing.T, h http.Header) { h.Set(HeaderID, "msg_other") }, want: ErrNoValidSignature},
		{name: "ErrTamperedTimestamp", edit: func(t *testing.T, h http.Header) { h.Set(HeaderTimestamp, "1614265331") }, want: ErrNoValidSignature},
		{name: "ErrTimestampLeadingZero", edit: func(t *testing.T, h http.Header) { h.Set(HeaderTimestamp, "01614265330") }, want: ErrNoValidSignature},
		{name: "ErrWrongSecret", secret: other, want: ErrNoValidSignature},
		{name: "ErrOnlyOtherVersions", edit: func(t *testing.T, h http.Header) {
			h.Set(HeaderSignature, strings.Replace(vecSig, "v1,", "v2,", 1))
		}, want: ErrNoValidSignature},
		{name: "ErrSignatureWithoutVersion", edit: func(t *testing.T, h http.Header) {
			h.Set(HeaderSignature, strings.TrimPrefix(vecSig, "v1,"))
		}, want: ErrNoValidSignature},
		{name: "ErrTruncatedSignature", edit: func(t *testing.T, h http.Header) {
			h.Set(HeaderSignature, vecSig[:len(vecSig)-5]+"AAA=")
		}, want: ErrNoValidSignature},
		{name: "ErrTooOld", now: vecTime.Add(5*time.Minute + time.Second), want: ErrTimestampRange},
		{name: "ErrTooNew", now: vecTime.Add(-5*time.Minute - time.Second), want: ErrTimestampRange},
		{name: "ErrHugeTimestamp", edit: func(t *testing.T, h http.Header) { h.Set(HeaderTimestamp, "9223372036854775807") }, want: ErrTimestampRange},
		{name: "ErrOverflowTimestamp", edit: func(t *testing.T, h http.Header) { h.Set(HeaderTimestamp, "99999999999999999999") }, want: ErrInvalidTimestamp},
		{name: "ErrNegativeTimestamp", edit: func(t *testing.T, h http.Header) { h.Set(HeaderTimestamp, "-1614265330") }, want: ErrInvalidTimestamp},
		{name: "ErrFractionalTimestamp", edit: func(t *testing.T, h http.Header) { h.Set(HeaderTimestamp, "1614265330.5") }, want: ErrInvalidTimestamp},
		{name: "ErrMissingID", edit: func(t *testing.T, h http.Header) { h.Del(HeaderID) }, want: ErrMissingHeader},
		{name: "ErrMissingTimestamp", edit: func(t *testing.T, h http.Header) { h.Del(HeaderTimestamp) }, want: ErrMissingHeader},
		{name: "ErrMissingSignature", edit: func(t *testing.T, h http.Header) { h.Del(HeaderSignature) }, want: ErrMissingHeader},
		{name: "ErrBlankSignature", edit: func(t *testing.T, h http.Header) { h.Set(HeaderSignature, "   ") }, want: ErrNoValidSignature},
		{name: "ErrInvalidSecret", secret: "whsec_short", want: ErrInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret, now, b := vecSecret, vecTime, body
			if tt.secret != "" {
				secret = tt.secret
			}
			if !tt.now.IsZero() {
				now = tt.now
			}
			if tt.body != "" {
				b = []byte(tt.body)
			}
			h := vecHeaders()
			if tt.edit != nil {
				tt.edit(t, h)
			}
			err := Verify(secret, h, b, now, tt.tol)
			if tt.want == nil && err != nil {
				t.Errorf("Verify = %v; want nil", err)
			} else if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v; want %v", err, tt.want)
			}
		})
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	secret := NewSecret()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, body := range [][]byte{nil, {}, []byte("x"), []byte(strings.Repeat("é.\n", 1000))} {
		h, err := Sign(secret, "01JNV8Q3Z1K3", now, body)
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(secret, h, body, now.Add(30*time.Second), 0); err != nil {
			t.Errorf("Verify(Sign(body of %d bytes)) = %v; want nil", len(body), err)
		}
	}
}
