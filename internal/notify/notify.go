// Package notify tells people what happened to the things they care about.
// This first slice is the in-app channel: services write notifications in
// their own transactions (store.Tx.AddNotification); this package lists
// them for their person and marks them read or acknowledged.
package notify

import (
	"context"

	"github.com/shieldwall/shieldwall"
	"github.com/shieldwall/shieldwall/internal/policy"
	"github.com/shieldwall/shieldwall/internal/store"
)

// Service reads and marks the signed-in person's notifications.
type Service struct {
	store *store.Store
}

// New returns the notification service.
func New(st *store.Store) *Service { return &Service{store: st} }

// List returns the actor's own notifications, newest first, with how many
// match in all and how many are unread.
func (s *Service) List(ctx context.Context, actor shieldwall.Actor, f shieldwall.NotificationFilter) ([]shieldwall.Notification, int, int, error) {
	if err := policy.Authorize(actor, policy.NotificationList, nil); err != nil {
		return nil, 0, 0, err
	}
	if actor.UserID == "" {
		return []shieldwall.Notification{}, 0, 0, nil // the operator at the command line has no inbox
	}
	return s.store.ListNotifications(ctx, actor.UserID, f)
}

// Unread counts the actor's unread notifications, for the bell. Nobody
// signed in has none.
func (s *Service) Unread(ctx context.Context, actor shieldwall.Actor) (int, error) {
	if actor.UserID == "" || !policy.Can(actor, policy.NotificationList, nil) {
		return 0, nil
	}
	return s.store.UnreadNotifications(ctx, actor.UserID)
}

// MarkRead marks one of the actor's notifications read; ack acknowledges it
// as well. Someone else's notification is "not found", like a missing one.
func (s *Service) MarkRead(ctx context.Context, actor shieldwall.Actor, id string, ack bool) (shieldwall.Notification, error) {
	if err := policy.Authorize(actor, policy.NotificationAck, nil); err != nil {
		return shieldwall.Notification{}, err
	}
	var n shieldwall.Notification
	err := s.store.InTx(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.MarkNotificationRead(ctx, actor.UserID, id, ack)
		return err
	})
	return n, err
}

// Get returns one of the actor's notifications without changing it.
func (s *Service) Get(ctx context.Context, actor shieldwall.Actor, id string) (shieldwall.Notification, error) {
	if err := policy.Authorize(actor, policy.NotificationList, nil); err != nil {
		return shieldwall.Notification{}, err
	}
	return s.store.FindNotification(ctx, actor.UserID, id)
}
