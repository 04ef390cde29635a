package accounts

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/auth"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// SignedIn is a new session: the cookie value goes to the browser once.
type SignedIn struct {
	CookieValue string
	CSRFToken   string
	ExpiresAt   time.Time
	User        shieldwall.User
}

// errBadCredentials is the one answer for a wrong email, a wrong password,
// a deactivated account and an account without a password, so that sign-in
// does not reveal who has an account.
var errBadCredentials = shieldwall.Errorf(shieldwall.EUNAUTHORIZED, "The email or password is not right.")

// SignIn checks a password and opens a new session. client identifies the
// caller's network address for rate limiting; it is not stored.
func (s *Service) SignIn(ctx context.Context, email, password, client string) (SignedIn, error) {
	email, err := normaliseEmail(email)
	if err != nil {
		return SignedIn{}, errBadCredentials
	}
	if len(password) > auth.MaxPasswordLength {
		return SignedIn{}, errBadCredentials
	}
	accountKey, clientKey := "account:"+email, "client:"+client
	for _, c := range []struct {
		l   *auth.Limiter
		key string
	}{{s.signInLimit, accountKey}, {s.clientLimit, clientKey}} {
		if ok, wait := c.l.Allowed(c.key); !ok {
			return SignedIn{}, shieldwall.Errorf(shieldwall.ERATELIMITED,
				"Too many failed sign-ins. Try again in %d minutes.", int(wait.Minutes())+1)
		}
	}
	userID, hash, err := s.store.PasswordHash(ctx, email)
	if shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
		auth.CheckNoPassword(password)
		s.signInLimit.Fail(accountKey)
		s.clientLimit.Fail(clientKey)
		return SignedIn{}, errBadCredentials
	} else if err != nil {
		return SignedIn{}, err
	}
	ok, err := auth.CheckPassword(hash, password)
	if err != nil {
		return SignedIn{}, fmt.Errorf("accounts: check password: %w", err)
	}
	if !ok {
		s.signInLimit.Fail(accountKey)
		s.clientLimit.Fail(clientKey)
		return SignedIn{}, errBadCredentials
	}
	s.signInLimit.Reset(accountKey)
	return s.openSession(ctx, userID)
}

// openSession starts a fresh session for userID; a new id every time is
// what protects against session fixation.
func (s *Service) openSession(ctx context.Context, userID string) (SignedIn, error) {
	out := SignedIn{CookieValue: auth.NewSecret(""), CSRFToken: auth.NewSecret("")}
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		u, err := tx.FindUser(ctx, userID)
		if err != nil {
			return err
		}
		out.User = u
		out.ExpiresAt = tx.Now.Add(IdleTimeout)
		if err := tx.CreateSession(ctx, store.Session{
			IDHash: auth.LookupHash(out.CookieValue), UserID: userID, CSRFToken: out.CSRFToken,
			CreatedAt: tx.Now, ExpiresAt: out.ExpiresAt, LastSeen: tx.Now,
		}); err != nil {
			return err
		}
		if _, err := tx.DeleteExpiredSessions(ctx); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorOf(u), "session.create", "user", u.ID, "signed in")
	})
	return out, err
}

// SignOut ends the session with this cookie value.
func (s *Service) SignOut(ctx context.Context, actor shieldwall.Actor, cookieValue string) error {
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteSession(ctx, auth.LookupHash(cookieValue)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "session.delete", "user", actor.UserID, "signed out")
	})
}

// SessionActor returns who holds this session cookie, and the session's CSRF token.
func (s *Service) SessionActor(ctx context.Context, cookieValue string) (shieldwall.Actor, string, error) {
	if cookieValue == "" || len(cookieValue) > 100 {
		return shieldwall.Actor{}, "", shieldwall.Errorf(shieldwall.EUNAUTHORIZED, "Please sign in.")
	}
	now := s.store.Now().UTC()
	sess, u, err := s.store.SessionUser(ctx, auth.LookupHash(cookieValue), now)
	if shieldwall.ErrorCode(err) == shieldwall.ENOTFOUND {
		return shieldwall.Actor{}, "", shieldwall.Errorf(shieldwall.EUNAUTHORIZED, "Your session has ended. Please sign in again.")
	} else if err != nil {
		return shieldwall.Actor{}, "", err
	}
	if now.Sub(sess.CreatedAt) > MaxLifetime {
		return shieldwall.Actor{}, "", shieldwall.Errorf(shieldwall.EUNAUTHORIZED, "Your session has ended. Please sign in again.")
	}
	// Slide the idle expiry, writing at most once an hour and only the hour:
	// a precise last-seen time could be matched with the time of a report
	// its author chose to send anonymously.
	if hour := now.Truncate(time.Hour); hour.After(sess.LastSeen) {
		_ = s.store.InTx(ctx, func(tx *store.Tx) error {
			return tx.TouchSession(ctx, sess.IDHash, hour, hour.Add(time.Hour+IdleTimeout))
		})
	}
	return actorOf(u), sess.CSRFToken, nil
}

func actorOf(u shieldwall.User) shieldwall.Actor {
	return shieldwall.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, DepartmentID: u.DepartmentID}
}

// TokenActor returns who holds this API token. Answers are cached for
// tokenCacheTTL so that a busy API client costs no database read per
// request; revoking a token or changing a person clears the cache at once
// in this process (other replicas follow within the TTL).
func (s *Service) TokenActor(ctx context.Context, secret string) (shieldwall.Actor, error) {
	if len(secret) < 20 || len(secret) > 100 {
		return shieldwall.Actor{}, shieldwall.Errorf(shieldwall.EUNAUTHORIZED, "The API token is not valid.")
	}
	hash := auth.LookupHash(secret)
	if a, ok := s.tokens.get(hash); ok {
		return a, nil
	}
	_, u, err := s.store.TokenUser(ctx, hash)
	if err != nil {
		return shieldwall.Actor{}, err
	}
	a := actorOf(u)
	s.tokens.put(hash, a)
	return a, nil
}

// tokenCacheTTL bounds how long a revoked token may still work on another replica.
const tokenCacheTTL = 10 * time.Second

// tokenCache remembers recent token lookups.
type tokenCache struct {
	mu      sync.Mutex
	entries map[string]tokenEntry
}

type tokenEntry struct {
	actor   shieldwall.Actor
	expires time.Time
}

func (c *tokenCache) get(hash string) (shieldwall.Actor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || time.Now().After(e.expires) {
		return shieldwall.Actor{}, false
	}
	return e.actor, true
}

func (c *tokenCache) put(hash string, a shieldwall.Actor) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) > 10_000 {
		c.entries = map[string]tokenEntry{} // bounded: start over rather than grow
	}
	c.entries[hash] = tokenEntry{actor: a, expires: time.Now().Add(tokenCacheTTL)}
}

// clear forgets every cached lookup (a token revoked, a person changed).
func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
}

// TokenPrefix marks Shieldwall API tokens so that secret scanners can find leaked ones.
const TokenPrefix = "swt_"

// CreateToken creates an API token for the user with email and returns its secret, shown once.
// An actor may create tokens for themselves; the command line (System) for anyone.
func (s *Service) CreateToken(ctx context.Context, actor shieldwall.Actor, email, name string) (string, shieldwall.APIToken, error) {
	if err := policy.Authorize(actor, policy.TokenManage, nil); err != nil {
		return "", shieldwall.APIToken{}, err
	}
	email, err := normaliseEmail(email)
	if err != nil {
		return "", shieldwall.APIToken{}, err
	}
	if err := validateText("name", "Name", name, 0, 100); err != nil {
		return "", shieldwall.APIToken{}, err
	}
	u, err := s.store.FindUserByEmail(ctx, email)
	if err != nil {
		return "", shieldwall.APIToken{}, shieldwall.FieldErrorf(shieldwall.ENOTFOUND, "email", "Nobody has the email %s.", email)
	}
	if !actor.System && u.ID != actor.UserID {
		return "", shieldwall.APIToken{}, shieldwall.Errorf(shieldwall.EFORBIDDEN, "You can create tokens only for yourself.")
	}
	if !u.Active {
		return "", shieldwall.APIToken{}, shieldwall.Errorf(shieldwall.EINVALID, "%s is deactivated.", email)
	}
	secret := auth.NewSecret(TokenPrefix)
	var t shieldwall.APIToken
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		t = shieldwall.APIToken{ID: store.NewID(), UserID: u.ID, Name: name, CreatedAt: tx.Now}
		if err := tx.CreateToken(ctx, &t, auth.LookupHash(secret)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "token.create", "api_token", t.ID, fmt.Sprintf("token %q for %s", name, u.Email))
	})
	return secret, t, err
}

// RevokeToken revokes one of the actor's own tokens.
func (s *Service) RevokeToken(ctx context.Context, actor shieldwall.Actor, tokenID string) error {
	if err := policy.Authorize(actor, policy.TokenManage, nil); err != nil {
		return err
	}
	defer s.tokens.clear()
	return s.store.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeToken(ctx, actor.UserID, tokenID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actor, "token.revoke", "api_token", tokenID, "revoked")
	})
}

// settingSetupHash holds the lookup hash of the one-time set-up token.
const settingSetupHash = "setup_token_hash"

// NeedsSetup reports whether nobody has an account yet.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	_, total, err := s.store.ListUsers(ctx, shieldwall.UserFilter{Page: shieldwall.Page{Limit: 1}})
	return total == 0, err
}

// StartSetup makes a new one-time set-up token (replacing any earlier one)
// when nobody has an account yet; it returns "" otherwise.
func (s *Service) StartSetup(ctx context.Context) (string, error) {
	token := auth.NewSecret("")
	created := false
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		n, err := tx.CountUsers(ctx)
		if err != nil || n > 0 {
			return err
		}
		created = true
		return tx.SetSetting(ctx, settingSetupHash, auth.LookupHash(token))
	})
	if err != nil || !created {
		return "", err
	}
	return token, nil
}

// SetupTokenValid reports whether token is the current set-up token.
func (s *Service) SetupTokenValid(ctx context.Context, token string) bool {
	h, ok, err := s.store.Setting(ctx, settingSetupHash)
	return err == nil && ok && token != "" && h == auth.LookupHash(token)
}

// CompleteSetup creates the first administrator with the set-up token; it
// works once, and only while nobody has an account.
func (s *Service) CompleteSetup(ctx context.Context, token string, in shieldwall.UserInput) (SignedIn, error) {
	in.Role = shieldwall.RoleAdmin
	if in.Password == "" {
		return SignedIn{}, shieldwall.FieldErrorf(shieldwall.EINVALID, "password", "Choose a password of at least %d characters.", auth.MinPasswordLength)
	}
	if err := normaliseUser(&in); err != nil {
		return SignedIn{}, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return SignedIn{}, fmt.Errorf("accounts: hash password: %w", err)
	}
	invalid := shieldwall.Errorf(shieldwall.EFORBIDDEN, "This set-up link is no longer valid.")
	var u shieldwall.User
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		// Taking the token (not just reading it) makes it single-use even
		// when two people open the link at the same moment.
		h, ok, err := tx.TakeSetting(ctx, settingSetupHash)
		if err != nil {
			return err
		}
		if !ok || h != auth.LookupHash(token) {
			return invalid
		}
		if n, err := tx.CountUsers(ctx); err != nil {
			return err
		} else if n > 0 {
			return invalid
		}
		actor := shieldwall.SystemActor("set-up link")
		if u, err = createUser(ctx, tx, actor, in, hash, CreateUserOptions{CreateDepartment: true}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return SignedIn{}, err
	}
	return s.openSession(ctx, u.ID)
}
