package scenarios

import (
	"time"

	"gopkg.in/yaml.v3"

	"github.com/livehook/livehook/delivery"
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

// Conditions are the delivery conditions the YAML stands for; nil stands for none.
func (dl *Delivery) Conditions() delivery.Conditions {
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
	if err := dl.Conditions().Validate(); err != nil {
		d.errorf(at, "delivery: %v", err)
	}
}
