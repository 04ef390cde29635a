package store

import (
	"context"
	"fmt"
	"sync"
)

// Batcher commits many small changes in one transaction (group commit), so
// that a busy intake pays for one durable commit per batch instead of one
// per change. When a change fails, the batch is rolled back and each change
// runs again in a transaction of its own: the faulty one fails alone, the
// others commit. A change may therefore run twice and must not depend on
// state its first run left behind outside the database.
// Do returns only after the change is durable.
type Batcher struct {
	s     *Store
	max   int
	queue chan *batchItem
	stop  chan struct{}
	done  sync.WaitGroup

	mu     sync.RWMutex
	closed bool
}

type batchItem struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *Tx) error
	errc chan error
}

// NewBatcher starts a batcher that commits up to max changes at a time.
func (s *Store) NewBatcher(max int) *Batcher {
	b := &Batcher{s: s, max: max, queue: make(chan *batchItem, max*4), stop: make(chan struct{})}
	b.done.Add(1)
	go b.loop()
	return b
}

// Do runs fn in the next batch and waits until the batch is committed. fn
// gets a context that is not cancelled with ctx: cancelling one query
// half-way must not disturb the transaction the other changes share.
func (b *Batcher) Do(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	it := &batchItem{ctx: ctx, fn: fn, errc: make(chan error, 1)}
	// The read lock keeps Close from stopping the loop while a change is
	// being queued, so nothing queued is ever left behind.
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return fmt.Errorf("store: batcher stopped")
	}
	select {
	case b.queue <- it:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the change may
	// already be committed, and the caller must not be told otherwise.
	return <-it.errc
}

// Close commits what is queued and stops the batcher; later changes fail.
func (b *Batcher) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.mu.Unlock()
	close(b.stop)
	b.done.Wait()
}

func (b *Batcher) loop() {
	defer b.done.Done()
	batch := make([]*batchItem, 0, b.max)
	for {
		select {
		case it := <-b.queue:
			batch = append(batch[:0], it)
		case <-b.stop:
			// Drain what was queued before stopping.
			for {
				select {
				case it := <-b.queue:
					b.commit([]*batchItem{it})
				default:
					return
				}
			}
		}
		// Take whatever else is already waiting, without waiting for more:
		// under light load a change commits at once, under heavy load the
		// batch grows while the previous commit is on its way to disk.
	fill:
		for len(batch) < b.max {
			select {
			case it := <-b.queue:
				batch = append(batch, it)
			default:
				break fill
			}
		}
		b.commit(batch)
	}
}

func (b *Batcher) commit(batch []*batchItem) {
	errs := make([]error, len(batch))
	err := b.s.InTx(context.Background(), func(tx *Tx) error {
		for i, it := range batch {
			if err := it.ctx.Err(); err != nil {
				errs[i] = err
				continue
			}
			if err := it.fn(context.WithoutCancel(it.ctx), tx); err != nil {
				if len(batch) == 1 {
					errs[i] = err // its own failure, not the batch's
				}
				return err
			}
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		// Something failed: the whole batch rolled back. Run each change in a
		// transaction of its own, so that only the faulty one fails.
		// Failures are rare (input is validated before it is queued), so the
		// common path pays for no savepoints.
		for i, it := range batch {
			if errs[i] != nil {
				continue
			}
			errs[i] = b.s.InTx(context.Background(), func(tx *Tx) error {
				return it.fn(context.WithoutCancel(it.ctx), tx)
			})
		}
		err = nil
	}
	for i, it := range batch {
		if err != nil && errs[i] == nil { // the commit itself failed
			errs[i] = fmt.Errorf("store: batch commit: %w", err)
		}
		it.errc <- errs[i]
	}
}
