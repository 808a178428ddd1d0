package scenarios

import (
	"context"
	"fmt"

	"github.com/livehook/livehook/generator"
)

// Generate sends the full lifecycles of realistic rooms from the generator: rooms open, change
// admins and close, interleaved as the traffic model has them, each room's events in order.
type Generate struct {
	// Rooms is how many rooms; at least 1.
	Rooms int `yaml:"rooms" json:"rooms"`
	// Seed makes the rooms; the scenario's own seed, derived from the run's, unless set.
	Seed *int64 `yaml:"seed" json:"seed,omitempty"`
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
}

// run sends the events of generated rooms as the generator's traffic model interleaves them, as
// fast as the app backend answers, with times that follow the wall clock at a speed-up.
func (g *Generate) run(ctx context.Context, x *execution, st *Step, sr *StepResult) {
	x.flush(ctx)
	seed := x.seed
	if g.Seed != nil {
		seed = *g.Seed
	}
	gen := generator.New(seed, generator.WithRoomPrefix(fmt.Sprintf("lh_g%x_", uint32(seed))))
	stream, err := gen.Stream(generator.Traffic{Rooms: g.Rooms,
		Clock: generator.WallClock(generator.DefaultStart, x.now(), generateSpeedup)})
	if err != nil {
		sr.fail("%v", err)
		return
	}
	failures := 0
	for ev, ok := stream.Next(); ok; ev, ok = stream.Next() {
		if failures >= maxFailedExchanges {
			break // enough to show what is wrong; a stalling receiver would hold the run up
		}
		if ctx.Err() != nil {
			sr.fail("interrupted after %d requests", sr.Sent)
			return
		}
		req, err := x.cfg.Endpoint.NewRequest(ev.Message, x.urlOptions(nil))
		if err != nil {
			sr.fail("%v", err)
			return
		}
		if !x.exchange(ctx, st, req, sr) {
			failures++
		}
	}
	if failures > 0 {
		stopped := ""
		if failures >= maxFailedExchanges {
			stopped = fmt.Sprintf(", then the step stopped short of its %d rooms", g.Rooms)
		}
		sr.fail("%d of %d requests failed%s; the last: %s", failures, sr.Sent, stopped, sr.Failure)
	}
}
