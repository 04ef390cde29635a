package intake

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/mailtriage"
	"github.com/shieldwall/shieldwall/internal/store"
)

// emailTriage is everything learnt from a reported email before the
// transaction starts: parsing and scoring are pure and may be slow, so they
// never hold the writer.
type emailTriage struct {
	msg          *mailtriage.Message
	indicators   []shieldwall.Indicator
	verdict      mailtriage.Verdict
	fingerprint  string
	signature    mailtriage.Signature
	original     []byte // gzip of the raw message
	originalSize int
	originalSHA  string
	subject      string
	senderDomain string
}

// triageEmail parses and scores a raw email. A message that cannot be parsed
// at all still becomes a report; it is just not triaged.
func (s *Service) triageEmail(ctx context.Context, raw []byte) *emailTriage {
	opts := s.triageOptions(ctx)
	t := &emailTriage{original: gzipBytes(raw), originalSize: len(raw), originalSHA: sha256Hex(raw)}
	m, err := mailtriage.Parse(raw, opts)
	if err != nil {
		return t
	}
	ind := mailtriage.Extract(m, opts)
	t.msg = m
	t.verdict = mailtriage.Score(m, ind, opts)
	t.fingerprint = mailtriage.Fingerprint(m, ind)
	t.signature = mailtriage.MinHash(mailtriage.Shingles(m))
	t.subject = mailText(m.Original.Subject)
	t.senderDomain = mailText(m.Original.From.Domain())
	t.indicators = flattenIndicators(m, ind)
	return t
}

// mailText makes text taken from a reported email storable: valid UTF-8
// without NUL bytes, which PostgreSQL refuses in text columns. Without it a
// malformed mail fails every retry instead of becoming a report.
func mailText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// flattenIndicators turns the triage lists into indicator rows.
func flattenIndicators(m *mailtriage.Message, ind mailtriage.Indicators) []shieldwall.Indicator {
	var out []shieldwall.Indicator
	add := func(typ, val, note string) {
		val, note = mailText(val), mailText(note)
		if val != "" && len(val) <= 2000 {
			out = append(out, shieldwall.Indicator{Type: typ, Value: val, Note: note})
		}
	}
	if a := m.Original.From.Address; a != "" {
		add("sender", a, m.Original.From.Name)
	}
	for _, r := range m.Original.ReplyTo {
		add("reply-to", r.Address, r.Name)
	}
	for _, u := range ind.URLs {
		add("url", u, "")
	}
	for _, d := range ind.Domains {
		add("domain", d.Name, d.Unicode)
	}
	for _, ip := range ind.IPs {
		add("ip", ip, "")
	}
	for _, e := range ind.Emails {
		add("email", e, "")
	}
	for _, a := range ind.Attachments {
		add("attachment-sha256", a.SHA256, a.Filename)
		add("attachment-name", a.Filename, a.DetectedType)
	}
	for _, lm := range ind.LinkMismatches {
		add("link-mismatch", lm.Href, "shown as "+lm.Text)
	}
	return out
}

// namesTTL is how long the list of colleagues' names is reused before it is
// read again: a new joiner is protected within minutes.
const namesTTL = 5 * time.Minute

// triageOptions returns the configured triage options with the names of
// the organisation's people, so a stranger borrowing one is noticed.
func (s *Service) triageOptions(ctx context.Context) mailtriage.Options {
	opts := s.cfg.Triage
	if len(opts.InternalNames) > 0 {
		return opts // configured explicitly (tests)
	}
	s.namesMu.Lock()
	defer s.namesMu.Unlock()
	if s.names == nil || time.Since(s.namesAt) > namesTTL {
		if names, err := s.store.ActiveUserNames(ctx); err == nil {
			s.names, s.namesAt = names, time.Now()
		}
	}
	opts.InternalNames = s.names
	return opts
}

// Thank-you and decision texts are written for the reporter, not the analyst.
const simulationThanks = "This was one of our own phishing tests — well spotted, and thank you for reporting it. Reporting is exactly the right thing to do."

// applyTriage fills in the verdict, indicators and campaign of a new email
// report inside the transaction.
func (s *Service) applyTriage(ctx context.Context, tx *store.Tx, r *shieldwall.Report, t *emailTriage) error {
	if t.msg == nil {
		return nil
	}
	r.Indicators = t.indicators
	r.VerdictLevel, r.VerdictScore = t.verdict.Level, t.verdict.Score
	for _, sg := range t.verdict.Signals {
		r.Signals = append(r.Signals, shieldwall.Signal{Code: sg.Code, Weight: sg.Weight, Reason: sg.Reason})
	}
	if t.msg.IsSimulation {
		// The organisation's own test: thank the reporter at once and spend
		// no analyst time on it.
		r.Simulation = true
		r.Status = shieldwall.StatusResolved
		r.Resolution = simulationThanks
		return nil
	}
	if t.fingerprint == "" {
		return nil
	}
	c, err := s.campaignFor(ctx, tx, t)
	if err != nil {
		return err
	}
	r.CampaignID = c.ID
	if c.Decision != "" {
		// The security team already decided this email: a late reporter
		// gets the same answer at once.
		r.Status, r.Resolution = shieldwall.StatusResolved, decisionAnswer(c.Decision, c.DecisionNote)
	}
	return tx.CountCampaignReport(ctx, c.ID)
}

// campaignFor finds the campaign of a reported email — the same exact
// fingerprint, or a near-duplicate body found through LSH band keys — or
// starts a new one.
func (s *Service) campaignFor(ctx context.Context, tx *store.Tx, t *emailTriage) (shieldwall.Campaign, error) {
	c, err := tx.CampaignByFingerprint(ctx, t.fingerprint)
	if err == nil {
		return c, nil
	} else if shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND {
		return c, err
	}
	var bands []string
	sigHex := ""
	if !t.signature.IsEmpty() {
		bands = mailtriage.BandKeys(t.signature)
		b, _ := t.signature.MarshalBinary()
		sigHex = hex.EncodeToString(b)
		cands, err := tx.CampaignCandidates(ctx, bands)
		if err != nil {
			return c, err
		}
		var best store.CampaignCandidate
		bestSim := 0.0
		for _, cand := range cands {
			raw, err := hex.DecodeString(cand.Signature)
			if err != nil {
				continue
			}
			var sig mailtriage.Signature
			if sig.UnmarshalBinary(raw) != nil {
				continue
			}
			if sim := mailtriage.Similarity(t.signature, sig); sim >= campaignThreshold && sim > bestSim {
				best, bestSim = cand, sim
			}
		}
		if best.ID != "" {
			return shieldwall.Campaign{ID: best.ID, Decision: best.Decision, DecisionNote: best.DecisionNote}, nil
		}
	}
	title := t.subject
	if title == "" {
		title = "(no subject)"
	}
	if len([]rune(title)) > MaxTitle {
		title = string([]rune(title)[:MaxTitle])
	}
	nc := shieldwall.Campaign{ID: store.NewID(), Title: title, SenderDomain: t.senderDomain,
		FirstReportedAt: tx.Now, LastReportedAt: tx.Now, CreatedAt: tx.Now}
	if err := tx.CreateCampaign(ctx, &nc, t.fingerprint, sigHex, bands); err != nil {
		return nc, fmt.Errorf("intake: new campaign: %w", err)
	}
	return nc, nil
}
