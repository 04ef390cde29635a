// Package delivery holds the pure building blocks of durable delivery:
// Standard Webhooks signing and verification, and the retry schedule that
// decides what happens to a message after each attempt. It does no I/O and
// keeps no state, so the outbox worker can own the clock, the database and
// the HTTP client, and these rules can be tested with tables.
package delivery

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of the Standard Webhooks convention
// (https://www.standardwebhooks.com). http.Header canonicalises them to
// Webhook-Id and so on; HTTP header names are case-insensitive.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix marks a Standard Webhooks symmetric secret, so that a secret
// pasted into the wrong place is recognisable.
const SecretPrefix = "whsec_"

// DefaultTolerance is how far webhook-timestamp may be from the verifier's
// clock; the spec recommends five minutes to bound replays while allowing
// for clock skew.
const DefaultTolerance = 5 * time.Minute

// The spec asks for keys of 24 to 64 bytes: shorter is weak, longer buys
// nothing with SHA-256 and may break receivers' libraries.
const (
	minKeyLen    = 24
	maxKeyLen    = 64
	newSecretLen = 32
)

// Verification and signing errors; callers match them with errors.Is. They
// say what is wrong without revealing anything about the expected signature.
var (
	ErrInvalidSecret    = errors.New("delivery: secret is not whsec_ followed by base64 of 24 to 64 bytes")
	ErrInvalidMessageID = errors.New("delivery: message id must be non-empty printable ASCII without '.' or spaces")
	ErrMissingHeader    = errors.New("delivery: missing webhook header")
	ErrInvalidTimestamp = errors.New("delivery: webhook-timestamp is not unix seconds")
	ErrTimestampRange   = errors.New("delivery: webhook-timestamp outside tolerance")
	ErrNoValidSignature = errors.New("delivery: no matching webhook signature")
)

// NewSecret returns a fresh signing secret: "whsec_" and the standard
// base64 of 32 random bytes, the format every Standard Webhooks library
// accepts. crypto/rand.Read cannot fail since Go 1.24, hence no error.
func NewSecret() string {
	key := make([]byte, newSecretLen)
	rand.Read(key)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// Sign returns the three headers that sign body as message msgID sent at
// ts. The same msgID must be reused on every retry so receivers can drop
// duplicates, while ts (and so the signature) is fresh for each attempt.
func Sign(secret, msgID string, ts time.Time, body []byte) (http.Header, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return nil, err
	}
	if !validMessageID(msgID) {
		return nil, ErrInvalidMessageID
	}
	unix := strconv.FormatInt(ts.Unix(), 10)
	h := make(http.Header, 3)
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, unix)
	h.Set(HeaderSignature, "v1,"+base64.StdEncoding.EncodeToString(mac(key, msgID, unix, body)))
	return h, nil
}

// Verify checks that headers carry a valid v1 signature of body under
// secret and a timestamp within tolerance of now (DefaultTolerance when
// tolerance is zero or negative). webhook-signature may list several
// space-separated signatures, as during a secret rotation; one match is
// enough. Signatures of other versions (such as v1a) are skipped.
func Verify(secret string, headers http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	key, err := decodeSecret(secret)
	if err != nil {
		return err
	}
	id, unix, sigs := headers.Get(HeaderID), headers.Get(HeaderTimestamp), headers.Get(HeaderSignature)
	for _, f := range []struct{ name, value string }{{HeaderID, id}, {HeaderTimestamp, unix}, {HeaderSignature, sigs}} {
		if f.value == "" {
			return fmt.Errorf("%w: %s", ErrMissingHeader, f.name)
		}
	}
	if !isDigits(unix) {
		return ErrInvalidTimestamp
	}
	secs, err := strconv.ParseInt(unix, 10, 64)
	if err != nil {
		return ErrInvalidTimestamp
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	// Compare in seconds: time.Unix of a huge value would overflow Duration.
	if d := secs - now.Unix(); d > int64(tolerance/time.Second) || -d > int64(tolerance/time.Second) {
		return ErrTimestampRange
	}
	// The signed content uses the header's own timestamp text, exactly as
	// the sender wrote it, not a re-formatted number.
	want := mac(key, id, unix, body)
	for _, sig := range strings.Fields(sigs) {
		version, encoded, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoValidSignature
}

// mac computes HMAC-SHA256 over "id.timestamp.body", the signed content of
// the Standard Webhooks spec.
func mac(key []byte, id, unix string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(unix))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// decodeSecret returns the key bytes of a whsec_ secret. The prefix is
// required: our secrets always carry it, and one without is more likely a
// mistake than a secret from elsewhere.
func decodeSecret(secret string) ([]byte, error) {
	encoded, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, ErrInvalidSecret
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return nil, ErrInvalidSecret
	}
	return key, nil
}

// validMessageID refuses ids that would make the signed content ambiguous
// ('.' is its delimiter) or could not travel in a header.
func validMessageID(id string) bool {
	if id == "" || len(id) > 256 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '.' {
			return false
		}
	}
	return true
}

// isDigits reports whether s is one or more ASCII digits; ParseInt alone
// would also accept a sign.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
