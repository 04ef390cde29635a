// Package mailtriage turns a reported email into facts a security analyst can
// act on: the suspicious original (also when it arrives forwarded as an
// attachment or inline), its indicators, a scored verdict with reasons, and
// the keys that group reports of one campaign.
//
// Everything here is pure: plain values in, plain values out, no database,
// network or clock. The intake service stores what these functions return.
// Nothing in an attachment is ever decompressed, rendered or executed; an
// attachment is only measured, sniffed and hashed.
//
// The report is already in memory (the SMTP listener and the upload form
// cap its size), so the MIME structure is cut out of the raw bytes in place
// rather than streamed: that is what lets a broken boundary or a malformed
// header line be read around instead of ending the parse, and what keeps
// triage well above 5,000 mails a second on one core. Charsets are decoded
// with go-message's charset tables, HTML is tokenised with x/net/html, and
// domains are judged with x/net's IDNA and public suffix packages.
package mailtriage

import (
	"errors"
	"time"
)

// Errors returned by Parse. Everything else about bad input is a warning on
// the Message, because a report must be triaged as well as it can be rather
// than refused.
var (
	ErrEmpty          = errors.New("mailtriage: the message is empty")
	ErrTooLarge       = errors.New("mailtriage: the message is larger than the size limit")
	ErrHeaderTooLarge = errors.New("mailtriage: the message header is larger than the header limit")
	ErrNotMessage     = errors.New("mailtriage: the input does not start with an email header")
)

// Default limits; a zero field in Options takes these.
const (
	DefaultMaxBytes       = 25 << 20
	DefaultMaxHeaderBytes = 256 << 10
	DefaultMaxParts       = 100
	DefaultMaxDepth       = 5
	DefaultMaxTextBytes   = 1 << 20
	DefaultMaxIndicators  = 100
)

// Options configures parsing and scoring. The zero value is usable: limits
// take their defaults and organisation-specific checks are skipped.
type Options struct {
	MaxBytes       int // whole message
	MaxHeaderBytes int // one header block (the message's or an attached message's)
	MaxParts       int // MIME parts visited, across all nesting levels
	MaxDepth       int // nesting of attached messages (a forward of a forward …)
	MaxTextBytes   int // decoded text or HTML body kept per message
	MaxIndicators  int // entries kept per indicator list

	// OwnDomains are the organisation's own domains (example.com); their
	// subdomains count as own too.
	OwnDomains []string
	// InternalNames are the display names of the organisation's people
	// ("Jane Doe"), for spotting a stranger who borrows one.
	InternalNames []string
	// SimulationHeaders name headers that mark the organisation's own
	// phishing tests: "X-Sim" matches when present, "X-Sim: value" only
	// when the value matches too (case-insensitively).
	SimulationHeaders []string
	// SimulationDomains are sender domains of the phishing-test service.
	SimulationDomains []string
	// TrustedAuthServIDs are the authserv-ids of the organisation's own mail
	// gateways. When set, only Authentication-Results headers they added are
	// believed; when empty, only the topmost one is, since a sender can
	// write fake ones below it.
	TrustedAuthServIDs []string
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxHeaderBytes <= 0 {
		o.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if o.MaxParts <= 0 {
		o.MaxParts = DefaultMaxParts
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.MaxTextBytes <= 0 {
		o.MaxTextBytes = DefaultMaxTextBytes
	}
	if o.MaxIndicators <= 0 {
		o.MaxIndicators = DefaultMaxIndicators
	}
	return o
}

// ForwardKind says how the reported original reached the mailbox.
type ForwardKind string

// Forward kinds.
const (
	ForwardNone       ForwardKind = ""           // the message itself is the suspect
	ForwardAttachment ForwardKind = "attachment" // original attached as message/rfc822
	ForwardInline     ForwardKind = "inline"     // original quoted in the body
)

// Address is a mailbox: the address proper, lower-cased domain, and the
// display name as shown to the recipient.
type Address struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

// Domain returns the lower-cased part after the last @, or "".
func (a Address) Domain() string {
	return domainOf(a.Address)
}

// Header is one header field, decoded to UTF-8.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Original is the message that was reported as suspicious.
type Original struct {
	From       Address   `json:"from"`
	ReplyTo    []Address `json:"reply_to,omitempty"`
	ReturnPath string    `json:"return_path,omitempty"`
	To         []Address `json:"to,omitempty"`
	Subject    string    `json:"subject"`
	Date       time.Time `json:"date,omitzero"`
	MessageID  string    `json:"message_id,omitempty"`
	// Headers holds the fields that matter for triage (authentication
	// results, Received, mailer, simulation markers) in message order.
	Headers []Header `json:"headers,omitempty"`
	// TextBody is the text/plain body, or the visible text of HTMLBody when
	// the message has no text part.
	TextBody string `json:"text_body,omitempty"`
	HTMLBody string `json:"html_body,omitempty"`
}

// Attachment describes a file in the original message. Only its metadata
// and hash are kept; it is never opened.
type Attachment struct {
	Filename     string `json:"filename,omitempty"`
	ContentType  string `json:"content_type"`  // as declared by the sender
	DetectedType string `json:"detected_type"` // as sniffed from the first bytes
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256"`
}

// Message is a parsed report.
type Message struct {
	// Reporter is who forwarded the original; empty when the message was not
	// a forward, because then the From is the suspect and not a colleague
	// (the caller may fall back to the SMTP envelope sender).
	Reporter Address     `json:"reporter"`
	Forward  ForwardKind `json:"forward,omitempty"`
	// Note is what the reporter wrote around the forward, if anything.
	Note        string       `json:"note,omitempty"`
	Original    Original     `json:"original"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// Warnings say where the input was broken and how it was read anyway.
	Warnings         []string `json:"warnings,omitempty"`
	IsSimulation     bool     `json:"is_simulation"`
	SimulationReason string   `json:"simulation_reason,omitempty"`
}

// header returns the first value of the selected header name, case-insensitively.
func (o *Original) header(name string) string {
	for _, h := range o.Headers {
		if equalFoldASCII(h.Name, name) {
			return h.Value
		}
	}
	return ""
}
