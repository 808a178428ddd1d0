// Package fanout hands each published value to every subscriber without ever waiting for one:
// a subscriber's buffer is bounded, and a value that does not fit is dropped and counted for
// that subscriber alone. A webhook's answer publishes its delivery, so a slow or stopped reader
// (a browser that stopped reading its event stream) must cost the answer nothing.
package fanout

import (
	"sync"
	"sync/atomic"
)

// Hub publishes values to its subscribers. The zero value is ready to use; it is safe for
// concurrent use.
type Hub[T any] struct {
	mu      sync.Mutex
	subs    map[*Sub[T]]struct{}
	closed  bool
	dropped atomic.Uint64
}

// Sub is one subscription: its values arrive on C, in the order they were published, less
// those dropped while its buffer was full.
type Sub[T any] struct {
	hub     *Hub[T]
	c       chan T
	dropped atomic.Uint64
	once    sync.Once
}

// Subscribe adds a subscriber whose buffer holds up to buffer values (at least 1). On a closed
// hub its channel is closed at once.
func (h *Hub[T]) Subscribe(buffer int) *Sub[T] {
	s := &Sub[T]{hub: h, c: make(chan T, max(buffer, 1))}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.once.Do(func() { close(s.c) })
		return s
	}
	if h.subs == nil {
		h.subs = map[*Sub[T]]struct{}{}
	}
	h.subs[s] = struct{}{}
	return s
}

// Publish hands v to every subscriber with room for it, and counts it dropped for the others.
// It never blocks on a subscriber.
func (h *Hub[T]) Publish(v T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.c <- v:
		default:
			s.dropped.Add(1)
			h.dropped.Add(1)
		}
	}
}

// Dropped is how many values were dropped, over every subscriber there has been.
func (h *Hub[T]) Dropped() uint64 { return h.dropped.Load() }

// Len is the number of subscribers.
func (h *Hub[T]) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Close closes every subscriber's channel, once its buffered values are read; later
// subscriptions get a closed channel.
func (h *Hub[T]) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		delete(h.subs, s)
		s.once.Do(func() { close(s.c) })
	}
}

// C is the subscription's channel; it is closed by Close or by the hub's Close.
func (s *Sub[T]) C() <-chan T { return s.c }

// Dropped is how many values were not handed to this subscriber because its buffer was full.
func (s *Sub[T]) Dropped() uint64 { return s.dropped.Load() }

// Close ends the subscription and closes its channel. It is safe to call more than once.
func (s *Sub[T]) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	delete(s.hub.subs, s)
	s.once.Do(func() { close(s.c) })
}
