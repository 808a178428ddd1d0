package scenarios

import (
	"context"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/webhook"
)

// Delivery is how webhooks are delivered: as the Live backend does, many at once, some twice,
// some out of order, late, or signed by a clock that is not the receiver's (package delivery).
// In YAML: {concurrency: 32, duplicate: 10%, overlap: 10%, reorder: 10%, delay: 20ms, jitter: 10ms, skew: -75s,
// retry: same-url}; every field is optional.
//
// On a scenario, its webhook steps are delivered together under the conditions, in batches that
// its wait, check and generate steps close (what a check sees follows every webhook before it);
// each answer must still meet its step's expect. On a generate step, they apply to its rooms.
type Delivery struct {
	// Concurrency is how many webhooks may be in flight at once, for different rooms.
	Concurrency int `yaml:"concurrency" json:"concurrency,omitempty"`
	// Duplicate is the share of webhooks delivered twice, as a retry after a timeout is.
	Duplicate Share `yaml:"duplicate" json:"duplicate,omitempty"`
	// Overlap is the share of webhooks delivered twice at once, the retry in flight with the
	// first delivery.
	Overlap Share `yaml:"overlap" json:"overlap,omitempty"`
	// Reorder is the share of webhooks held back until after their room's next webhook.
	Reorder Share `yaml:"reorder" json:"reorder,omitempty"`
	// Delay, give or take Jitter, is how long each webhook waits before it goes.
	Delay  Duration `yaml:"delay" json:"delay,omitempty"`
	Jitter Duration `yaml:"jitter" json:"jitter,omitempty"`
	// Skew moves RequestTime ahead of (positive) or behind (negative) the receiver's clock; it
	// needs a callback token (--token), else the scenario is skipped.
	Skew Skew `yaml:"skew" json:"skew,omitempty"`
	// Retry is how a second delivery is signed: fresh-sign (a new RequestTime and Sign, the
	// default) or same-url (the first delivery's URL exactly).
	Retry RetryMode `yaml:"retry" json:"retry,omitempty"`
}

// Share is a share from 0 to 1, written as a percentage (10%) or a fraction (0.1).
type Share float64

// Skew is a duration that may be negative: -75s, +62s.
type Skew time.Duration

// RetryMode is fresh-sign or same-url.
type RetryMode string

// Values lists the allowed values.
func (RetryMode) Values() []string { return []string{"fresh-sign", "same-url"} }

func (s *Share) decodeNode(d *decoder, n *yaml.Node) {
	c := d.expandVars(n)
	if c.Kind != yaml.ScalarNode || isNull(c) {
		d.errorf(n, "want a share such as 10%% or 0.1, got %s", describe(n))
		return
	}
	v, err := delivery.ParseShare(c.Value)
	if err != nil {
		d.errorf(n, "%v", err)
		return
	}
	*s = Share(v)
}

func (s *Skew) decodeNode(d *decoder, n *yaml.Node) {
	c := d.expandVars(n)
	if c.Kind != yaml.ScalarNode || isNull(c) {
		d.errorf(n, "want a duration such as 75s or -75s, got %s", describe(n))
		return
	}
	var cond delivery.Conditions
	if err := cond.Set("skew", c.Value); err != nil {
		d.errorf(n, "%v", err)
		return
	}
	*s = Skew(cond.Skew)
}

// conditions are the delivery conditions; nil stands for none.
func (dl *Delivery) conditions() delivery.Conditions {
	if dl == nil {
		return delivery.Conditions{}
	}
	return delivery.Conditions{
		Concurrency: dl.Concurrency, Duplicate: float64(dl.Duplicate), Overlap: float64(dl.Overlap), Reorder: float64(dl.Reorder),
		Delay: time.Duration(dl.Delay), Jitter: time.Duration(dl.Jitter), Skew: time.Duration(dl.Skew),
		SameURL: dl.Retry == "same-url",
	}
}

// validate reports conditions out of their bounds.
func (dl *Delivery) validate(d *decoder, at *yaml.Node) {
	if err := dl.conditions().Validate(); err != nil {
		d.errorf(at, "delivery: %v", err)
	}
}

// batch is the webhooks of a scenario's steps, delivered together under its conditions.
type batch struct {
	d        *delivery.Dispatcher
	mu       sync.Mutex
	outcomes []delivery.Record
	failures int
}

// sent is what the steps of a batch hand the dispatcher: which step sent the item.
type sent struct {
	st *Step
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
			if o.Sent() && o.Item.Tag.(sent).st.Expect.check(&o.Result, x.cfg.Timeout) != "" {
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
func (x *execution) enqueue(st *Step, sr *report.StepResult, it *delivery.Item) {
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
