package delivery

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// Record is what became of one delivery: the webhook.Result of its last request, with the
// Delivery it was, the webhooks in flight beside it and the tries it took.
type Record struct {
	Delivery
	Result webhook.Result
	// InFlight is how many other webhooks were in flight when this one went.
	InFlight int
	// Tries counts the requests made for this delivery: more than 1 when it timed out and was
	// retried (Config.Retries); 0 when it was never sent (Abandon, Shutdown).
	Tries int
}

// Sent reports whether the delivery went out at all.
func (o Record) Sent() bool { return o.Tries > 0 }

// Condition says in words under which conditions the delivery went ("" for none).
func (o Record) Condition() string { return o.Delivery.Condition(o.InFlight) }

// Config configures a Dispatcher.
type Config struct {
	// Client delivers the requests. Required.
	Client *sender.Client
	// Conditions are the delivery conditions; Seed seeds their schedule.
	Conditions Conditions
	Seed       int64
	// Now is the sender's clock, for RequestTime (time.Now unless set).
	Now func() time.Time
	// Retries is how many times a delivery that timed out is sent again, RetryBackoff after the
	// timeout: the vendor's retry on timeout, when an app switches it on.
	Retries      int
	RetryBackoff time.Duration
	// Report receives every delivery's outcome, from the goroutine that made it. Every delivery
	// planned is reported exactly once, also when a Shutdown cuts it short.
	Report func(Record)
	// QueueSize bounds the deliveries held per sender (DefaultQueueSize unless set): Enqueue
	// waits while the dispatcher holds QueueSize × Concurrency.
	QueueSize int
	// Burst holds every delivery until Release or Close (or until the dispatcher holds its
	// limit), then lets them go at once: a burst of webhooks, as a busy moment brings, so that
	// Concurrency of them are in flight together however fast the receiver answers.
	Burst bool
}

// DefaultQueueSize is how many deliveries a dispatcher holds, per sender, before Enqueue waits.
const DefaultQueueSize = 1024

// ErrClosed is returned by Enqueue after Close or Shutdown.
var ErrClosed = errors.New("delivery: dispatcher is closed")

// Dispatcher delivers items as the conditions say: up to Concurrency at once, for different
// rooms, a room's deliveries one after another in the schedule's order. Any sender takes the
// next room that has a delivery due and none in flight, so Concurrency rooms with deliveries
// due are Concurrency requests in flight. Its goroutines live from NewDispatcher to Close or
// Shutdown, which wait for them.
type Dispatcher struct {
	cfg Config
	mu  sync.Mutex // guards everything below
	// work wakes senders: a room became ready, or the dispatcher is done. space wakes Enqueue
	// when deliveries were taken. One sender is woken for each room made ready, not all of them.
	work, space *sync.Cond
	planner     *Planner
	closed      bool
	rooms       map[string]*roomQueue
	ready       []*roomQueue // rooms with a delivery due and none in flight, in the order they became so
	pending     int          // deliveries queued, not yet taken
	busy        int          // deliveries in flight
	held        bool         // deliveries wait for Release (Config.Burst)
	limit       int
	wg          sync.WaitGroup
	ctx         context.Context
	cancel      context.CancelFunc
}

// roomQueue is one room's deliveries due, in order.
type roomQueue struct {
	room    string
	due     []Delivery
	inReady bool
	busy    bool
}

// NewDispatcher starts a dispatcher.
func NewDispatcher(cfg Config) (*Dispatcher, error) {
	if cfg.Client == nil {
		return nil, errors.New("delivery: a client is required")
	}
	if err := cfg.Conditions.Validate(); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.Report == nil {
		cfg.Report = func(Record) {}
	}
	senders := max(cfg.Conditions.Concurrency, 1)
	d := &Dispatcher{cfg: cfg, planner: NewPlanner(cfg.Conditions, cfg.Seed), rooms: map[string]*roomQueue{}, limit: cfg.QueueSize * senders, held: cfg.Burst}
	d.work, d.space = sync.NewCond(&d.mu), sync.NewCond(&d.mu)
	d.ctx, d.cancel = context.WithCancel(context.Background())
	for range senders {
		d.wg.Add(1)
		go d.sender()
	}
	return d, nil
}

// Enqueue plans an item's deliveries and queues those due. Items of one room are delivered in
// the order they are enqueued, but for the reordering the conditions ask for. It waits while
// the dispatcher holds its limit of deliveries.
func (d *Dispatcher) Enqueue(it *Item) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.pending >= d.limit && !d.closed {
		if d.held {
			d.held = false // a burst as large as the dispatcher holds goes now
			d.work.Broadcast()
		}
		d.space.Wait()
	}
	if d.closed {
		return ErrClosed
	}
	d.queue(d.planner.Add(it))
	return nil
}

// TryEnqueue is Enqueue without the wait: it reports false, queueing nothing, when the
// dispatcher holds its limit of deliveries or is shut down.
func (d *Dispatcher) TryEnqueue(it *Item) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed || d.pending >= d.limit {
		return false
	}
	d.queue(d.planner.Add(it))
	return true
}

// queue adds deliveries to their rooms' queues; the caller holds d.mu.
func (d *Dispatcher) queue(dels []Delivery) {
	for _, del := range dels {
		q := d.rooms[del.Item.Room]
		if q == nil {
			q = &roomQueue{room: del.Item.Room}
			d.rooms[q.room] = q
		}
		q.due = append(q.due, del)
		d.pending++
		if d.makeReady(q) && !d.held {
			d.work.Signal()
		}
	}
}

// makeReady puts a room with deliveries due and none in flight on the ready list; true when
// it was not there.
func (d *Dispatcher) makeReady(q *roomQueue) bool {
	if !q.busy && !q.inReady && len(q.due) > 0 {
		q.inReady = true
		d.ready = append(d.ready, q)
		return true
	}
	return false
}

// done reports whether nothing is left to send or being sent, after Close; the caller holds d.mu.
func (d *Dispatcher) done() bool { return d.closed && d.busy == 0 && d.pending == 0 }

// sender delivers, one at a time, the next delivery of the next ready room.
func (d *Dispatcher) sender() {
	defer d.wg.Done()
	d.mu.Lock()
	defer d.mu.Unlock()
	for {
		for (d.held || len(d.ready) == 0) && !d.done() {
			d.work.Wait()
		}
		if len(d.ready) == 0 {
			d.work.Broadcast() // the others see the end too
			return
		}
		q := d.ready[0]
		d.ready[0] = nil
		d.ready = d.ready[1:]
		q.inReady = false
		del := q.due[0]
		q.due[0] = Delivery{}
		q.due = q.due[1:]
		q.busy = true
		d.pending--
		d.busy++
		inFlight := d.busy - 1
		d.space.Signal()
		d.mu.Unlock()
		if del.Overlapped {
			first, again := d.deliverOverlapping(del, inFlight)
			d.cfg.Report(first)
			d.cfg.Report(again)
		} else {
			d.cfg.Report(d.deliver(del, inFlight, ""))
		}
		d.mu.Lock()
		q.busy = false
		d.busy--
		if len(q.due) == 0 {
			delete(d.rooms, q.room)
		} else if d.makeReady(q) && len(d.ready) > 1 {
			d.work.Signal() // this sender takes one; another may take the rest
		}
		if d.done() {
			d.work.Broadcast()
		}
	}
}

// Release lets the deliveries held for a burst go (Config.Burst); later ones go as they come.
func (d *Dispatcher) Release() {
	d.mu.Lock()
	d.held = false
	d.work.Broadcast()
	d.mu.Unlock()
}

// Abandon stops the dispatcher sending: the deliveries still queued are reported unsent
// (Record.Sent is false), those in flight end as they will, and Enqueue takes no more. Close
// still waits for the senders. A caller that has seen enough failures uses it to stop early.
func (d *Dispatcher) Abandon() {
	d.mu.Lock()
	d.closed, d.held = true, false
	unsent := d.planner.Flush() // held back, never queued: not sent either
	for room, q := range d.rooms {
		unsent = append(unsent, q.due...)
		d.pending -= len(q.due)
		q.due = nil
		if !q.busy {
			delete(d.rooms, room)
		}
	}
	d.ready = nil
	d.work.Broadcast()
	d.space.Broadcast()
	d.mu.Unlock()
	for _, del := range unsent {
		d.cfg.Report(Record{Delivery: del, Result: webhook.Result{Request: webhook.Request{Command: del.Item.Command, Body: del.Item.Body},
			Command: del.Item.Command, Outcome: webhook.Canceled, Err: errors.New("not sent: the sender stopped early")}})
	}
}

// Close delivers everything enqueued (the held-back items too) and waits for it.
func (d *Dispatcher) Close() { _ = d.Shutdown(context.Background()) }

// Shutdown is Close with a deadline: when ctx ends first, the deliveries in flight are canceled
// and those still queued are reported as canceled without being sent; Shutdown then returns
// ctx's error, once every delivery is reported.
func (d *Dispatcher) Shutdown(ctx context.Context) error {
	stop := context.AfterFunc(ctx, d.cancel)
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		d.queue(d.planner.Flush())
	}
	d.held = false
	d.work.Broadcast()
	d.space.Broadcast()
	d.mu.Unlock()
	d.wg.Wait()
	cut := !stop()
	d.cancel()
	if cut {
		return ctx.Err()
	}
	return nil
}

// deliverOverlapping makes a delivery and its redelivery at once, each one in flight while the
// other is. Their URLs are made first, in order, as Item.URLFor requires.
func (d *Dispatcher) deliverOverlapping(del Delivery, inFlight int) (first, again Record) {
	re := Delivery{Item: del.Item, Attempt: 2, Overlapping: true, Wait: del.Wait, Skew: del.Skew}
	now := d.cfg.Now()
	url1 := del.Item.URLFor(del, now, d.cfg.Conditions.SameURL)
	url2 := del.Item.URLFor(re, now, d.cfg.Conditions.SameURL)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		again = d.deliver(re, inFlight+1, url2)
	}()
	first = d.deliver(del, inFlight+1, url1)
	wg.Wait()
	return first, again
}

// deliver makes one delivery, retrying on timeout as configured; url, when set, is its first
// try's URL, made already.
func (d *Dispatcher) deliver(del Delivery, inFlight int, url string) Record {
	out := Record{Delivery: del, InFlight: inFlight}
	if del.Wait > 0 && d.ctx.Err() == nil {
		t := time.NewTimer(del.Wait)
		select {
		case <-t.C:
		case <-d.ctx.Done():
			t.Stop()
		}
	}
	it := del.Item
	for {
		out.Tries++
		if url == "" || out.Tries > 1 {
			url = it.URLFor(del, d.cfg.Now(), d.cfg.Conditions.SameURL)
		}
		req := webhook.Request{Command: it.Command, URL: url, Body: it.Body}
		if d.ctx.Err() != nil {
			out.Tries--
			now := time.Now()
			out.Result = webhook.Result{Request: req, Command: it.Command, Intended: now, Sent: now, Done: now,
				Outcome: webhook.Canceled, Err: errors.New("not sent: the dispatcher was shut down")}
			return out
		}
		out.Result = d.cfg.Client.Do(d.ctx, req)
		if out.Result.Outcome != webhook.Timeout || out.Tries > d.cfg.Retries || d.ctx.Err() != nil {
			return out
		}
		if d.cfg.RetryBackoff > 0 {
			t := time.NewTimer(d.cfg.RetryBackoff)
			select {
			case <-t.C:
			case <-d.ctx.Done():
				t.Stop()
			}
		}
	}
}
