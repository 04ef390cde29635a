package intake

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"strings"

	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/auth"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// Receipts are 32 characters of Crockford base32 (160 random bits), shown
// in eight groups of four for reading aloud. The first 8 characters select
// the receipt (their hash is indexed, so a lookup never scans); the whole
// receipt is checked against a slow argon2id verifier.
const (
	receiptAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	receiptLen      = 32
	selectorLen     = 8
)

// newReceipt returns a fresh receipt, grouped for reading.
func newReceipt() string {
	b := make([]byte, receiptLen)
	if _, err := rand.Read(b); err != nil {
		panic("intake: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = receiptAlphabet[b[i]&31] // 256 is a multiple of 32: no bias
	}
	return groupReceipt(string(b))
}

func groupReceipt(s string) string {
	var g []string
	for i := 0; i < len(s); i += 4 {
		g = append(g, s[i:min(i+4, len(s))])
	}
	return strings.Join(g, "-")
}

// normaliseReceipt accepts what a person types: any case, spaces or dashes,
// and the letters Crockford base32 reads as digits (O→0, I/L→1).
func normaliseReceipt(s string) (string, bool) {
	if len(s) > 100 {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(receiptAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != receiptLen {
		return "", false
	}
	return b.String(), true
}

func selectorHash(norm string) string {
	return auth.LookupHash("receipt-selector/" + norm[:selectorLen])
}

// errNoReceipt is the one answer for a wrong, malformed or unknown receipt.
var errNoReceipt = shieldwall.Errorf(shieldwall.ENOTFOUND, "No report has this receipt. Check that you typed it exactly as it was shown.")

// SubmitAnonymous files a report without any identity and returns its
// receipt, which is shown once and never stored.
func (s *Service) SubmitAnonymous(ctx context.Context, client string, in shieldwall.ReportInput, uploads []Upload) (shieldwall.Report, string, error) {
	if err := policy.Authorize(shieldwall.Actor{}, policy.ReportAnonymous, nil); err != nil {
		return shieldwall.Report{}, "", err
	}
	if !s.anonRL.allow(client) {
		return shieldwall.Report{}, "", shieldwall.Errorf(shieldwall.ERATELIMITED, "Too many attempts from here. Please wait a few minutes and try again.")
	}
	// Every new report counts against the limit: a flood is refused.
	s.anonRL.count(client)
	in.Anonymous = true
	if err := validate(&in); err != nil {
		return shieldwall.Report{}, "", err
	}
	if err := validateUploads(uploads); err != nil {
		return shieldwall.Report{}, "", err
	}
	receipt := newReceipt()
	norm, _ := normaliseReceipt(receipt)
	verifier, err := auth.HashPassword(norm)
	if err != nil {
		return shieldwall.Report{}, "", err
	}
	r := shieldwall.Report{Kind: in.Kind, Title: in.Title, Description: in.Description, Details: in.Details,
		Source: shieldwall.SourceAnonymous, Anonymous: true}
	var triage *emailTriage
	if in.Kind == shieldwall.KindPhishing {
		if raw := phishingSource(in, uploads); raw != nil {
			triage = s.triageEmail(ctx, raw)
		}
	}
	err = s.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		if err := s.insert(ctx, tx, shieldwall.Actor{}, &r, uploads, triage); err != nil {
			return err
		}
		return tx.CreateReceipt(ctx, selectorHash(norm), verifier, r.ID)
	})
	if err != nil {
		return shieldwall.Report{}, "", err
	}
	return r, receipt, nil
}

// AnonymousView is what a receipt holder sees: the status, the answer and
// the conversation, nothing about who else is involved.
type AnonymousView struct {
	ID         string                  `json:"id"`
	Kind       shieldwall.ReportKind   `json:"kind"`
	Title      string                  `json:"title"`
	Status     shieldwall.ReportStatus `json:"status"`
	Resolution string                  `json:"resolution"`
	Messages   []AnonymousMessage      `json:"messages"`
	CreatedAt  time.Time               `json:"created_at"`
	UpdatedAt  time.Time               `json:"updated_at"`
}

// AnonymousMessage is one message as the anonymous reporter sees it.
type AnonymousMessage struct {
	ID        string    `json:"id"`
	Author    string    `json:"author"` // you or security
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// resolveReceipt returns the report id a receipt opens. A wrong receipt
// costs the same slow check as a right one, so timing tells nothing.
func (s *Service) resolveReceipt(ctx context.Context, client, receipt string) (string, error) {
	if !s.anonRL.allow(client) {
		return "", shieldwall.Errorf(shieldwall.ERATELIMITED, "Too many attempts from here. Please wait a few minutes and try again.")
	}
	norm, ok := normaliseReceipt(receipt)
	if !ok {
		auth.CheckNoPassword(receipt)
		s.anonRL.count(client)
		return "", errNoReceipt
	}
	cands, err := s.store.ReceiptCandidates(ctx, selectorHash(norm))
	if err != nil {
		return "", err
	}
	for _, c := range cands {
		if ok, err := auth.CheckPassword(c.Verifier, norm); err == nil && ok {
			return c.ReportID, nil
		}
	}
	if len(cands) == 0 {
		auth.CheckNoPassword(norm)
	}
	s.anonRL.count(client)
	return "", errNoReceipt
}

// LookupAnonymous returns the report a receipt opens.
func (s *Service) LookupAnonymous(ctx context.Context, client, receipt string) (AnonymousView, error) {
	id, err := s.resolveReceipt(ctx, client, receipt)
	if err != nil {
		return AnonymousView{}, err
	}
	return s.anonymousView(ctx, id)
}

// anonymousView is the receipt holder's view of report id.
func (s *Service) anonymousView(ctx context.Context, id string) (AnonymousView, error) {
	r, err := s.store.FindReport(ctx, id)
	if err != nil {
		return AnonymousView{}, errNoReceipt
	}
	v := AnonymousView{ID: r.ID, Kind: r.Kind, Title: r.Title, Status: r.Status, Resolution: r.Resolution,
		Messages: []AnonymousMessage{}, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, m := range r.Messages {
		author := "security"
		if m.Author == "reporter" {
			author = "you"
		}
		v.Messages = append(v.Messages, AnonymousMessage{ID: m.ID, Author: author, Body: m.Body, CreatedAt: m.CreatedAt})
	}
	return v, nil
}

// MessageAnonymous adds the receipt holder's message to their report.
func (s *Service) MessageAnonymous(ctx context.Context, client, receipt, body string) (AnonymousView, error) {
	body, err := cleanText("message", "The message", body, 1, MaxMessage)
	if err != nil {
		return AnonymousView{}, err
	}
	id, err := s.resolveReceipt(ctx, client, receipt)
	if err != nil {
		return AnonymousView{}, err
	}
	err = s.store.InTx(ctx, func(tx *store.Tx) error {
		r, err := tx.FindReport(ctx, id)
		if err != nil {
			return errNoReceipt
		}
		if err := tx.AddMessage(ctx, id, shieldwall.Message{ID: store.NewID(), Author: "reporter", Body: body, CreatedAt: tx.Now}); err != nil {
			return err
		}
		// A reporter's answer reopens a resolved report for the security team.
		if r.Status == shieldwall.StatusResolved || r.Status == shieldwall.StatusClosed {
			r.Status = shieldwall.StatusTriaging
		}
		r.UpdatedAt = tx.Now
		if err := tx.UpdateReport(ctx, &r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, shieldwall.Actor{}, "report.message", "report", id, "message from the anonymous reporter")
	})
	if err != nil {
		return AnonymousView{}, err
	}
	return s.anonymousView(ctx, id)
}

// anonLimiter limits anonymous attempts per client, keyed by an HMAC of
// the address under a key that lives only in this process's memory: no
// address is stored or logged, and a memory dump cannot list them either.
type anonLimiter struct {
	key []byte
	l   *auth.Limiter
}

func newAnonLimiter() *anonLimiter {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return &anonLimiter{key: k, l: auth.NewLimiter(20, 10*time.Minute)}
}

func (a *anonLimiter) keyOf(client string) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(client))
	return string(m.Sum(nil))
}

// allow reports whether client may try now. New reports and wrong receipts
// count; looking up or answering with the right receipt does not, so a
// reporter in a conversation is never locked out.
func (a *anonLimiter) allow(client string) bool {
	ok, _ := a.l.Allowed(a.keyOf(client))
	return ok
}

// count records a new report or a wrong receipt.
func (a *anonLimiter) count(client string) { a.l.Fail(a.keyOf(client)) }
