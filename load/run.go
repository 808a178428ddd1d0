package load

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/webhook"
)

// ticket is a request to make, and when it was meant to go.
type ticket struct {
	intended time.Time
	msg      webhook.Message // set for the Rooms traffic, whose events come from the schedule
}

// Run sends the traffic cfg describes until its duration or count is reached or ctx is canceled,
// and reports every request sent. Canceling ctx stops the sending; the requests in flight still
// complete (within the timeout) and are counted, so that the report accounts for all of them.
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
	switch {
	case cfg.Model == Closed:
		runClosed(ctx, &cfg, start, col)
	case cfg.Traffic == Rooms:
		runRooms(ctx, &cfg, start, col)
	default:
		runOpen(ctx, &cfg, start, col)
	}
	col.finish()
	<-done
	rep := col.report(time.Since(start))
	rep.Interrupted = ctx.Err() != nil
	return rep, nil
}

// send makes one request and hands its result to the collector. The request's context is not
// the run's: a request already sent completes, or times out, and is counted either way.
func send(cfg *Config, col *collector, msg webhook.Message, intended time.Time) {
	req, err := cfg.Endpoint.NewRequest(msg, webhook.URLOptions{})
	if err != nil {
		col.record(&webhook.Result{Request: req, Command: req.Command, Intended: intended, Sent: intended, Done: time.Now(), Outcome: webhook.ConnError, Err: err})
		return
	}
	req.Intended = intended
	res := cfg.Client.Do(context.Background(), req)
	col.record(&res)
}

// shardSeed gives each shard rooms of its own.
func shardSeed(cfg *Config) int64 { return cfg.Seed*1_000_003 + int64(cfg.Shard.Index) }

// roomPrefix keeps the RoomIds of shards and runs apart.
func roomPrefix(cfg *Config) string {
	return fmt.Sprintf("lh%x_%d_", uint32(cfg.Seed), cfg.Shard.Index)
}

// runClosed runs Concurrency senders, each sending its next request when the last is answered.
func runClosed(ctx context.Context, cfg *Config, start time.Time, col *collector) {
	var deadline time.Time
	if cfg.Duration > 0 {
		deadline = start.Add(cfg.Duration)
	}
	var reserved atomic.Int64
	var wg sync.WaitGroup
	src := newMixSource(shardSeed(cfg), roomPrefix(cfg), cfg.Weights)
	for range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				now := time.Now()
				if !deadline.IsZero() && !now.Before(deadline) {
					return
				}
				if cfg.Count > 0 && reserved.Add(1) > cfg.Count {
					return
				}
				msg, rm := src.next(now)
				send(cfg, col, msg, now)
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

// runOpen sends the flat mix at the scheduled rate; Workers senders take the tickets, each with
// rooms of its own. A ticket waits for a free sender when all are busy, and its latency counts
// from when it was due, so a receiver that stalls shows in the latency, not in a lower rate.
func runOpen(ctx context.Context, cfg *Config, start time.Time, col *collector) {
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
				send(cfg, col, msg, t.intended)
				src.release(rm)
			}
		}()
	}
	p := newPacer()
	end := start.Add(cfg.Duration)
	var n int64
	for i := int64(0); ; i++ {
		due := schedule(cfg, start, i)
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
		if !p.wait(ctx, due) {
			break
		}
		t := ticket{intended: due}
		select {
		case tickets <- t: // an idle sender took it
		default:
			if senders < cfg.Workers {
				spawn()
			}
			tickets <- t // a new sender, or the first to be free: the wait shows as lag
		}
		n++
	}
	close(tickets)
	wg.Wait()
}

// runRooms plays the generator's traffic model: every event goes at its simulated time divided
// by the speed-up. A room's events all go through one sender, in order.
func runRooms(ctx context.Context, cfg *Config, start time.Time, col *collector) {
	// Every shard makes the same stream and sends its part of the rooms: the prefix must not differ.
	gen := generator.New(cfg.Seed, generator.WithRoomPrefix(fmt.Sprintf("lh%x_", uint32(cfg.Seed))))
	stream, err := gen.Stream(cfg.traffic(start))
	if err != nil {
		col.fail(err)
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
				send(cfg, col, t.msg, t.intended)
			}
		}()
	}
	p := newPacer()
	end := start.Add(cfg.Duration)
	var n int64
	for ev, ok := stream.Next(); ok; ev, ok = stream.Next() {
		due := start.Add(time.Duration(float64(ev.At.Sub(generator.DefaultStart)) / cfg.Speedup))
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
		if !p.wait(ctx, due) {
			break
		}
		queues[h%uint32(len(queues))] <- ticket{intended: due, msg: ev.Message}
		n++
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
}
