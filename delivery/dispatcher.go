package delivery

import (
	"context"
	"errors"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livehook/livehook/webhook"
)

// Outcome is what became of one delivery.
type Outcome struct {
	Delivery
	Result webhook.Result
	// InFlight is how many other webhooks were in flight when this one went.
	InFlight int
	// Tries counts the requests made for this delivery: more than 1 when it timed out and was
	// retried (Config.Retries).
	Tries int
}

// Condition says in words under which conditions the delivery went ("" for none).
func (o Outcome) Condition() string { return o.Delivery.Condition(o.InFlight) }

// Config configures a Dispatcher.
type Config struct {
	// Client delivers the requests. Required.
	Client *webhook.Client
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
	Report func(Outcome)
	// QueueSize bounds each sender's queue (DefaultQueueSize unless set): Enqueue waits while
	// the queue of the item's room is full.
	QueueSize int
}

// DefaultQueueSize is how many deliveries each sender queues.
const DefaultQueueSize = 1024

// ErrClosed is returned by Enqueue after Close or Shutdown.
var ErrClosed = errors.New("delivery: dispatcher is closed")

// Dispatcher delivers items as the conditions say: up to Concurrency at once, a room's
// deliveries one after another in the schedule's order. Its goroutines live from NewDispatcher
// to Close or Shutdown, which wait for them.
type Dispatcher struct {
	cfg     Config
	mu      sync.Mutex // guards planner and closed; held while queueing, so queues keep the schedule's order
	planner *Planner
	closed  bool
	queues  []chan Delivery
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
	flight  atomic.Int64
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
		cfg.Report = func(Outcome) {}
	}
	d := &Dispatcher{cfg: cfg, planner: NewPlanner(cfg.Conditions, cfg.Seed)}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.queues = make([]chan Delivery, max(cfg.Conditions.Concurrency, 1))
	for i := range d.queues {
		q := make(chan Delivery, cfg.QueueSize)
		d.queues[i] = q
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			for del := range q {
				d.cfg.Report(d.deliver(del))
			}
		}()
	}
	return d, nil
}

// Enqueue plans an item's deliveries and queues those due. Items of one room are delivered in
// the order they are enqueued, but for the reordering the conditions ask for.
func (d *Dispatcher) Enqueue(it *Item) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	d.queue(d.planner.Add(it))
	return nil
}

func (d *Dispatcher) queue(dels []Delivery) {
	for _, del := range dels {
		h := fnv.New32a()
		h.Write([]byte(del.Item.Room))
		d.queues[h.Sum32()%uint32(len(d.queues))] <- del
	}
}

// Close delivers everything enqueued (the held-back items too) and waits for it.
func (d *Dispatcher) Close() { _ = d.Shutdown(context.Background()) }

// Shutdown is Close with a deadline: when ctx ends first, the deliveries in flight are canceled
// and those still queued are reported as canceled without being sent; Shutdown then returns
// ctx's error, once every delivery is reported.
func (d *Dispatcher) Shutdown(ctx context.Context) error {
	stop := context.AfterFunc(ctx, d.cancel)
	d.close()
	d.wg.Wait()
	cut := !stop()
	d.cancel()
	if cut {
		return ctx.Err()
	}
	return nil
}

func (d *Dispatcher) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.closed = true
	d.queue(d.planner.Flush())
	for _, q := range d.queues {
		close(q)
	}
}

// deliver makes one delivery, retrying on timeout as configured.
func (d *Dispatcher) deliver(del Delivery) Outcome {
	out := Outcome{Delivery: del}
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
		url := it.firstURL
		if url == "" || !d.cfg.Conditions.SameURL || del.Attempt == 1 {
			url = it.URL(d.cfg.Now(), del.Skew)
		}
		if del.Attempt == 1 && out.Tries == 1 {
			it.firstURL = url
		}
		req := webhook.Request{Command: it.Command, URL: url, Body: it.Body}
		if d.ctx.Err() != nil {
			now := time.Now()
			out.Result = webhook.Result{Request: req, Command: it.Command, Intended: now, Sent: now, Done: now,
				Outcome: webhook.Canceled, Err: errors.New("not sent: the dispatcher was shut down")}
			return out
		}
		out.InFlight = int(d.flight.Add(1) - 1)
		out.Result = d.cfg.Client.Do(d.ctx, req)
		d.flight.Add(-1)
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
