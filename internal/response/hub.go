package response

import (
	"sync"

	"github.com/shieldwall/shieldwall"
)

// Hub fans new timeline entries out to the open event streams of a case in
// this process. Entries are published only after their transaction
// commits, so a stream never shows what was rolled back.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[*Subscription]struct{} // by case id
}

// Subscription is one open stream of one case for one person.
type Subscription struct {
	// C delivers entries; it is closed when the stream must end (the
	// person lost access, or the hub dropped a stream that fell behind).
	C      chan shieldwall.TimelineEntry
	caseID string
	userID string
	once   sync.Once
}

// subscriptionBuffer is how many entries a slow stream may fall behind
// before it is closed; the browser reconnects and reloads what it missed.
const subscriptionBuffer = 64

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[string]map[*Subscription]struct{}{}} }

// subscribe opens a stream; the caller has checked access.
func (h *Hub) subscribe(caseID, userID string) *Subscription {
	sub := &Subscription{C: make(chan shieldwall.TimelineEntry, subscriptionBuffer), caseID: caseID, userID: userID}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[caseID] == nil {
		h.subs[caseID] = map[*Subscription]struct{}{}
	}
	h.subs[caseID][sub] = struct{}{}
	return sub
}

// Unsubscribe closes a stream; it is safe to call more than once.
func (h *Hub) Unsubscribe(sub *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(sub)
}

func (h *Hub) drop(sub *Subscription) {
	if set := h.subs[sub.caseID]; set != nil {
		delete(set, sub)
		if len(set) == 0 {
			delete(h.subs, sub.caseID)
		}
	}
	sub.once.Do(func() { close(sub.C) })
}

// publish sends entries to every stream of their case without waiting: a
// stream whose buffer is full is closed rather than slowing the others.
func (h *Hub) publish(entries []shieldwall.TimelineEntry) {
	if len(entries) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range entries {
		for sub := range h.subs[e.CaseID] {
			select {
			case sub.C <- e:
			default:
				h.drop(sub)
			}
		}
	}
}

// kick closes the streams of a case, all of them when userID is empty;
// their owners must ask again and are checked again.
func (h *Hub) kick(caseID, userID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs[caseID] {
		if userID == "" || sub.userID == userID {
			h.drop(sub)
		}
	}
}

// Streams returns how many streams are open, for tests and metrics.
func (h *Hub) Streams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, set := range h.subs {
		n += len(set)
	}
	return n
}

// CloseAll ends every open stream, so that a server shutting down does not
// wait for browsers that would keep them open forever.
func (h *Hub) CloseAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for sub := range set {
			h.drop(sub)
		}
	}
}
