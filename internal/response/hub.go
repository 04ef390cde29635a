package response

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/shieldwall/shieldwall"
)

// Hub fans new timeline entries out to the open event streams of a case in
// this process. Entries are published only after their transaction
// commits, so a stream never shows what was rolled back.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[*Subscription]struct{} // by case id
	// local remembers the entries this process published in the last
	// minute, so that their announcement coming back from PostgreSQL
	// is not delivered twice.
	local map[string]time.Time
}

// localMemory is how long a published entry is remembered as local.
const localMemory = time.Minute

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
func NewHub() *Hub {
	return &Hub{subs: map[string]map[*Subscription]struct{}{}, local: map[string]time.Time{}}
}

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
	now := time.Now()
	for id, at := range h.local {
		if now.Sub(at) > localMemory {
			delete(h.local, id)
		}
	}
	for _, e := range entries {
		h.local[e.ID] = now
		for sub := range h.subs[e.CaseID] {
			select {
			case sub.C <- e:
			default:
				h.drop(sub)
			}
		}
	}
}

// remember marks entries as this process's own, to be published here.
func (h *Hub) remember(entries []shieldwall.TimelineEntry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	for _, e := range entries {
		h.local[e.ID] = now
	}
}

// seen reports whether this process already published the entry.
func (h *Hub) seen(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.local[id]
	return ok
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

// Listen delivers timeline entries written by other replicas to this
// process's streams, until ctx ends; with SQLite, where one process owns
// the database, it returns at once. A lost connection is retried.
func (s *Service) Listen(ctx context.Context, ready func(), report func(error)) {
	if !s.store.SharesTimeline() {
		if ready != nil {
			ready()
		}
		return
	}
	wait := time.Second
	for ctx.Err() == nil {
		listening := func() {
			wait = time.Second
			if ready != nil {
				ready()
			}
		}
		err := s.store.ListenTimeline(ctx, listening, func(id string) {
			if kick, ok := strings.CutPrefix(id, "kick "); ok {
				caseID, userID, _ := strings.Cut(kick, " ")
				s.hub.kick(caseID, userID)
				return
			}
			if s.hub.seen(id) {
				return
			}
			if e, err := s.store.TimelineEntry(ctx, id); err == nil {
				s.hub.publish([]shieldwall.TimelineEntry{e})
			}
		})
		ready = nil
		if ctx.Err() != nil {
			return
		}
		// What was announced while nobody listened is lost, removals
		// included: every stream here ends, so browsers reconnect, are
		// checked again and reload what they missed.
		s.hub.CloseAll()
		if err != nil && report != nil {
			report(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}
