// Package load measures a webhook receiver under realistic Live traffic: open and closed models,
// latency from each request's scheduled time (no coordinated omission), HDR histograms per
// command, thresholds, and reports that shards can merge exactly. A Config (config.go, which
// refuses the fields of one model or traffic set for another) drives Run (run.go, source.go);
// a collector gathers each result as it comes (collect.go) into a Report, the model with its
// JSON and Merge (report.go), written for people as text (text.go) or a self-contained HTML
// page (html.go, its charts drawn by internal/chart) and judged by Thresholds (threshold.go).
package load

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// Defaults of a load run.
const (
	DefaultRate        = 100.0
	DefaultDuration    = 10 * time.Second
	DefaultConcurrency = 10
	// DefaultWorkers bounds the requests in flight in the open model.
	DefaultWorkers = 512
	// DefaultOpenRooms is how many rooms the flat mix keeps open at most.
	DefaultOpenRooms = 1000
	// DefaultSpeedup plays the generator's simulated day this much faster than the wall clock.
	DefaultSpeedup = generator.DefaultSpeedup
)

// Model is how requests are paced.
type Model int

// The models.
const (
	// Open sends at a rate, whatever the receiver does: a slow receiver builds up latency.
	Open Model = iota
	// Closed has a fixed number of senders, each waiting for its answer before the next request.
	Closed
)

var modelNames = [...]string{Open: "open", Closed: "closed"}

func (m Model) String() string {
	if m >= 0 && int(m) < len(modelNames) {
		return modelNames[m]
	}
	return fmt.Sprintf("model(%d)", int(m))
}

// MarshalText encodes the model by name, as reports carry it.
func (m Model) MarshalText() ([]byte, error) {
	if m < 0 || int(m) >= len(modelNames) {
		return nil, fmt.Errorf("model %d: want Open or Closed", int(m))
	}
	return []byte(modelNames[m]), nil
}

// UnmarshalText decodes a model's name.
func (m *Model) UnmarshalText(b []byte) error {
	for i, n := range modelNames {
		if n == string(b) {
			*m = Model(i)
			return nil
		}
	}
	return fmt.Errorf("unknown model %q: want open or closed", b)
}

// TrafficKind is what the requests are.
type TrafficKind int

// The kinds of traffic.
const (
	// Mix sends the three webhooks in proportion to Weights, for rooms each sender keeps open.
	Mix TrafficKind = iota
	// Rooms plays the generator's traffic model: rooms open, change admins and close at the times
	// the model gives, at Speedup times the simulated clock (open model only).
	Rooms
)

var trafficNames = [...]string{Mix: "mix", Rooms: "rooms"}

func (t TrafficKind) String() string {
	if t >= 0 && int(t) < len(trafficNames) {
		return trafficNames[t]
	}
	return fmt.Sprintf("traffic(%d)", int(t))
}

// MarshalText encodes the traffic by name, as reports carry it.
func (t TrafficKind) MarshalText() ([]byte, error) {
	if t < 0 || int(t) >= len(trafficNames) {
		return nil, fmt.Errorf("traffic %d: want Mix or Rooms", int(t))
	}
	return []byte(trafficNames[t]), nil
}

// UnmarshalText decodes a traffic's name.
func (t *TrafficKind) UnmarshalText(b []byte) error {
	for i, n := range trafficNames {
		if n == string(b) {
			*t = TrafficKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown traffic %q: want mix or rooms", b)
}

// Weights are the shares of the three webhooks in the flat mix.
type Weights struct {
	Create, Modify, Destroy float64
}

// DefaultWeights send as many creations as destructions, and two admin changes for each.
var DefaultWeights = Weights{Create: 1, Modify: 2, Destroy: 1}

// Shard is one part of a run split across machines: Index of Count, from 0.
type Shard struct {
	Index, Count int
}

// Config configures a load run.
type Config struct {
	Endpoint webhook.Endpoint
	Model    Model
	// Rate is the open model's requests per second; with RampTo it starts there and changes
	// linearly to RampTo over the run's Duration.
	Rate, RampTo float64
	// Concurrency is the closed model's number of senders.
	Concurrency int
	// Workers bounds the open model's requests in flight (DefaultWorkers unless set).
	Workers int
	// Duration and Count end the run, whichever comes first (DefaultDuration when neither is set).
	Duration time.Duration
	Count    int64
	Traffic  TrafficKind
	Weights  Weights
	// Speedup is the Rooms traffic's speed-up over the simulated clock (DefaultSpeedup unless set).
	Speedup float64
	// RoomRate is the Rooms traffic's rooms opening per simulated second (the generator's default unless set).
	RoomRate float64
	Seed     int64
	Timeout  time.Duration
	Shard    Shard
	// Client sends the requests; one with Timeout and Workers connections is made unless set.
	Client *sender.Client
	// Progress, when set, is called about once a second with the run so far.
	Progress func(Progress)
	// Abort, when closed, abandons the requests in flight too: they end as canceled and are
	// counted so. Canceling Run's context only stops the sending; the requests in flight then get
	// the rest of their deadline.
	Abort <-chan struct{}
	// Delivery delivers the webhooks as the Live backend does (package delivery): redelivered,
	// held back behind their room's next webhook, delayed, signed off the clock. A redelivery is a
	// request of its own, counted on top of Count. Its Concurrency must be unset: a load run's
	// concurrency is Concurrency (closed model) or Workers (open model).
	Delivery delivery.Conditions
}

// Progress is a running total, for a progress line.
type Progress struct {
	Elapsed  time.Duration
	Sent     int64
	Errors   int64
	Rate     float64 // requests per second over the last interval
	P99      time.Duration
	Schedule time.Duration // the open model's lag behind schedule (p99 over the last interval)
}

// scope says which runs each model- or traffic-specific field applies to: a field set for a run
// it does not apply to is refused rather than ignored, since a run that ignored it would not be
// the run its author meant. Fields are named as the CLI's flags name them.
var scope = []struct {
	field, runs string
	set         func(*Config) bool
	applies     func(Model, TrafficKind) bool
}{
	{"rate", "the open model's flat mix", func(c *Config) bool { return c.Rate != 0 }, openMix},
	{"ramp-to", "the open model's flat mix", func(c *Config) bool { return c.RampTo != 0 }, openMix},
	{"workers", "the open model", func(c *Config) bool { return c.Workers != 0 }, func(m Model, _ TrafficKind) bool { return m == Open }},
	{"concurrency", "the closed model", func(c *Config) bool { return c.Concurrency != 0 }, func(m Model, _ TrafficKind) bool { return m == Closed }},
	{"weights", "the flat mix", func(c *Config) bool { return c.Weights != (Weights{}) }, func(_ Model, t TrafficKind) bool { return t == Mix }},
	{"speedup", "the rooms traffic", func(c *Config) bool { return c.Speedup != 0 }, func(_ Model, t TrafficKind) bool { return t == Rooms }},
	{"room-rate", "the rooms traffic", func(c *Config) bool { return c.RoomRate != 0 }, func(_ Model, t TrafficKind) bool { return t == Rooms }},
}

func openMix(m Model, t TrafficKind) bool { return m == Open && t == Mix }

// ScopeError is a field set for a run it does not apply to: Rate for the closed model, say.
type ScopeError struct {
	// Field is the field, as the CLI's flag names it ("rate", "ramp-to", "room-rate", ...).
	Field string
	// Runs names the runs it applies to: "the open model's flat mix", "the rooms traffic", ...
	Runs string
	// Model and Traffic are this run's.
	Model   Model
	Traffic TrafficKind
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("%s applies only to %s, and this run is %s", e.Field, e.Runs, e.Run())
}

// Run names the run: "the open model with the flat mix".
func (e *ScopeError) Run() string {
	traffic := "the flat mix"
	if e.Traffic == Rooms {
		traffic = "the rooms traffic"
	}
	return fmt.Sprintf("the %s model with %s", e.Model, traffic)
}

func (c *Config) prepare() error {
	var errs []error
	// Before the defaults fill the fields in: a default is no choice of the author's.
	for _, sc := range scope {
		if sc.set(c) && !sc.applies(c.Model, c.Traffic) {
			errs = append(errs, &ScopeError{Field: sc.field, Runs: sc.runs, Model: c.Model, Traffic: c.Traffic})
		}
	}
	if err := c.Endpoint.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Duration == 0 && c.Count == 0 {
		c.Duration = DefaultDuration
	}
	if c.Duration < 0 || c.Count < 0 {
		errs = append(errs, errors.New("duration and count cannot be negative"))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout is %v: want a positive duration such as 2s", c.Timeout))
	}
	if c.Timeout == 0 {
		c.Timeout = webhook.DefaultTimeout
	}
	if c.Workers < 0 || c.Concurrency < 0 {
		errs = append(errs, errors.New("workers and concurrency cannot be negative"))
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.Weights == (Weights{}) {
		c.Weights = DefaultWeights
	}
	if w := c.Weights; w.Create < 0 || w.Modify < 0 || w.Destroy < 0 || w.Create == 0 {
		errs = append(errs, errors.New("weights: create must be positive (rooms must open before they change), modify and destroy not negative"))
	}
	if c.Speedup == 0 {
		c.Speedup = DefaultSpeedup
	}
	if !positive(c.Speedup) {
		errs = append(errs, fmt.Errorf("speed-up is %v: want a positive number", c.Speedup))
	}
	if c.Shard.Count == 0 {
		c.Shard = Shard{0, 1}
	}
	if c.Shard.Count < 1 || c.Shard.Index < 0 || c.Shard.Index >= c.Shard.Count {
		errs = append(errs, fmt.Errorf("shard %d/%d: want i/n with 0 ≤ i < n", c.Shard.Index, c.Shard.Count))
	}
	c.Seed = generator.PickSeed(c.Seed)
	if c.Traffic != Mix && c.Traffic != Rooms {
		errs = append(errs, fmt.Errorf("traffic %d: want Mix or Rooms", int(c.Traffic)))
	}
	if c.Traffic == Rooms {
		// The generator's own rules judge its traffic, before anything is sent.
		if _, err := generator.New(c.Seed).Stream(c.traffic(time.Now())); err != nil {
			errs = append(errs, fmt.Errorf("rooms %w", err))
		}
	}
	switch c.Model {
	case Open:
		if c.Traffic == Mix && !positive(c.Rate) {
			errs = append(errs, fmt.Errorf("rate is %v requests/s: want a positive number", c.Rate))
		}
		if c.RampTo != 0 && !positive(c.RampTo) {
			errs = append(errs, fmt.Errorf("ramp-to rate is %v: want a positive number", c.RampTo))
		}
		if c.RampTo > 0 && c.Duration == 0 {
			errs = append(errs, errors.New("a ramp needs a duration to ramp over"))
		}
	case Closed:
		if c.Concurrency == 0 {
			c.Concurrency = DefaultConcurrency
		}
		if c.Traffic == Rooms {
			errs = append(errs, errors.New("the rooms traffic sets its own pace: use the open model"))
		}
		// A shard takes its part of the senders.
		c.Concurrency = partOf(c.Concurrency, c.Shard)
		if c.Concurrency == 0 {
			errs = append(errs, fmt.Errorf("concurrency leaves shard %d/%d without a sender", c.Shard.Index, c.Shard.Count))
		}
	default:
		errs = append(errs, fmt.Errorf("model %d: want Open or Closed", int(c.Model)))
	}
	if c.Count > 0 {
		c.Count = int64(partOf(int(c.Count), c.Shard))
	}
	if c.Client == nil {
		c.Client = sender.NewClient(sender.WithTimeout(c.Timeout), sender.WithFastTransport())
	}
	if err := c.Delivery.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("delivery: %w", err))
	}
	if c.Delivery.Concurrency > 1 {
		errs = append(errs, errors.New("delivery: concurrency does not apply to load runs: their concurrency is --concurrency (closed model) or --workers (open model)"))
	}
	if err := errors.Join(errs...); err != nil {
		return &ConfigError{err}
	}
	return nil
}

// Validate reports what Run would refuse in c, without sending anything: nil, or a
// *ConfigError joining every problem, among them a *ScopeError for each field set for a run it
// does not apply to.
func (c Config) Validate() error { return c.prepare() }

// ConfigError is a configuration Run refuses before sending anything.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// positive reports whether f is a finite number above zero.
func positive(f float64) bool { return f > 0 && !math.IsInf(f, 0) && !math.IsNaN(f) }

// partOf is shard's share of n, the remainder going to the first shards.
func partOf(n int, s Shard) int {
	part := n / s.Count
	if s.Index < n%s.Count {
		part++
	}
	return part
}

// ParseShard reads "i/n".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 0 ≤ i < n, e.g. 0/4", s)
	}
	return Shard{i, n}, nil
}

// ParseWeights reads "create=1,modify=2,destroy=1".
func ParseWeights(s string) (Weights, error) {
	var w Weights
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		f, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || f < 0 {
			return w, fmt.Errorf("weights %q: want create=N,modify=N,destroy=N with N ≥ 0", s)
		}
		switch k {
		case "create":
			w.Create = f
		case "modify":
			w.Modify = f
		case "destroy":
			w.Destroy = f
		default:
			return w, fmt.Errorf("weights: unknown command %q: want create, modify or destroy", k)
		}
	}
	return w, nil
}

// traffic builds a generator traffic model for the Rooms traffic.
func (c *Config) traffic(start time.Time) generator.Traffic {
	return generator.Traffic{Rate: c.RoomRate, Clock: generator.WallClock(generator.DefaultStart, start, c.Speedup)}
}
