package load

import (
	"fmt"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/livehook/livehook/webhook"
)

// collector holds every statistic. Senders record their results under its lock (cheaper than a
// channel hop per request); a ticker closes each second.
type collector struct {
	cfg   *Config
	start time.Time
	err   error

	mu   sync.Mutex
	stop chan struct{}

	sent   int64
	unsent int64
	// redelivered and reordered count the deliveries under conditions (guarded by mu).
	redelivered, reordered int64
	outcomes               map[webhook.Outcome]int64
	commands               map[string]*cmdAcc
	lag                    *hdrhistogram.Histogram
	service                *hdrhistogram.Histogram
	timeline               []Second
	second                 int
	secAcc                 map[string]*secAcc
	errors                 map[string]*ErrorSample
	errorKeys              []string
	lastSent               int64
	lastTick               time.Time
	secLag                 *hdrhistogram.Histogram
}

type cmdAcc struct {
	sent     int64
	outcomes map[webhook.Outcome]int64
	latency  *hdrhistogram.Histogram
}

type secAcc struct {
	count, errors int64
	h             *hdrhistogram.Histogram
}

func newCollector(cfg *Config, start time.Time) *collector {
	return &collector{cfg: cfg, start: start, stop: make(chan struct{}), outcomes: map[webhook.Outcome]int64{},
		commands: map[string]*cmdAcc{}, lag: newHist(), service: newHist(), secAcc: map[string]*secAcc{},
		errors: map[string]*ErrorSample{}, lastTick: start, secLag: newHist()}
}

// fail records a failure of the run itself (not of a request).
func (c *collector) fail(err error) {
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
}

// run closes a second every second until finish is called.
func (c *collector) run() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			c.mu.Lock()
			c.closeSecond(true)
			c.mu.Unlock()
			return
		case <-tick.C:
			c.mu.Lock()
			c.closeSecond(false)
			c.mu.Unlock()
		}
	}
}

// finish ends run; every sender has recorded its last result by then.
func (c *collector) finish() { close(c.stop) }

// recordDelivery adds one result: of a redelivery, or of a webhook sent after a later one of its
// room, under delivery conditions; cut off when the end of the run's duration canceled it.
func (c *collector) recordDelivery(res *webhook.Result, redelivery, reordered, cutOff bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if redelivery {
		c.redelivered++
	}
	if reordered {
		c.reordered++
	}
	if cutOff {
		c.addCutOff(res)
		return
	}
	c.add(res)
}

// addCutOff counts a request that the end of the run cut off: sent, with its schedule lag, but
// without a latency or a verdict, as its deadline had not passed.
func (c *collector) addCutOff(r *webhook.Result) {
	c.sent++
	c.outcomes[webhook.CutOff]++
	for _, name := range []string{r.Command.Short(), All} {
		a := c.acc(name)
		a.sent++
		a.outcomes[webhook.CutOff]++
	}
	record(c.lag, r.Lag())
	record(c.secLag, r.Lag())
}

// addUnsent counts requests that were due but not sent.
func (c *collector) addUnsent(n int64) {
	c.mu.Lock()
	c.unsent += n
	c.mu.Unlock()
}

// record adds one result.
func (c *collector) record(r *webhook.Result) {
	c.mu.Lock()
	c.add(r)
	c.mu.Unlock()
}

func (c *collector) acc(cmd string) *cmdAcc {
	a := c.commands[cmd]
	if a == nil {
		a = &cmdAcc{outcomes: map[webhook.Outcome]int64{}, latency: newHist()}
		c.commands[cmd] = a
	}
	return a
}

func (c *collector) add(r *webhook.Result) {
	cmd := r.Command.Short()
	outcome := r.Outcome
	c.sent++
	c.outcomes[outcome]++
	for _, name := range []string{cmd, All} {
		a := c.acc(name)
		a.sent++
		a.outcomes[outcome]++
		record(a.latency, r.Latency())
	}
	record(c.lag, r.Lag())
	record(c.secLag, r.Lag())
	record(c.service, r.Done.Sub(r.Sent))
	for _, name := range []string{cmd, All} {
		s := c.secAcc[name]
		if s == nil {
			s = &secAcc{h: newHist()}
			c.secAcc[name] = s
		}
		s.count++
		record(s.h, r.Latency())
		if r.Outcome != webhook.Acknowledged {
			s.errors++
		}
	}
	if r.Outcome != webhook.Acknowledged && r.Err != nil {
		key := outcome.String() + "\x00" + cmd + "\x00" + r.Err.Error()
		if e := c.errors[key]; e != nil {
			e.Count++
		} else if c.countOutcome(outcome) < maxErrorSamples {
			c.errors[key] = &ErrorSample{Outcome: outcome, Command: r.Command.Short(), Error: r.Err.Error(), Count: 1}
			c.errorKeys = append(c.errorKeys, key)
		}
	}
}

func (c *collector) countOutcome(outcome webhook.Outcome) int {
	n := 0
	for _, e := range c.errors {
		if e.Outcome == outcome {
			n++
		}
	}
	return n
}

// closeSecond files the last second's figures and tells the progress callback.
func (c *collector) closeSecond(final bool) {
	now := time.Now()
	sec := Second{At: c.second, Commands: map[string]SecondStats{}}
	for name, s := range c.secAcc {
		if s.count == 0 {
			continue
		}
		us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
		sec.Commands[name] = SecondStats{Count: s.count, Errors: s.errors, P50: us(s.h.ValueAtQuantile(50)), P99: us(s.h.ValueAtQuantile(99)), Max: us(s.h.Max())}
	}
	if span := now.Sub(c.lastTick); final && span < time.Second {
		sec.Span = max(span, 1) // a partial second, however short, is not a whole one
	}
	if len(sec.Commands) > 0 || !final {
		c.timeline = append(c.timeline, sec)
	}
	if c.cfg.Progress != nil {
		all := sec.Commands[All]
		elapsed := now.Sub(c.lastTick).Seconds()
		p := Progress{Elapsed: now.Sub(c.start), Sent: c.sent, Rate: float64(c.sent-c.lastSent) / max(elapsed, 1e-9),
			P99: all.P99, Schedule: time.Duration(c.secLag.ValueAtQuantile(99)) * time.Microsecond}
		for o, n := range c.outcomes {
			if o != webhook.Acknowledged {
				p.Errors += n
			}
		}
		c.cfg.Progress(p)
	}
	c.lastSent, c.lastTick = c.sent, now
	c.second++
	for _, s := range c.secAcc {
		s.count, s.errors = 0, 0
		s.h.Reset()
	}
	c.secLag.Reset()
}

func (c *collector) report(d time.Duration) *Report {
	cfg := c.cfg
	r := &Report{
		Target: cfg.Endpoint.URL, Seed: cfg.Seed, Started: c.start, Duration: d,
		Shards: []string{fmt.Sprintf("%d/%d", cfg.Shard.Index, cfg.Shard.Count)},
		Sent:   c.sent, Unsent: c.unsent, Outcomes: c.outcomes, Commands: map[string]*CommandStats{},
		Redelivered: c.redelivered, Reordered: c.reordered,
		Lag: summarize(c.lag), Service: summarize(c.service), Timeline: c.timeline,
	}
	if !cfg.Delivery.IsZero() {
		r.Delivery = cfg.Delivery.String()
	}
	r.Model = cfg.Model
	switch cfg.Model {
	case Open:
		r.Rate, r.RampTo = cfg.Rate, cfg.RampTo
	case Closed:
		r.Concurrency = cfg.Concurrency
	}
	r.Traffic = cfg.Traffic
	if cfg.Traffic == Rooms {
		r.Rate = 0
	}
	for name, a := range c.commands {
		r.Commands[name] = &CommandStats{Sent: a.sent, Outcomes: a.outcomes, Latency: summarize(a.latency)}
	}
	for _, k := range c.errorKeys {
		r.Errors = append(r.Errors, *c.errors[k])
	}
	if c.err != nil {
		r.RunErrors = append(r.RunErrors, c.err.Error())
	}
	return r
}
