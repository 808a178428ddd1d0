package mockserver

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/internal/fanout"
	"github.com/livehook/livehook/webhook"
)

// Delivery is what became of one webhook the mock backend fired.
type Delivery struct {
	Seq     uint64 `json:"seq"`
	Command string `json:"command"`
	RoomId  string `json:"room_id"`
	URL     string `json:"url"`
	// Body is the webhook's body.
	Body json.RawMessage `json:"body"`
	// Fired is when the REST call fired it; Done when its last attempt ended.
	Fired time.Time `json:"fired"`
	Done  time.Time `json:"done"`
	// Delay is from firing to the answer: the wait in the queue plus the receiver's latency.
	Delay    time.Duration `json:"delay_ns"`
	Attempts int           `json:"attempts"`
	// Acknowledged reports an answer of HTTP 200 with OK/0.
	Acknowledged bool            `json:"acknowledged"`
	Outcome      webhook.Outcome `json:"outcome"`
	Status       int             `json:"status,omitempty"`
	Error        string          `json:"error,omitempty"`
	// Redelivery marks a second delivery of a webhook (Config.Delivery's Duplicate); the counts
	// leave it out, so that they add up to the webhooks fired.
	Redelivery bool `json:"redelivery,omitempty"`
	// Condition names the delivery conditions it went under, if any.
	Condition string `json:"condition,omitempty"`
	// Before marks a "before" callback (Live.CallbackBeforeSendGift): sent at once, outside the
	// delivery conditions, while the action waits for the answer. Blocked says the answer stopped
	// the action (the gift was not sent, nor counted); Verdict says what decided it.
	Before  bool   `json:"before,omitempty"`
	Blocked bool   `json:"blocked,omitempty"`
	Verdict string `json:"verdict,omitempty"`
	// Result is the sender's whole record of the last attempt, the answer's fields with it (the
	// fields above that it also holds are copied from it): Intended is when the webhook was
	// fired, Done as above. It is not in the JSON, whose fields above carry what it says.
	Result webhook.Result `json:"-"`
}

// newDelivery makes the log's record of a delivery from the sender's: the one place a mock
// delivery's fields are derived, for the dispatcher's deliveries and the "before" callbacks.
// A webhook never sent has a Result with its Outcome and Err alone; cmd and body say what it was.
func newDelivery(tg *tag, cmd webhook.Command, room string, body []byte, res webhook.Result, attempts int) Delivery {
	if res.Done.IsZero() {
		res.Done = time.Now()
	}
	res.Command, res.Request.Command = cmd, cmd
	if res.Request.Body == nil {
		res.Request.Body = body
	}
	res.Intended, res.Request.Intended = tg.fired, tg.fired
	d := Delivery{Seq: tg.seq, Command: string(cmd), RoomId: room, URL: res.Request.URL, Body: body,
		Fired: tg.fired, Done: res.Done, Delay: res.Done.Sub(tg.fired), Attempts: attempts,
		Acknowledged: res.Outcome == webhook.Acknowledged, Outcome: res.Outcome, Status: res.Answer.Status, Result: res}
	if res.Err != nil {
		d.Error = res.Err.Error()
	}
	return d
}

// tag rides on a delivery.Item: the webhook's number in the log and when it was fired.
type tag struct {
	seq   uint64
	fired time.Time
}

// MaxPending bounds the webhooks fired and not yet handed to the dispatcher. Beyond it a webhook
// is recorded as failed at once rather than making a REST call wait: a receiver that stalls must
// not stall the Live API.
const MaxPending = 100_000

// firing is a webhook fired and not yet handed to the dispatcher: the event, where it goes, and
// its tag. Its body is encoded when it goes to the dispatcher: by the pump, or by the REST call
// itself when the pump is idle and the dispatcher has room.
type firing struct {
	msg      webhook.Message
	endpoint webhook.Endpoint
	tag      *tag
}

// outbox hands fired webhooks, in the order they were fired, from the REST calls (which hold
// their app's lock and must never wait) to the pump, which may wait for room in the dispatcher.
// While the pump waits with nothing in hand and the dispatcher has room, a webhook goes to the
// dispatcher at once instead, without the hand-off: that keeps the order too, since everything
// fired before it is in the dispatcher already.
type outbox struct {
	mu      sync.Mutex
	cond    *sync.Cond
	items   []firing
	closed  bool
	waiting bool // the pump waits in take, holding nothing
}

func newOutbox() *outbox {
	o := &outbox{}
	o.cond = sync.NewCond(&o.mu)
	return o
}

// put queues a webhook, or gives it to now when the pump is idle (now reports whether it took
// it, without waiting); it reports false, queueing nothing, when the outbox is closed or full.
func (o *outbox) put(f firing, now func(firing) bool) (ok bool, why string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case o.closed:
		return false, "not sent: the mock backend was shut down"
	case len(o.items) >= MaxPending:
		return false, fmt.Sprintf("not sent: more than %d webhooks were waiting for the receiver", MaxPending)
	case o.waiting && len(o.items) == 0 && now(f):
		return true, ""
	}
	o.items = append(o.items, f)
	o.cond.Signal()
	return true, ""
}

// take waits for webhooks and returns them all; it returns none once the outbox is closed and
// empty.
func (o *outbox) take() []firing {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(o.items) == 0 && !o.closed {
		o.waiting = true
		o.cond.Wait()
		o.waiting = false
	}
	items := o.items
	o.items = nil
	return items
}

func (o *outbox) close() {
	o.mu.Lock()
	o.closed = true
	o.cond.Broadcast()
	o.mu.Unlock()
}

// pump hands the outbox's webhooks to the dispatcher, in order, until the outbox is closed and
// drained; a webhook the dispatcher no longer takes is recorded as failed.
func (s *Server) pump() {
	for {
		items := s.out.take()
		if len(items) == 0 {
			return
		}
		for _, f := range items {
			it, err := item(f)
			if err != nil {
				s.unsent(f, fmt.Sprintf("not sent: encoding the body: %v", err))
				continue
			}
			if err := s.dispatch.Enqueue(it); err != nil {
				s.report(unsentRecord(it, "not sent: the mock backend was shut down"))
			}
		}
	}
}

// dispatchNow gives a webhook to the dispatcher if it has room, without waiting.
func (s *Server) dispatchNow(f firing) bool {
	it, err := item(f)
	return err == nil && s.dispatch.TryEnqueue(it) // the pump records an encoding error
}

// item encodes a fired webhook into the dispatcher's item.
func item(f firing) (*delivery.Item, error) {
	body, err := webhook.Encode(f.msg.Event)
	if err != nil {
		return nil, err
	}
	it := delivery.ItemFor(f.endpoint, f.msg.Event.Room(), webhook.Request{Command: f.msg.Event.Command(), Body: body}, f.msg.Meta, webhook.URLOptions{})
	it.Tag = f.tag
	return it, nil
}

// unsent records a webhook that was never sent as failed.
func (s *Server) unsent(f firing, why string) {
	body, _ := webhook.Encode(f.msg.Event)
	it := &delivery.Item{Room: f.msg.Event.Room(), Command: f.msg.Event.Command(), Body: body, Tag: f.tag}
	s.report(unsentRecord(it, why))
}

func unsentRecord(it *delivery.Item, why string) delivery.Record {
	return delivery.Record{Delivery: delivery.Delivery{Item: it, Attempt: 1}, Result: webhook.Result{
		Command: it.Command, Outcome: webhook.Canceled, Err: errors.New(why)}}
}

// report records what became of one delivery.
func (s *Server) report(o delivery.Record) {
	it := o.Item
	out := newDelivery(it.Tag.(*tag), it.Command, it.Room, it.Body, o.Result, o.Tries)
	out.Redelivery = o.Attempt > 1
	out.Condition = o.Condition()
	s.log.record(out)
	if s.cfg.Logf == nil {
		return
	}
	verdict := "acknowledged"
	if !out.Acknowledged {
		verdict = out.Outcome.String() + ": " + out.Error
	}
	again := ""
	if out.Redelivery {
		again = " (again)"
	}
	s.logf("webhook #%d%s %s %s -> %s (%s)", out.Seq, again, it.Command.Short(), it.Room, verdict, out.Delay.Round(time.Microsecond))
}

// deliveryLog keeps the newest deliveries and counts them all.
type deliveryLog struct {
	mu   sync.Mutex
	size int
	// chunks hold the newest size deliveries, n of them so far, as a ring from next; in chunks
	// of logChunk, so that a long log grows without copying what it holds.
	chunks       [][]Delivery
	n            int
	next         int
	fired        uint64
	acknowledged uint64
	failed       uint64
	changed      chan struct{} // closed and replaced at every delivery
	subs         fanout.Hub[Delivery]
}

const logChunk = 1024

func (l *deliveryLog) init(size int) {
	l.size = size
	l.changed = make(chan struct{})
}

func (l *deliveryLog) at(i int) *Delivery { return &l.chunks[i/logChunk][i%logChunk] }

func (l *deliveryLog) fire() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fired++
	return l.fired
}

func (l *deliveryLog) record(d Delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case d.Redelivery:
	case d.Acknowledged:
		l.acknowledged++
	default:
		l.failed++
	}
	if l.size > 0 {
		if l.n < l.size {
			if l.n%logChunk == 0 {
				l.chunks = append(l.chunks, make([]Delivery, min(logChunk, l.size-l.n)))
			}
			l.n++
		}
		*l.at(l.next) = d
		l.next = (l.next + 1) % l.size
	}
	close(l.changed)
	l.changed = make(chan struct{})
	l.subs.Publish(d) // never waits: see Subscribe; under l.mu, so that a snapshot and a subscription meet
}

// Stats counts the webhooks fired and what became of them.
type Stats struct {
	Fired        uint64 `json:"fired"`
	Acknowledged uint64 `json:"acknowledged"`
	Failed       uint64 `json:"failed"`
	// Pending are fired and not yet acknowledged nor failed.
	Pending uint64 `json:"pending"`
}

func (l *deliveryLog) snapshot() (Stats, []Delivery, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := Stats{Fired: l.fired, Acknowledged: l.acknowledged, Failed: l.failed}
	st.Pending = st.Fired - st.Acknowledged - st.Failed
	out := make([]Delivery, 0, l.n)
	first := 0
	if l.n == l.size {
		first = l.next // the oldest
	}
	for i := range l.n {
		out = append(out, *l.at((first + i) % max(l.size, 1)))
	}
	slices.SortStableFunc(out, func(a, b Delivery) int { return cmp.Compare(a.Seq, b.Seq) })
	return st, out, l.changed
}

// Deliveries returns the logged deliveries in the order they were fired, and the counts.
func (s *Server) Deliveries() (Stats, []Delivery) {
	st, d, _ := s.log.snapshot()
	return st, d
}

// Await waits until at least n webhooks have been delivered (acknowledged or failed) and returns
// the log, or returns ctx's error with the log so far.
func (s *Server) Await(ctx context.Context, n int) ([]Delivery, error) {
	for {
		st, d, changed := s.log.snapshot()
		if st.Acknowledged+st.Failed >= uint64(n) {
			return d, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return d, ctx.Err()
		}
	}
}
