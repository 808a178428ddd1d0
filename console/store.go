package console

import (
	"cmp"
	"slices"
	"sync"

	"github.com/livehook/livehook/internal/fanout"
	"github.com/livehook/livehook/receiver"
)

// store keeps the newest deliveries whole (headers and body, which the receiver's log does
// not keep), within a count and a byte bound, for the page's detail view, send-again and
// downloads; and hands each new one to the page's event streams.
type store struct {
	maxCount, maxBytes int

	mu      sync.Mutex
	kept    []receiver.Delivery // oldest first
	bytes   int
	evicted uint64 // deliveries that left the store for its bounds
	hub     fanout.Hub[event]
}

// event is a delivery as a stream sends it, encoded once for every stream.
type event struct {
	seq  uint64
	data []byte // the "data:" line's JSON, without the newline
}

// cost is what a kept delivery counts against maxBytes.
func cost(d *receiver.Delivery) int {
	n := 512 + len(d.Query) + len(d.Path) + len(d.Room) + len(d.Command) + len(d.Reason) + len(d.RawBody) + len(d.Answer.Body)
	for k, vs := range d.Header {
		n += len(k)
		for _, v := range vs {
			n += len(v) + 16
		}
	}
	return n
}

// add keeps d, drops the oldest beyond the bounds, and publishes ev, its event, to the streams,
// under one lock with subscribe, so that a stream misses nothing and sees nothing twice.
func (s *store) add(d receiver.Delivery, ev event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kept = append(s.kept, d)
	s.bytes += cost(&d)
	drop := 0
	for len(s.kept)-drop > s.maxCount || (s.bytes > s.maxBytes && len(s.kept)-drop > 1) {
		s.bytes -= cost(&s.kept[drop])
		drop++
	}
	if drop > 0 {
		s.evicted += uint64(drop)
		n := copy(s.kept, s.kept[drop:])
		clear(s.kept[n:])
		s.kept = s.kept[:n]
	}
	s.hub.Publish(ev)
}

// subscribe returns the kept deliveries newer than after, oldest first, and a subscription to
// those that come next.
func (s *store) subscribe(after uint64, buffer int) ([]receiver.Delivery, *fanout.Sub[event], uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := len(s.kept)
	for i > 0 && s.kept[i-1].Seq > after {
		i--
	}
	return append([]receiver.Delivery(nil), s.kept[i:]...), s.hub.Subscribe(buffer), s.evicted
}

// get returns the kept delivery numbered seq.
func (s *store) get(seq uint64) (receiver.Delivery, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := slices.BinarySearchFunc(s.kept, seq, func(d receiver.Delivery, seq uint64) int { return cmp.Compare(d.Seq, seq) })
	if !ok {
		return receiver.Delivery{}, false
	}
	return s.kept[i], true
}

func (s *store) close() { s.hub.Close() }
