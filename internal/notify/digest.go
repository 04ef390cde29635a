package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/store"
)

// DigestHour is the local hour from which a period's digest goes out: it
// should wait in the inbox in the morning, not arrive at midnight.
const DigestHour = 7

// DigestPeriod returns the latest digest period that is due at now in
// zone: for daily, the day before (local midnight to midnight), keyed
// "2026-11-26", due from DigestHour the next morning; for weekly, the ISO
// week before (Monday to Monday), keyed "2026-W48", due from DigestHour on
// Monday. ok is false for no digest or an unknown zone.
func DigestPeriod(d shieldwall.Digest, zone string, now time.Time) (key string, from, to time.Time, ok bool) {
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" || zone == "Local" {
		return "", time.Time{}, time.Time{}, false
	}
	// Until DigestHour, the period that just ended is not yet due.
	local := now.In(loc).Add(-DigestHour * time.Hour)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	switch d {
	case shieldwall.DigestDaily:
		start := midnight.AddDate(0, 0, -1)
		return start.Format("2006-01-02"), start.UTC(), midnight.UTC(), true
	case shieldwall.DigestWeekly:
		back := (int(midnight.Weekday()) + 6) % 7 // days since Monday
		monday := midnight.AddDate(0, 0, -back)
		start := monday.AddDate(0, 0, -7)
		y, w := start.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w), start.UTC(), monday.UTC(), true
	}
	return "", time.Time{}, time.Time{}, false
}

// digestShown is how many notifications of one urgency a digest lists by name.
const digestShown = 10

// digestBody sums up items, what to do first first: critical, then normal, then low.
func digestBody(items []shieldwall.Notification) string {
	groups := []struct {
		u     shieldwall.Urgency
		title string
	}{{shieldwall.UrgencyCritical, "Act now"}, {shieldwall.UrgencyNormal, "To look at"}, {shieldwall.UrgencyLow, "For your information"}}
	var b strings.Builder
	for _, g := range groups {
		var in []shieldwall.Notification
		for _, n := range items {
			if n.Urgency == g.u {
				in = append(in, n)
			}
		}
		if len(in) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s (%d):\n", g.title, len(in))
		for i, n := range in {
			if i == digestShown {
				fmt.Fprintf(&b, "- and %d more\n", len(in)-digestShown)
				break
			}
			b.WriteString("- " + n.Title)
			if n.More > 0 {
				fmt.Fprintf(&b, " (+%d more like it)", n.More)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// Digests writes the digest of every person whose period has ended, once
// per person and period however many workers run; a period with nothing to
// say sends nothing. It returns how many digests it wrote.
func (w *Worker) Digests(ctx context.Context) (int, error) {
	now := w.cfg.Now()
	subs, err := w.st.DigestSubscribers(ctx)
	if err != nil {
		return 0, err
	}
	done, err := w.st.DigestsDone(ctx, now.Add(-15*24*time.Hour))
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, s := range subs {
		key, from, to, ok := DigestPeriod(s.Digest, s.TimeZone, now)
		if !ok || done[s.UserID+"/"+key] {
			continue
		}
		err := w.st.InTx(ctx, func(tx *store.Tx) error {
			claimed, err := tx.ClaimDigest(ctx, s.UserID, key)
			if err != nil || !claimed {
				return err
			}
			items, err := tx.DigestItems(ctx, s.UserID, from, to)
			if err != nil || len(items) == 0 {
				return err // nothing to say: the claim alone is kept, so the period is not looked at again
			}
			label := "daily"
			if s.Digest == shieldwall.DigestWeekly {
				label = "weekly"
			}
			n := shieldwall.Notification{UserID: s.UserID, Title: fmt.Sprintf("Your %s digest: %d unread", label, len(items)),
				Body: digestBody(items), Link: "/notifications", ObjectType: "digest", ObjectID: key}
			if err := tx.AddDigest(ctx, &n); err != nil {
				return err
			}
			sent++
			return nil
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
