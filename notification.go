package shieldwall

import "time"

// Urgency says how soon a notification must reach its person.
type Urgency string

// The urgencies, most pressing first.
const (
	UrgencyCritical Urgency = "critical"
	UrgencyNormal   Urgency = "normal"
	UrgencyLow      Urgency = "low"
)

// Rank orders urgencies: critical 3, normal 2, low 1, anything else 0.
func (u Urgency) Rank() int {
	switch u {
	case UrgencyCritical:
		return 3
	case UrgencyNormal:
		return 2
	case UrgencyLow:
		return 1
	}
	return 0
}

// Valid reports whether u is an urgency.
func (u Urgency) Valid() bool {
	return u == UrgencyCritical || u == UrgencyNormal || u == UrgencyLow
}

// The notification kinds written so far.
const (
	NotifyReportAnswered  = "report.answered"  // security changed the answer on the reporter's report
	NotifyReportMessage   = "report.message"   // someone wrote on a report the person follows
	NotifyCampaignDecided = "campaign.decided" // security decided the campaign the person's report belongs to
	NotifyReportNew       = "report.new"       // a colleague in the champion's department reported something
	NotifyCampaignGrew    = "campaign.report"  // another report joined a campaign the security team must decide
	NotifyCaseEngaged     = "case.engaged"     // a case engaged the person in a role
	NotifyCaseAdded       = "case.participant" // someone added the person to a case
	NotifyActionItem      = "action_item.assigned"
	NotifyClockEscalated  = "case.clock"       // a regulatory clock nears or passed its end
	NotifyTaskDue         = "case.task_due"    // a case task fell due and is not done
	NotifyWebhookDisabled = "webhook.disabled" // a webhook receiver answered 410 Gone and was switched off
	NotifyDigest          = "digest"           // a daily or weekly summary of what did not go out at once
)

// Notification tells one person that something they care about happened.
// It is written in the same transaction as the change that caused it.
type Notification struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Urgency    Urgency    `json:"urgency"`
	Kind       string     `json:"kind"`
	Title      string     `json:"title"`
	Body       string     `json:"body"`
	Link       string     `json:"link"` // a local path, such as /reports/{id}
	ObjectType string     `json:"object_type"`
	ObjectID   string     `json:"object_id"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at"`
	AckedAt    *time.Time `json:"acked_at"`
	// More counts like events collapsed into this notification since it was
	// written ("12 more people reported this campaign").
	More int `json:"more"`

	// CollapseWithin, when set on a notification being written, folds it
	// into an unread one of the same person, kind and object written within
	// that window: the existing one counts one more, and no new message
	// goes out, so a phishing wave is one message, not fifty. Critical
	// notifications never collapse.
	CollapseWithin time.Duration `json:"-"`

	// EscalateTo is an ordered chain of user ids: when a critical
	// notification is not acknowledged within EscalateAfter, the same
	// notification goes to the next person, step by step, until someone
	// acknowledges it. Both are read only when the notification is written.
	EscalateTo    []string      `json:"-"`
	EscalateAfter time.Duration `json:"-"`
}

// Unread reports whether the person has not read n yet.
func (n Notification) Unread() bool { return n.ReadAt == nil }

// NotificationFilter narrows one person's list of notifications.
type NotificationFilter struct {
	UnreadOnly bool
	Page
}
