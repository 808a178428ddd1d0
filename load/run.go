package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/webhook"
)

// ticket is a request to make, and when it was meant to go.
type ticket struct {
	intended time.Time
	msg      webhook.Message // set for the Rooms traffic, whose events come from the schedule
}

// errCutOff is why the requests still in flight at the end of a run's duration are canceled.
var errCutOff = errors.New("the run's duration ended before the answer came")

// Run sends the traffic cfg describes until its duration or count is reached or ctx is canceled,
// and reports every request sent. The duration bounds the run's wall time: a request not sent by
// its end is not sent (Report.Unsent counts those that were due), and the requests in flight then
// are canceled and counted as cut off (outcome CutOff: neither acknowledged nor errors, since
// their deadline had not passed). Canceling ctx stops the sending the same way, and the requests
// in flight get the rest of their deadline; closing cfg.Abort abandons them (outcome canceled).
// Every request sent is counted, however it ended.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.prepare(); err != nil {
		return nil, err
	}
	start := time.Now()
	col := newCollector(&cfg, start)
	done := make(chan struct{})
	go func() {
		col.run()
		close(done)
	}()
	sending := ctx
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		sending, cancel = context.WithDeadline(ctx, start.Add(cfg.Duration))
		defer cancel()
	}
	// The requests' own context: not the run's, so that a request sent completes or times out
	// and is counted either way, unless the run is aborted or its duration is over.
	inFlight, abandon := context.WithCancelCause(context.Background())
	if cfg.Duration > 0 {
		cut := time.AfterFunc(time.Until(start.Add(cfg.Duration)), func() { abandon(errCutOff) })
		defer cut.Stop()
	}
	aborted := make(chan struct{})
	go func() {
		defer close(aborted)
		select {
		case <-cfg.Abort:
			abandon(nil)
		case <-done:
		}
	}()
	r := &runner{cfg: &cfg, col: col, start: start, reqCtx: inFlight}
	if !cfg.Delivery.IsZero() {
		r.planner = delivery.NewPlanner(cfg.Delivery, shardSeed(&cfg))
	}
	switch {
	case cfg.Model == Closed:
		r.closed(sending)
	case cfg.Traffic == Rooms:
		r.rooms(sending)
	default:
		r.open(sending)
	}
	r.flush()
	col.finish()
	<-done
	<-aborted
	abandon(nil)
	rep := col.report(time.Since(start))
	rep.Interrupted = ctx.Err() != nil
	return rep, nil
}

// runner is one run's sending side.
type runner struct {
	cfg    *Config
	col    *collector
	start  time.Time
	reqCtx context.Context
	// planner schedules the deliveries under cfg.Delivery; nil without conditions.
	mu      sync.Mutex
	planner *delivery.Planner
}

// send makes one request and hands its result to the collector; under delivery conditions,
// the deliveries the schedule makes of it (none while it is held back, or two, or it and an
// earlier webhook of its room that it overtook).
func (r *runner) send(msg webhook.Message, intended time.Time) {
	req, err := r.cfg.Endpoint.NewRequest(msg, webhook.URLOptions{})
	if err != nil {
		r.col.record(&webhook.Result{Request: req, Command: req.Command, Intended: intended, Sent: intended, Done: time.Now(), Outcome: webhook.ConnError, Err: err})
		return
	}
	if r.planner == nil {
		req.Intended = intended
		r.do(req, false, false)
		return
	}
	it := delivery.ItemFor(r.cfg.Endpoint, msg.Event.Room(), req, msg.Meta, webhook.URLOptions{})
	r.mu.Lock()
	dels := r.planner.Add(it)
	r.mu.Unlock()
	r.deliver(dels, it, intended)
}

// deliver makes planned deliveries one after another. The item's own first delivery keeps its
// schedule; the others (redeliveries, earlier webhooks released) are due when they go.
func (r *runner) deliver(dels []delivery.Delivery, own *delivery.Item, intended time.Time) {
	for _, d := range dels {
		if d.Wait > 0 {
			t := time.NewTimer(d.Wait)
			select {
			case <-t.C:
			case <-r.reqCtx.Done():
			}
			t.Stop()
		}
		now := time.Now()
		due := now
		if d.Item == own && d.Attempt == 1 {
			due = intended.Add(d.Wait)
		}
		req := webhook.Request{Command: d.Item.Command, URL: d.Item.URLFor(d, now, r.cfg.Delivery.SameURL), Body: d.Item.Body, Intended: due}
		r.do(req, d.Attempt > 1, d.Overtaken)
	}
}

// do sends one request and records its result. One that the end of the run's duration finds
// unsent is counted as not sent; one it finds in flight, as cut off.
func (r *runner) do(req webhook.Request, redelivery, reordered bool) {
	if r.cutOff() {
		r.col.addUnsent(1)
		return
	}
	res := r.cfg.Client.Do(r.reqCtx, req)
	r.col.recordDelivery(&res, redelivery, reordered, res.Outcome == webhook.Canceled && r.cutOff())
}

// cutOff reports whether the run's duration is over and its requests in flight are canceled.
func (r *runner) cutOff() bool { return errors.Is(context.Cause(r.reqCtx), errCutOff) }

// flush delivers the webhooks the schedule still holds back, once the senders are done; past
// the run's duration they are counted as not sent.
func (r *runner) flush() {
	if r.planner == nil {
		return
	}
	r.mu.Lock()
	dels := r.planner.Flush()
	r.mu.Unlock()
	if r.late() || r.reqCtx.Err() != nil {
		r.col.addUnsent(int64(len(dels)))
		return
	}
	r.deliver(dels, nil, time.Now())
}

// late reports whether the run's duration is over, for a request still waiting to be sent.
func (r *runner) late() bool {
	return r.cfg.Duration > 0 && !time.Now().Before(r.start.Add(r.cfg.Duration))
}

// shardSeed gives each shard rooms of its own.
func shardSeed(cfg *Config) int64 { return cfg.Seed*1_000_003 + int64(cfg.Shard.Index) }

// roomPrefix keeps the RoomIds of shards and runs apart.
func roomPrefix(cfg *Config) string {
	return fmt.Sprintf("lh%x_%d_", uint32(cfg.Seed), cfg.Shard.Index)
}

// closed runs Concurrency senders, each sending its next request when the last is answered.
func (r *runner) closed(ctx context.Context) {
	cfg := r.cfg
	var reserved atomic.Int64
	var wg sync.WaitGroup
	src := newMixSource(shardSeed(cfg), roomPrefix(cfg), cfg.Weights)
	for range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if cfg.Count > 0 && reserved.Add(1) > cfg.Count {
					return
				}
				now := time.Now()
				msg, rm := src.next(now)
				r.send(msg, now)
				src.release(rm)
			}
		}()
	}
	wg.Wait()
}

// schedule returns when the i-th request (from 0) is meant to go: at a constant rate, or along a
// linear ramp from Rate to RampTo over Duration.
func schedule(cfg *Config, start time.Time, i int64) time.Time {
	r0, n := cfg.Rate, float64(i)
	if cfg.RampTo <= 0 || cfg.RampTo == cfg.Rate {
		return start.Add(time.Duration(n / r0 * float64(time.Second)))
	}
	// The count by t is r0·t + (r1−r0)·t²/(2D); solve it for t.
	a := (cfg.RampTo - r0) / (2 * cfg.Duration.Seconds())
	t := (-r0 + math.Sqrt(r0*r0+4*a*n)) / (2 * a)
	if math.IsNaN(t) || t < 0 { // a ramp down past zero: no more requests
		return start.Add(cfg.Duration)
	}
	return start.Add(time.Duration(t * float64(time.Second)))
}

// pacer waits until each due time, without a timer per request: it sleeps only when the next
// request is far enough ahead, and otherwise releases all that are due at once.
type pacer struct {
	timer *time.Timer
}

func newPacer() *pacer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &pacer{timer: t}
}

func (p *pacer) wait(ctx context.Context, due time.Time) bool {
	d := time.Until(due)
	if d <= 0 {
		return ctx.Err() == nil
	}
	p.timer.Reset(d)
	select {
	case <-p.timer.C:
		return true
	case <-ctx.Done():
		p.timer.Stop()
		return false
	}
}

// open sends the flat mix at the scheduled rate; Workers senders take the tickets, each with
// rooms of its own. A ticket waits for a free sender when all are busy, and its latency counts
// from when it was due, so a receiver that stalls shows in the latency, not in a lower rate.
// A ticket still waiting when the run ends is not sent, and counts as unsent.
func (r *runner) open(ctx context.Context) {
	cfg := r.cfg
	// Senders start as they are needed, up to Workers: a receiver that keeps up needs a few, and
	// every idle goroutine would only add to the scheduling delay of the rest.
	tickets := make(chan ticket)
	src := newMixSource(shardSeed(cfg), roomPrefix(cfg), cfg.Weights)
	var wg sync.WaitGroup
	senders := 0
	spawn := func() {
		senders++
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tickets {
				msg, rm := src.next(t.intended)
				r.send(msg, t.intended)
				src.release(rm)
			}
		}()
	}
	h := &handOut{r: r, p: newPacer(), sending: true}
	end := r.start.Add(cfg.Duration)
	var n int64
	for i := int64(0); ; i++ {
		due := schedule(cfg, r.start, i)
		if cfg.Duration > 0 && !due.Before(end) {
			break
		}
		// Each shard takes every Count-th request of the whole schedule.
		if i%int64(cfg.Shard.Count) != int64(cfg.Shard.Index) {
			continue
		}
		if cfg.Count > 0 && n >= cfg.Count {
			break
		}
		n++
		if !h.next(ctx, due, func(t ticket) bool {
			select {
			case tickets <- t: // an idle sender took it
				return true
			default:
			}
			if senders < cfg.Workers {
				spawn()
			}
			select {
			case tickets <- t: // a new sender, or the first to be free: the wait shows as lag
				return true
			case <-ctx.Done():
				return false
			}
		}) {
			break
		}
	}
	close(tickets)
	wg.Wait()
}

// handOut hands a loop's tickets to its senders as they fall due, until the run ends.
type handOut struct {
	r       *runner
	p       *pacer
	sending bool
}

// next waits until due and hands the ticket over with give (false: the run ended first). Once
// the run's duration is over, every ticket still due is counted as not sent. It returns false
// when the loop should stop: the run was interrupted, and what was not sent was not waited for.
func (h *handOut) next(ctx context.Context, due time.Time, give func(ticket) bool) bool {
	if h.sending {
		if h.sending = h.p.wait(ctx, due) && give(ticket{intended: due}); h.sending {
			return true
		}
	}
	if !h.r.late() {
		return false
	}
	h.r.col.addUnsent(1)
	return true
}

// rooms plays the generator's traffic model: every event goes at its simulated time divided
// by the speed-up. A room's events all go through one sender, in order.
func (r *runner) rooms(ctx context.Context) {
	cfg := r.cfg
	// Every shard makes the same stream and sends its part of the rooms: the prefix must not differ.
	gen := generator.New(cfg.Seed, generator.WithRoomPrefix(fmt.Sprintf("lh%x_", uint32(cfg.Seed))))
	stream, err := gen.Stream(cfg.traffic(r.start))
	if err != nil {
		r.col.fail(err)
		return
	}
	queues := make([]chan ticket, cfg.Workers)
	var wg sync.WaitGroup
	for i := range queues {
		q := make(chan ticket, 64)
		queues[i] = q
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range q {
				switch {
				case r.late(): // due before the end, but its room's sender was held up until then
					r.col.addUnsent(1)
					continue
				case ctx.Err() != nil: // interrupted
					continue
				}
				r.send(t.msg, t.intended)
			}
		}()
	}
	hand := &handOut{r: r, p: newPacer(), sending: true}
	end := r.start.Add(cfg.Duration)
	var n int64
	for ev, ok := stream.Next(); ok; ev, ok = stream.Next() {
		due := r.start.Add(time.Duration(float64(ev.At.Sub(generator.DefaultStart)) / cfg.Speedup))
		if cfg.Duration > 0 && !due.Before(end) {
			break
		}
		h := hashRoom(ev.Event.Room())
		if h%uint32(cfg.Shard.Count) != uint32(cfg.Shard.Index) {
			continue
		}
		if cfg.Count > 0 && n >= cfg.Count {
			break
		}
		n++
		if !hand.next(ctx, due, func(t ticket) bool {
			t.msg = ev.Message
			select {
			case queues[h%uint32(len(queues))] <- t:
				return true
			case <-ctx.Done():
				return false
			}
		}) {
			break
		}
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
}
