package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sync"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
)

// AckLinkLifetime is how long an acknowledge link works: long enough for a
// weekend, short enough that an old email in a leaked mailbox is harmless.
const AckLinkLifetime = 7 * 24 * time.Hour

// ackKeySetting names the setting holding the key of acknowledge-link hashes.
const ackKeySetting = "notify.ack_key"

// AckLinks makes and checks the acknowledge links of critical
// notifications. A link carries 256 random bits; only HMAC-SHA256 of it,
// under a key kept in the database, is stored, so a copy of the tokens
// table alone lets nobody acknowledge anything.
type AckLinks struct {
	st  *store.Store
	mu  sync.Mutex
	key []byte
	Now func() time.Time // tests may replace it
}

// NewAckLinks returns the acknowledge links of st.
func NewAckLinks(st *store.Store) *AckLinks { return &AckLinks{st: st, Now: time.Now} }

func (a *AckLinks) hash(ctx context.Context, token string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.key == nil {
		var b [32]byte
		rand.Read(b[:])
		v, err := a.st.EnsureSetting(ctx, ackKeySetting, hex.EncodeToString(b[:]))
		if err != nil {
			return "", err
		}
		if a.key, err = hex.DecodeString(v); err != nil {
			return "", err
		}
	}
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil)), nil
}

// New makes a fresh token for notification id, valid from now for AckLinkLifetime.
func (a *AckLinks) New(ctx context.Context, id string, now time.Time) (string, error) {
	var b [32]byte
	rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	h, err := a.hash(ctx, token)
	if err != nil {
		return "", err
	}
	if err := a.st.CreateAckToken(ctx, id, h, now.Add(AckLinkLifetime)); err != nil {
		return "", err
	}
	return token, nil
}

// validToken refuses anything that is not the shape New makes before any hashing.
func validToken(token string) bool {
	if len(token) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil
}

var errBadAckLink = shieldwall.Errorf(shieldwall.ENOTFOUND, "This acknowledge link is not valid: it may have been used already or have expired.")

// Lookup returns the notification a valid token acknowledges, changing nothing.
func (a *AckLinks) Lookup(ctx context.Context, token string) (shieldwall.Notification, error) {
	if !validToken(token) {
		return shieldwall.Notification{}, errBadAckLink
	}
	h, err := a.hash(ctx, token)
	if err != nil {
		return shieldwall.Notification{}, err
	}
	return a.st.AckTokenNotification(ctx, h, a.Now())
}

// Use spends the token and acknowledges its notification, with an audit
// event in the person's name.
func (a *AckLinks) Use(ctx context.Context, token string) (shieldwall.Notification, error) {
	if !validToken(token) {
		return shieldwall.Notification{}, errBadAckLink
	}
	h, err := a.hash(ctx, token)
	if err != nil {
		return shieldwall.Notification{}, err
	}
	var n shieldwall.Notification
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = tx.UseAckToken(ctx, h); err != nil {
			return err
		}
		u, err := tx.FindUser(ctx, n.UserID)
		if err != nil {
			return err
		}
		return tx.AppendAudit(ctx, shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role},
			"notification.ack", "notification", n.ID, "acknowledged by link") // not the title: the audit log is read beyond need-to-know
	})
	return n, err
}
