package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/delivery"
	"github.com/shieldwall/shieldwall/internal/store"
)

// EscalationHook is told of every escalation step inside the step's
// transaction (the lead uses it to write the case timeline); an error
// undoes the step, which is then tried again.
type EscalationHook func(ctx context.Context, tx *store.Tx, n shieldwall.Notification, step int, to string) error

// WorkerConfig tunes the delivery worker. Zero fields take sensible defaults.
type WorkerConfig struct {
	Policy      delivery.Policy // retry budget and backoff
	Lease       time.Duration   // how long a claimed delivery is this worker's; default 2 minutes, longer than any send
	Batch       int             // deliveries claimed at once; default 100
	Concurrency int             // sends in flight at once; default 16
	Poll        time.Duration   // how often to look for due work without a wake-up; default 1s
	HTTP        *http.Client    // default: 10 s timeout, redirects not followed
	Mailer      Mailer          // nil: email deliveries are skipped, visibly
	BaseURL     string          // absolute address of this server, for links in messages
	Now         func() time.Time
	Log         *slog.Logger
	OnEscalate  EscalationHook
	DigestEvery time.Duration // how often to look for digests that are due; default 1 minute
	Loops       int           // claim-and-send loops side by side; default 2
}

// Worker delivers the outbox: it claims due deliveries with a lease, sends
// them, records the outcome, and runs the escalation timers. Any number of
// workers may run against one database.
type Worker struct {
	st   *store.Store
	cfg  WorkerConfig
	acks *AckLinks
}

// NewWorker returns a worker over st.
func NewWorker(st *store.Store, cfg WorkerConfig) *Worker {
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 250
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 32
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{
			Timeout: 10 * time.Second,
			// A redirect is answered as a failure: following it would let a
			// receiver point our worker at another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Transport:     &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second},
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Loops <= 0 {
		cfg.Loops = 2
	}
	if cfg.DigestEvery <= 0 {
		cfg.DigestEvery = time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Worker{st: st, cfg: cfg, acks: NewAckLinks(st)}
}

// Run works until ctx ends, then returns once the sends in flight are
// recorded. A delivery whose outcome could not be recorded (a kill -9) is
// sent again when its lease expires: delivery is at least once.
func (w *Worker) Run(ctx context.Context) error {
	// Several loops claim and send side by side, so that one batch's
	// bookkeeping overlaps the next one's sending; only one runs the timers.
	var wg sync.WaitGroup
	for range w.cfg.Loops - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx, false)
		}()
	}
	w.loop(ctx, true)
	wg.Wait()
	return nil
}

// loop delivers until ctx ends; with timers it also runs escalations and digests.
func (w *Worker) loop(ctx context.Context, timers bool) {
	tick := time.NewTicker(w.cfg.Poll)
	defer tick.Stop()
	var lastDigest time.Time
	for {
		if now := time.Now(); timers && now.Sub(lastDigest) >= w.cfg.DigestEvery {
			lastDigest = now
			if _, err := w.Digests(ctx); err != nil && ctx.Err() == nil {
				w.cfg.Log.Warn("outbox: digests", "err", err)
			}
		}
		n, err := w.RunOnce(context.WithoutCancel(ctx))
		if err != nil {
			w.cfg.Log.Warn("outbox: deliver", "err", err)
		}
		if timers {
			if _, err := w.Escalate(ctx); err != nil && ctx.Err() == nil {
				w.cfg.Log.Warn("outbox: escalate", "err", err)
			}
		}
		if n == w.cfg.Batch && err == nil && ctx.Err() == nil {
			continue // there may be more due right now
		}
		select {
		case <-ctx.Done():
			return
		case <-w.st.DeliveryQueued():
		case <-tick.C:
		}
	}
}

// RunOnce claims one batch of due deliveries, sends them and records the
// outcomes together. It returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	jobs, err := w.st.ClaimDeliveries(ctx, w.cfg.Now(), w.cfg.Lease, w.cfg.Batch)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	outcomes := make([]store.DeliveryOutcome, len(jobs))
	gone := make([]string, len(jobs)) // the 410 reason, for webhooks to switch off
	expired := make([]bool, len(jobs))
	sem := make(chan struct{}, w.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, j := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			// A job whose lease ran out while it waited for a free sender may
			// already be another worker's: sending it too would be a needless
			// duplicate. It is left for whoever claims it next.
			if !w.cfg.Now().Before(j.LeaseUntil) {
				expired[i] = true
				return
			}
			outcomes[i], gone[i] = w.attempt(ctx, j)
		}()
	}
	wg.Wait()
	var sent []store.DeliveryJob
	var sentOutcomes []store.DeliveryOutcome
	for i, j := range jobs {
		if !expired[i] {
			sent, sentOutcomes = append(sent, j), append(sentOutcomes, outcomes[i])
		}
	}
	if skipped := len(jobs) - len(sent); skipped > 0 {
		w.cfg.Log.Warn("outbox: leases ran out before sending; raise --delivery-lease or lower the batch", "count", skipped)
	}
	lost, err := w.st.RecordDeliveries(ctx, sent, sentOutcomes, w.cfg.Now())
	if err != nil {
		return len(jobs), err
	}
	if lost > 0 {
		// Another worker took these over after our lease ran out; its record stands.
		w.cfg.Log.Warn("outbox: leases lost during a batch; raise --delivery-lease", "count", lost)
	}
	var errs []error
	for i, j := range jobs {
		if gone[i] != "" {
			errs = append(errs, w.disableWebhook(ctx, j, gone[i]))
		}
	}
	return len(jobs), errors.Join(errs...)
}

// attempt sends one job and decides what comes of it; gone is set when the
// receiver answered 410 and its webhook must be switched off.
func (w *Worker) attempt(ctx context.Context, j store.DeliveryJob) (o store.DeliveryOutcome, gone string) {
	var status int
	var retryAfter time.Duration
	var sendErr error
	switch {
	case j.Channel == shieldwall.ChannelWebhook:
		status, retryAfter, sendErr = w.postWebhook(ctx, j)
	case !j.Active:
		// A leaver's mail queued before they left is not sent.
		return store.DeliveryOutcome{Status: shieldwall.DeliverySkipped, LastError: "the person is no longer active"}, ""
	case w.cfg.Mailer == nil:
		return store.DeliveryOutcome{Status: shieldwall.DeliverySkipped, LastError: "no outgoing mail server is configured (serve --smtp-out-host)"}, ""
	default:
		status, sendErr = w.sendEmail(ctx, j)
	}
	now := w.cfg.Now()
	first := now
	if j.FirstTryAt != nil {
		first = *j.FirstTryAt
	}
	d := delivery.Next(delivery.Attempt{Number: j.Attempts, FirstTry: first, Now: now, Status: status, RetryAfter: retryAfter}, w.cfg.Policy)
	o = store.DeliveryOutcome{LastStatus: status, LastError: d.Reason}
	if sendErr != nil {
		o.LastError = sendErr.Error()
	}
	switch d.Action {
	case delivery.Done:
		o.Status, o.LastError = shieldwall.DeliveryDelivered, ""
	case delivery.Retry:
		o.Status, o.NextAt = shieldwall.DeliveryPending, d.At
	case delivery.DeadLetter:
		o.Status = shieldwall.DeliveryDead
		if sendErr != nil {
			o.LastError = d.Reason + ": " + sendErr.Error()
		}
	case delivery.Disable:
		o.Status, gone = shieldwall.DeliveryDead, d.Reason
	}
	if o.Status != shieldwall.DeliveryDelivered {
		w.cfg.Log.Debug("outbox: attempt failed", "delivery", j.ID, "channel", j.Channel, "attempt", j.Attempts, "action", d.Action.String(), "reason", o.LastError)
	}
	return o, gone
}

// disableWebhook switches off a webhook whose receiver said 410 Gone and
// tells every administrator, in one audited transaction.
func (w *Worker) disableWebhook(ctx context.Context, j store.DeliveryJob, reason string) error {
	return w.st.InTx(ctx, func(tx *store.Tx) error {
		disabled, admins, err := tx.DisableWebhook(ctx, j.WebhookID, reason)
		if err != nil || !disabled {
			return err
		}
		if err := tx.AppendAudit(ctx, shieldwall.Actor{System: true, Name: "delivery"}, "webhook.disable", "webhook", j.WebhookID,
			"receiver "+j.WebhookURL+" answered "+reason); err != nil {
			return err
		}
		for _, uid := range admins {
			if err := tx.AddNotification(ctx, &shieldwall.Notification{UserID: uid, Urgency: shieldwall.UrgencyNormal, Kind: shieldwall.NotifyWebhookDisabled,
				Title: "A webhook was switched off", Body: "The receiver at " + j.WebhookURL + " answered " + reason + ", so nothing more is sent to it. Its waiting messages are in the dead letters.",
				Link: "/admin/webhooks", ObjectType: "webhook", ObjectID: j.WebhookID}); err != nil {
				return err
			}
		}
		return nil
	})
}

// MessageID is the stable id a receiver sees on every attempt of a delivery.
func MessageID(deliveryID string) string { return "msg_" + strings.ReplaceAll(deliveryID, "-", "") }

// webhookPayload is the generic JSON body, in the shape the Standard
// Webhooks convention suggests: type, timestamp, data.
type webhookPayload struct {
	Type      string      `json:"type"`
	Timestamp time.Time   `json:"timestamp"`
	Data      webhookData `json:"data"`
}

type webhookData struct {
	ID         string             `json:"id"`
	UserID     string             `json:"user_id"`
	Email      string             `json:"email"`
	Urgency    shieldwall.Urgency `json:"urgency"`
	Kind       string             `json:"kind"`
	Title      string             `json:"title"`
	Body       string             `json:"body"`
	URL        string             `json:"url"`
	ObjectType string             `json:"object_type"`
	ObjectID   string             `json:"object_id"`
	More       int                `json:"more"` // like events collapsed into this one
	CreatedAt  time.Time          `json:"created_at"`
}

// moreText says how many like events a notification stands for.
func moreText(n shieldwall.Notification) string {
	switch {
	case n.More == 1:
		return "1 more like this."
	case n.More > 1:
		return fmt.Sprintf("%d more like this.", n.More)
	}
	return ""
}

// WebhookBody renders the body a webhook of format f receives for n.
func WebhookBody(f shieldwall.WebhookFormat, n shieldwall.Notification, email, link string) ([]byte, error) {
	switch f {
	case shieldwall.WebhookSlack, shieldwall.WebhookTeams:
		// Both accept the simplest incoming-webhook message, {"text": …}.
		var b strings.Builder
		if n.Urgency == shieldwall.UrgencyCritical {
			b.WriteString("🚨 CRITICAL: ")
		}
		b.WriteString(n.Title)
		if n.Body != "" {
			b.WriteString("\n" + n.Body)
		}
		if m := moreText(n); m != "" {
			b.WriteString("\n" + m)
		}
		if link != "" {
			b.WriteString("\n" + link)
		}
		return json.Marshal(map[string]string{"text": b.String()})
	}
	return json.Marshal(webhookPayload{Type: n.Kind, Timestamp: n.CreatedAt, Data: webhookData{
		ID: n.ID, UserID: n.UserID, Email: email, Urgency: n.Urgency, Kind: n.Kind, Title: n.Title, Body: n.Body,
		URL: link, ObjectType: n.ObjectType, ObjectID: n.ObjectID, More: n.More, CreatedAt: n.CreatedAt}})
}

// postWebhook sends one webhook message: the status is 0 when no answer came.
func (w *Worker) postWebhook(ctx context.Context, j store.DeliveryJob) (status int, retryAfter time.Duration, err error) {
	body, err := WebhookBody(j.WebhookFormat, j.Notification, j.Email, w.link(j.Notification.Link))
	if err != nil {
		return 0, 0, err
	}
	headers, err := delivery.Sign(j.WebhookSecret, MessageID(j.ID), w.cfg.Now(), body)
	if err != nil {
		return 0, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	for k, v := range headers {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Shieldwall-Webhooks/1")
	resp, err := w.cfg.HTTP.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	if d, ok := delivery.RetryAfter(resp.Header, w.cfg.Now()); ok {
		retryAfter = d
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, retryAfter, fmt.Errorf("%s", resp.Status)
	}
	return resp.StatusCode, retryAfter, nil
}

// link makes a local path absolute for messages read outside Shieldwall.
func (w *Worker) link(path string) string {
	if path == "" || w.cfg.BaseURL == "" {
		return path
	}
	return w.cfg.BaseURL + path
}

// Escalate takes every due escalation step. Each step is one transaction
// that moves the timer on only if nobody did meanwhile, so a restart or a
// second replica takes each step exactly once.
func (w *Worker) Escalate(ctx context.Context) (int, error) {
	due, err := w.st.DueEscalations(ctx, w.cfg.Now(), 100)
	if err != nil {
		return 0, err
	}
	steps := 0
	var errs []error
	system := shieldwall.Actor{System: true, Name: "escalation"}
	for _, e := range due {
		took := false
		err := w.st.InTx(ctx, func(tx *store.Tx) error {
			took = false
			for {
				root, ok, err := tx.AdvanceEscalation(ctx, e)
				if err != nil {
					return err
				}
				if !ok {
					return tx.AppendAudit(ctx, system, "notification.escalation_end", "notification", e.ID, "nobody acknowledged; the chain has ended")
				}
				to := e.Chain[e.Step]
				// Someone who left or was deleted cannot be reached: the
				// chain goes on to the next person at once rather than stall.
				u, err := tx.FindUser(ctx, to)
				if err != nil && shieldwall.ErrorCode(err) != shieldwall.ENOTFOUND {
					return err
				}
				if err != nil || !u.Active {
					if err := tx.AppendAudit(ctx, system, "notification.escalate", "notification", e.ID,
						fmt.Sprintf("step %d skipped: %s cannot be reached (no longer active)", e.Step+1, to)); err != nil {
						return err
					}
					e.Step++
					continue
				}
				n := root
				n.ID, n.UserID, n.CreatedAt, n.ReadAt, n.AckedAt, n.More = "", to, time.Time{}, nil, nil, 0
				if err := tx.AddEscalatedNotification(ctx, e.ID, &n); err != nil {
					return err
				}
				if err := tx.AppendAudit(ctx, system, "notification.escalate", "notification", e.ID,
					fmt.Sprintf("not acknowledged: step %d sent to %s", e.Step+1, u.Email)); err != nil {
					return err
				}
				if w.cfg.OnEscalate != nil {
					if err := w.cfg.OnEscalate(ctx, tx, n, e.Step+1, to); err != nil {
						return err
					}
				}
				took = true
				return nil
			}
		})
		switch {
		case errors.Is(err, store.ErrEscalationMoved):
		case err != nil:
			// One failing escalation (its hook, say) must not hold up the others.
			errs = append(errs, fmt.Errorf("escalation %s: %w", e.ID, err))
		case took:
			steps++
		}
	}
	return steps, errors.Join(errs...)
}
