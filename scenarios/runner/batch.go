package runner

import (
	"context"
	"sync"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/webhook"
)

// batch is the webhooks of a scenario's steps, delivered together under its conditions.
type batch struct {
	d        *delivery.Dispatcher
	mu       sync.Mutex
	outcomes []delivery.Record
	failures int
}

// sent is what the steps of a batch hand the dispatcher: which step sent the item.
type sent struct {
	st *scenarios.Step
	sr *report.StepResult
}

// newBatch starts a dispatcher under the conditions; its schedule is seeded from the
// scenario's seed and which batch of the scenario it is.
func (x *execution) newBatch(c delivery.Conditions) (*batch, error) {
	x.batches++
	b := &batch{}
	var err error
	b.d, err = delivery.NewDispatcher(delivery.Config{
		Client: x.cfg.Client, Conditions: c, Seed: x.seed + int64(x.batches), Now: x.now, Burst: true,
		Report: func(o delivery.Record) {
			b.mu.Lock()
			b.outcomes = append(b.outcomes, o)
			stop := false
			if o.Sent() && judge(o.Item.Tag.(sent).st.Expect, &o.Result, x.cfg.Timeout) != "" {
				b.failures++
				stop = b.failures == maxFailedExchanges
			}
			b.mu.Unlock()
			if stop {
				// Enough to show what is wrong; a receiver that stalls would hold the run up.
				b.d.Abandon()
			}
		},
	})
	return b, err
}

// record records the batch's outcomes in the steps that sent them; a delivery never sent (the
// batch stopped early) is counted apart, not as a request. It returns the failures.
func (b *batch) record(x *execution) (failures, unsent int, last string) {
	for _, o := range b.outcomes {
		s := o.Item.Tag.(sent)
		if !o.Sent() {
			unsent++
			continue
		}
		if !x.record(s.st, s.sr, o.Result, o.Condition()) {
			failures++
			last = s.sr.Failure
		}
	}
	return failures, unsent, last
}

// enqueue hands a step's request to the scenario's batch, starting one if none is open.
func (x *execution) enqueue(st *scenarios.Step, sr *report.StepResult, it *delivery.Item) {
	if x.batch == nil {
		b, err := x.newBatch(x.cond)
		if err != nil {
			fail(sr, "%v", err)
			return
		}
		x.batch = b
	}
	it.Tag = sent{st: st, sr: sr}
	if err := x.batch.d.Enqueue(it); err != nil {
		fail(sr, "%v", err)
	}
}

// flush delivers the open batch, if any, and records every outcome in the step that sent it.
// Steps that do not send webhooks call it first, so that what they see follows every webhook
// before them.
func (x *execution) flush(ctx context.Context) {
	if x.batch == nil {
		return
	}
	b := x.batch
	x.batch = nil
	stop := context.AfterFunc(ctx, func() { _ = b.d.Shutdown(ctx) })
	b.d.Close()
	stop()
	if _, unsent, last := b.record(x); unsent > 0 {
		for _, o := range b.outcomes {
			if s := o.Item.Tag.(sent); !o.Sent() && s.sr.Status != report.StatusFailed {
				fail(s.sr, "not sent: the scenario stopped after %d failures (the last: %s)", maxFailedExchanges, last)
			}
		}
	}
}

// itemFor makes the delivery item of a request whose URL is fixed, or built when it goes.
func (x *execution) itemFor(msg webhook.Message, req webhook.Request, opt webhook.URLOptions, fixedURL bool) *delivery.Item {
	room := req.Command.Short() // a probe without a room goes in order with the others like it
	if msg.Event != nil {
		room = msg.Event.Room()
	}
	if fixedURL {
		return delivery.FixedItem(room, req)
	}
	return delivery.ItemFor(x.cfg.Endpoint, room, req, msg.Meta, opt)
}
