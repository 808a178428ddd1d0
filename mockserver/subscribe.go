package mockserver

import (
	"net/http"

	"github.com/livehook/livehook/internal/fanout"
)

// Subscription receives what became of each webhook the mock fired, as its last attempt ends,
// in that order. Its buffer is bounded: a delivery that finds it full is dropped for this
// subscription and counted, so that a subscriber that stops reading never delays a delivery.
type Subscription struct{ s *fanout.Sub[Delivery] }

// Subscribe starts a subscription whose buffer holds up to buffer deliveries. Close it when
// done.
func (s *Server) Subscribe(buffer int) *Subscription {
	return &Subscription{s.log.subs.Subscribe(buffer)}
}

// C is where the deliveries arrive; it is closed by Close.
func (s *Subscription) C() <-chan Delivery { return s.s.C() }

// Dropped is how many deliveries this subscription missed because its buffer was full.
func (s *Subscription) Dropped() uint64 { return s.s.Dropped() }

// Close ends the subscription and closes C.
func (s *Subscription) Close() { s.s.Close() }

// Wrap makes Start serve wrap(Handler()) instead of Handler(), e.g. to serve a console beside
// the API; call it before Start. When the wrapped handler has a Close method, Shutdown calls it
// first, so that requests it holds open (event streams) end.
func (s *Server) Wrap(wrap func(http.Handler) http.Handler) { s.wrap = wrap }

func (s *Server) wrapped() http.Handler {
	h := s.Handler()
	if s.wrap == nil {
		return h
	}
	return s.wrap(h)
}
