package scenarios

import (
	"context"
	"fmt"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/internal/plural"
	"github.com/livehook/livehook/scenarios/report"
)

// Generate sends the full lifecycles of realistic rooms from the generator: rooms open, change
// admins and close, interleaved as the traffic model has them, each room's events in order.
type Generate struct {
	// Rooms is how many rooms; at least 1.
	Rooms int `yaml:"rooms" json:"rooms"`
	// Seed makes the rooms; the scenario's own seed, derived from the run's, unless set.
	Seed *int64 `yaml:"seed" json:"seed,omitempty"`
	// Delivery delivers the rooms' webhooks as the Live backend does (the scenario's unless set).
	Delivery *Delivery `yaml:"delivery" json:"delivery,omitempty"`
	// Edges is the share of values drawn at the protocol's limits (generator.WithEdges): 48-byte
	// RoomIds of any printable ASCII, 100-byte names of 4-byte UTF-8, full rooms of admins, ...
	Edges Share `yaml:"edges" json:"edges,omitempty"`
}

// maxGenerateRooms bounds a generate step.
const maxGenerateRooms = 100_000

// generateSpeedup is how much faster than the wall clock a generate step's simulated clock runs:
// an hour of rooms takes a second of EventTime.
const generateSpeedup = 3600

// maxFailedExchanges bounds the failing exchanges a step that sends many keeps for its report.
const maxFailedExchanges = 5

func (g *Generate) validate(v *stepCheck) {
	if g.Rooms < 1 || g.Rooms > maxGenerateRooms {
		v.errorf("generate: rooms is %d: want 1 to %d", g.Rooms, maxGenerateRooms)
	}
	if g.Delivery != nil {
		g.Delivery.validate(v.d, v.at)
	}
}

// run sends the events of generated rooms as the generator's traffic model interleaves them, as
// fast as the app backend answers, with times that follow the wall clock at a speed-up.
func (g *Generate) run(ctx context.Context, x *execution, st *Step, sr *report.StepResult) {
	x.flush(ctx)
	seed := x.seed
	if g.Seed != nil {
		seed = *g.Seed
	}
	gen := generator.New(seed, generator.WithRoomPrefix(fmt.Sprintf("lh_g%x_", uint32(seed))), generator.WithEdges(float64(g.Edges)))
	stream, err := gen.Stream(generator.Traffic{Rooms: g.Rooms,
		Clock: generator.WallClock(generator.DefaultStart, x.now(), generateSpeedup)})
	if err != nil {
		fail(sr, "%v", err)
		return
	}
	cond := x.cond
	if g.Delivery != nil {
		cond = g.Delivery.conditions()
	}
	if !cond.IsZero() {
		g.runUnder(ctx, x, st, sr, stream, cond)
		return
	}
	failures := 0
	for ev, ok := stream.Next(); ok; ev, ok = stream.Next() {
		if failures >= maxFailedExchanges {
			break // enough to show what is wrong; a stalling receiver would hold the run up
		}
		if ctx.Err() != nil {
			fail(sr, "interrupted after %s", plural.Of(sr.Sent, "request"))
			return
		}
		req, err := x.cfg.Endpoint.NewRequest(ev.Message, x.urlOptions(nil))
		if err != nil {
			fail(sr, "%v", err)
			return
		}
		if !x.exchange(ctx, st, req, sr) {
			failures++
		}
	}
	if failures > 0 {
		stopped := ""
		if failures >= maxFailedExchanges {
			stopped = fmt.Sprintf(", then the step stopped short of its %s", plural.Of(g.Rooms, "room"))
		}
		fail(sr, "%d of %s failed%s; the last: %s", failures, plural.Of(sr.Sent, "request"), stopped, sr.Failure)
	}
}

// runUnder delivers the stream's webhooks under delivery conditions, and reports every answer
// that does not meet the step's expectation with the conditions it went under.
func (g *Generate) runUnder(ctx context.Context, x *execution, st *Step, sr *report.StepResult, stream *generator.Stream, cond delivery.Conditions) {
	b, err := x.newBatch(cond)
	if err != nil {
		fail(sr, "%v", err)
		return
	}
	stop := context.AfterFunc(ctx, func() { _ = b.d.Shutdown(ctx) })
	for ev, ok := stream.Next(); ok && ctx.Err() == nil; ev, ok = stream.Next() {
		opt := x.urlOptions(nil)
		req, err := x.cfg.Endpoint.NewRequest(ev.Message, opt)
		if err != nil {
			fail(sr, "%v", err)
			break
		}
		it := x.itemFor(ev.Message, req, opt, false)
		it.Tag = sent{st: st, sr: sr}
		if b.d.Enqueue(it) != nil {
			break // stopped early: enough failures
		}
	}
	b.d.Close()
	stop()
	failures, unsent, last := b.record(x)
	stopped := ""
	if unsent > 0 {
		stopped = fmt.Sprintf(", then the step stopped with %s not sent", plural.Of(unsent, "webhook"))
	}
	switch {
	case ctx.Err() != nil:
		fail(sr, "interrupted after %s", plural.Of(sr.Sent, "request"))
	case failures > 0:
		fail(sr, "%d of %s failed under %s%s; the last: %s", failures, plural.Of(sr.Sent, "request"), cond, stopped, last)
	}
}
