package receiver

import "github.com/livehook/livehook/internal/fanout"

// Subscription receives the receiver's deliveries as they are answered, in the order of Seq,
// each with its Header and RawBody as OnDelivery gets them (shared among subscribers: read
// them, never modify them). Its buffer is bounded: a delivery that finds it full is dropped
// for this subscription and counted, so that a subscriber that stops reading never delays an
// answer.
type Subscription struct{ s *fanout.Sub[Delivery] }

// Subscribe starts a subscription whose buffer holds up to buffer deliveries. Close it when
// done.
func (rv *Receiver) Subscribe(buffer int) *Subscription {
	return &Subscription{rv.subs.Subscribe(buffer)}
}

// C is where the deliveries arrive; it is closed by Close.
func (s *Subscription) C() <-chan Delivery { return s.s.C() }

// Dropped is how many deliveries this subscription missed because its buffer was full.
func (s *Subscription) Dropped() uint64 { return s.s.Dropped() }

// Close ends the subscription and closes C.
func (s *Subscription) Close() { s.s.Close() }
