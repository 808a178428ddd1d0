package load

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/livehook/livehook/internal/plural"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// Histogram bounds: microseconds from 1 µs to 10 minutes, 3 significant digits.
const (
	histMin, histMax, histDigits = 1, int64(10 * time.Minute / time.Microsecond), 3
	// All names the statistics of every command together.
	All = "all"
	// maxErrorSamples bounds the error messages kept per outcome.
	maxErrorSamples = 3
)

func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(histMin, histMax, histDigits) }

func record(h *hdrhistogram.Histogram, d time.Duration) {
	us := min(max(int64(d/time.Microsecond), histMin), histMax)
	_ = h.RecordValue(us)
}

// Report is the outcome of a load run. Its JSON carries the HDR histograms, so that the reports
// of shards merge exactly (see Merge).
type Report struct {
	Target      string        `json:"target"`
	Model       Model         `json:"model"`
	Traffic     string        `json:"traffic"`
	Rate        float64       `json:"rate,omitempty"`
	RampTo      float64       `json:"ramp_to,omitempty"`
	Concurrency int           `json:"concurrency,omitempty"`
	Seed        int64         `json:"seed"`
	Shards      []string      `json:"shards"`
	Started     time.Time     `json:"started"`
	Duration    time.Duration `json:"duration_ns"`
	Interrupted bool          `json:"interrupted,omitempty"`
	// Sent counts every request sent; it equals the sum of Outcomes. A request still in flight
	// when the run's duration ended counts as webhook.CutOff: neither acknowledged nor an error,
	// since its deadline had not passed, and without a latency.
	Sent     int64                     `json:"sent"`
	Outcomes map[webhook.Outcome]int64 `json:"outcomes"`
	// Unsent counts the requests due before the run's end that were not sent, because every
	// sender was held up by the receiver until then.
	Unsent int64 `json:"unsent,omitempty"`
	// Delivery is the run's delivery conditions (package delivery's text form), if any;
	// Redelivered counts the requests that delivered an event again, Reordered those sent after
	// a later webhook of their room.
	Delivery    string `json:"delivery,omitempty"`
	Redelivered int64  `json:"redelivered,omitempty"`
	Reordered   int64  `json:"reordered,omitempty"`
	// Commands holds each command's statistics, and All's.
	Commands map[string]*CommandStats `json:"commands"`
	// Lag is how late requests went out against their schedule (the open model).
	Lag *Histogram `json:"lag"`
	// Service is the latency from when requests actually went, for comparison with Latency.
	Service  *Histogram    `json:"service"`
	Timeline []Second      `json:"timeline"`
	Errors   []ErrorSample `json:"errors,omitempty"`
	// Thresholds are the checks the run was judged by, when any.
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`
}

// CommandStats are one command's figures.
type CommandStats struct {
	Sent     int64                     `json:"sent"`
	Outcomes map[webhook.Outcome]int64 `json:"outcomes"`
	// Latency is from each request's scheduled time to its complete answer.
	Latency *Histogram `json:"latency"`
}

// Judged counts the requests that got a verdict: all sent but those cut off by the run's end.
func (c *CommandStats) Judged() int64 { return c.Sent - c.Outcomes[webhook.CutOff] }

// Errors counts the requests judged and not acknowledged.
func (c *CommandStats) Errors() int64 { return c.Judged() - c.Outcomes[webhook.Acknowledged] }

// Histogram is an HDR histogram of durations with its summary.
type Histogram struct {
	Count int64         `json:"count"`
	Min   time.Duration `json:"min_ns"`
	Mean  time.Duration `json:"mean_ns"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P95   time.Duration `json:"p95_ns"`
	P99   time.Duration `json:"p99_ns"`
	P999  time.Duration `json:"p999_ns"`
	Max   time.Duration `json:"max_ns"`
	// HDR is the histogram in the HdrHistogram V2 compressed encoding (microseconds).
	HDR string `json:"hdr"`
	h   *hdrhistogram.Histogram
}

func summarize(h *hdrhistogram.Histogram) *Histogram {
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	out := &Histogram{Count: h.TotalCount(), h: h}
	if out.Count > 0 {
		out.Min, out.Max, out.Mean = us(h.Min()), us(h.Max()), time.Duration(h.Mean()*float64(time.Microsecond))
		out.P50, out.P90, out.P95 = us(h.ValueAtQuantile(50)), us(h.ValueAtQuantile(90)), us(h.ValueAtQuantile(95))
		out.P99, out.P999 = us(h.ValueAtQuantile(99)), us(h.ValueAtQuantile(99.9))
	}
	if b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
		out.HDR = string(b)
	}
	return out
}

// Quantile returns the latency at quantile q (0 to 100).
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.h == nil {
		if err := h.decode(); err != nil {
			return 0
		}
	}
	return time.Duration(h.h.ValueAtQuantile(q)) * time.Microsecond
}

func (h *Histogram) decode() error {
	d, err := hdrhistogram.Decode([]byte(h.HDR))
	if err != nil {
		return fmt.Errorf("a histogram does not decode: %w", err)
	}
	// Only livehook's own bounds: they are what Merge adds up, and a histogram of another
	// precision or range (5 digits over 2^62 µs, say) would make every percentile a long walk.
	if d.LowestTrackableValue() != histMin || d.HighestTrackableValue() != histMax || d.SignificantFigures() != histDigits {
		return fmt.Errorf("a histogram covers %d to %d µs with %d significant digits, want livehook's %d to %d µs with %d",
			d.LowestTrackableValue(), d.HighestTrackableValue(), d.SignificantFigures(), histMin, histMax, histDigits)
	}
	h.h = d
	return nil
}

// Second is one second of the run, for plots of the latency over time.
type Second struct {
	At       int                    `json:"at"` // seconds since the start
	Commands map[string]SecondStats `json:"commands"`
	// Span is the length of a bucket shorter than a second, the run's last; 0 for a whole one.
	// Its counts cover that span only.
	Span time.Duration `json:"span_ns,omitempty"`
}

// SecondStats are one command's figures in one second. After a merge, P50, P99 and Max are the
// highest of the shards', an upper bound.
type SecondStats struct {
	Count  int64         `json:"count"`
	Errors int64         `json:"errors"`
	P50    time.Duration `json:"p50_ns"`
	P99    time.Duration `json:"p99_ns"`
	Max    time.Duration `json:"max_ns"`
}

// ErrorSample is one failed request's story, the first few of each outcome.
type ErrorSample struct {
	Outcome string `json:"outcome"`
	Command string `json:"command"`
	Error   string `json:"error"`
	Count   int64  `json:"count"`
}

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
		} else if c.countOutcome(outcome.String()) < maxErrorSamples {
			c.errors[key] = &ErrorSample{Outcome: outcome.String(), Command: r.Command.Short(), Error: r.Err.Error(), Count: 1}
			c.errorKeys = append(c.errorKeys, key)
		}
	}
}

func (c *collector) countOutcome(outcome string) int {
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
	r.Traffic = "mix"
	if cfg.Traffic == Rooms {
		r.Traffic, r.Rate = "rooms", 0
	}
	for name, a := range c.commands {
		r.Commands[name] = &CommandStats{Sent: a.sent, Outcomes: a.outcomes, Latency: summarize(a.latency)}
	}
	for _, k := range c.errorKeys {
		r.Errors = append(r.Errors, *c.errors[k])
	}
	if c.err != nil {
		r.Errors = append(r.Errors, ErrorSample{Outcome: "run", Error: c.err.Error(), Count: 1})
	}
	return r
}

// AchievedRate is the requests per second actually sent.
func (r *Report) AchievedRate() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Sent) / r.Duration.Seconds()
}

// ErrorRate is the share of the requests judged that were not acknowledged, for a command or All.
func (r *Report) ErrorRate(cmd string) float64 {
	c := r.Commands[cmd]
	if c == nil || c.Judged() <= 0 {
		return 0
	}
	return float64(c.Errors()) / float64(c.Judged())
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadJSON reads a report written by WriteJSON, checking its histograms.
func ReadJSON(rd io.Reader) (*Report, error) {
	var r Report
	dec := json.NewDecoder(rd)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a livehook load report: %w", err)
	}
	// A report collected from a log (kubectl logs) must be the report alone: a line of text
	// after it means the log mixed in something else, such as a failed or interrupted run.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("not a livehook load report alone: something follows the report at byte %d (run the shard with -q so that only the report reaches the log)", dec.InputOffset())
	}
	// The outcomes' names of an older livehook decode to those of now (see
	// webhook.Outcome.UnmarshalText); error samples carry them as text.
	for i := range r.Errors {
		var o webhook.Outcome
		if o.UnmarshalText([]byte(r.Errors[i].Outcome)) == nil {
			r.Errors[i].Outcome = o.String()
		}
	}
	for name, h := range r.histograms() {
		if h == nil {
			return nil, fmt.Errorf("not a livehook load report: %s has no histogram", name)
		}
		if err := h.decode(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return &r, nil
}

func (r *Report) histograms() map[string]*Histogram {
	out := map[string]*Histogram{"lag": r.Lag, "service": r.Service}
	for name, c := range r.Commands {
		if c == nil {
			out[name] = nil
			continue
		}
		out[name] = c.Latency
	}
	return out
}

// Merge combines the reports of the shards of one run: counts add up, histograms merge exactly.
func Merge(reports ...*Report) (*Report, error) {
	if len(reports) == 0 {
		return nil, errors.New("no reports to merge")
	}
	out := &Report{Target: reports[0].Target, Model: reports[0].Model, Traffic: reports[0].Traffic, Rate: reports[0].Rate,
		RampTo: reports[0].RampTo, Seed: reports[0].Seed, Started: reports[0].Started, Outcomes: map[webhook.Outcome]int64{}, Commands: map[string]*CommandStats{}}
	lag, service := newHist(), newHist()
	cmds := map[string]*hdrhistogram.Histogram{}
	timeline := map[int]*Second{}
	seenShard := map[string]bool{}
	var end time.Time
	for i, r := range reports {
		for _, s := range r.Shards {
			if seenShard[s] {
				return nil, fmt.Errorf("report %d: shard %s is in two reports", i+1, s)
			}
			seenShard[s] = true
		}
		if r.Model != out.Model || r.Seed != out.Seed || r.Traffic != out.Traffic {
			return nil, fmt.Errorf("report %d is of another run (model %s, traffic %s, seed %d; the first is %s, %s, %d)", i+1, r.Model, r.Traffic, r.Seed, out.Model, out.Traffic, out.Seed)
		}
		out.Shards = append(out.Shards, r.Shards...)
		out.Sent += r.Sent
		out.Unsent += r.Unsent
		out.Redelivered += r.Redelivered
		out.Reordered += r.Reordered
		out.Concurrency += r.Concurrency
		out.Interrupted = out.Interrupted || r.Interrupted
		if r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		if e := r.Started.Add(r.Duration); e.After(end) {
			end = e
		}
		for k, v := range r.Outcomes {
			out.Outcomes[k] += v
		}
		for name, h := range r.histograms() {
			if h == nil {
				return nil, fmt.Errorf("report %d: %s has no histogram", i+1, name)
			}
			if h.h == nil {
				if err := h.decode(); err != nil {
					return nil, fmt.Errorf("report %d: %s: %w", i+1, name, err)
				}
			}
		}
		lag.Merge(r.Lag.h)
		service.Merge(r.Service.h)
		for name, c := range r.Commands {
			acc := out.Commands[name]
			if acc == nil {
				acc = &CommandStats{Outcomes: map[webhook.Outcome]int64{}}
				out.Commands[name] = acc
				cmds[name] = newHist()
			}
			acc.Sent += c.Sent
			for k, v := range c.Outcomes {
				acc.Outcomes[k] += v
			}
			cmds[name].Merge(c.Latency.h)
		}
		offset := int(r.Started.Sub(reports[0].Started).Round(time.Second) / time.Second)
		for _, sec := range r.Timeline {
			at := sec.At + offset
			t := timeline[at]
			if t == nil {
				t = &Second{At: at, Commands: map[string]SecondStats{}, Span: sec.Span}
				timeline[at] = t
			} else if t.Span > 0 && sec.Span > 0 {
				t.Span = max(t.Span, sec.Span) // the shards ended at about the same time
			} else {
				t.Span = 0 // a whole second in one shard: the bucket is a whole one
			}
			for name, s := range sec.Commands {
				m := t.Commands[name]
				m.Count += s.Count
				m.Errors += s.Errors
				m.P50, m.P99, m.Max = max(m.P50, s.P50), max(m.P99, s.P99), max(m.Max, s.Max)
				t.Commands[name] = m
			}
		}
		out.Errors = append(out.Errors, r.Errors...)
	}
	out.Duration = end.Sub(out.Started)
	out.Lag, out.Service = summarize(lag), summarize(service)
	for name, h := range cmds {
		out.Commands[name].Latency = summarize(h)
	}
	ats := make([]int, 0, len(timeline))
	for at := range timeline {
		ats = append(ats, at)
	}
	sort.Ints(ats)
	for _, at := range ats {
		out.Timeline = append(out.Timeline, *timeline[at])
	}
	slices.Sort(out.Shards)
	return out, nil
}

// commandOrder lists the commands for reports: lifecycle order, then All.
func (r *Report) commandOrder() []string {
	var out []string
	for _, c := range webhook.Commands {
		if _, ok := r.Commands[c.Short()]; ok {
			out = append(out, c.Short())
		}
	}
	if _, ok := r.Commands[All]; ok {
		out = append(out, All)
	}
	return out
}

// WriteText writes the report for people.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	what := ""
	switch r.Model {
	case Open:
		what = fmt.Sprintf("open model, %g requests/s", r.Rate)
		if r.RampTo > 0 {
			what = fmt.Sprintf("open model, ramp %g → %g requests/s", r.Rate, r.RampTo)
		}
		if r.Traffic == "rooms" {
			what = "open model, the generator's rooms"
		}
	case Closed:
		what = "closed model, " + plural.Of(r.Concurrency, "sender")
	}
	fmt.Fprintf(&b, "livehook load: %s against %s, seed %d, shard %s\n", what, r.Target, r.Seed, strings.Join(r.Shards, " "))
	if r.Interrupted {
		b.WriteString("Interrupted: the figures cover what was sent until then.\n")
	}
	fmt.Fprintf(&b, "Sent %s in %s: %.1f requests/s\n", plural.Of(r.Sent, "request"), r.Duration.Round(time.Millisecond), r.AchievedRate())
	for _, note := range []string{r.unsentNote(), r.cutOffNote()} {
		if note != "" {
			b.WriteString(note + "\n")
		}
	}
	if r.Delivery != "" {
		fmt.Fprintf(&b, "Delivered under %s: %s, %d sent after a later webhook of their room\n", r.Delivery, plural.Of(r.Redelivered, "redelivery"), r.Reordered)
	}
	var parts []string
	for _, k := range sortedOutcomes(r.Outcomes) {
		parts = append(parts, fmt.Sprintf("%s %d (%.2f%%)", outcomeLabel(k.String()), r.Outcomes[k], 100*float64(r.Outcomes[k])/float64(max(r.Sent, 1))))
	}
	fmt.Fprintf(&b, "Outcomes: %s\n\n", strings.Join(parts, ", "))
	fmt.Fprintf(&b, "%-12s %9s %8s %9s %9s %9s %9s %9s %9s\n", "latency", "count", "errors", "p50", "p90", "p99", "p99.9", "max", "mean")
	for _, name := range r.commandOrder() {
		c := r.Commands[name]
		h := c.Latency
		fmt.Fprintf(&b, "%-12s %9d %7.2f%% %9s %9s %9s %9s %9s %9s\n", name, c.Judged(), 100*r.ErrorRate(name),
			short(h.P50), short(h.P90), short(h.P99), short(h.P999), short(h.Max), short(h.Mean))
	}
	fmt.Fprintf(&b, "\nLatency counts from each request's scheduled time. Service time alone: p50 %s, p99 %s, max %s.\n", short(r.Service.P50), short(r.Service.P99), short(r.Service.Max))
	if r.Model == Open {
		fmt.Fprintf(&b, "Schedule lag (sent after due): p50 %s, p99 %s, max %s.\n", short(r.Lag.P50), short(r.Lag.P99), short(r.Lag.Max))
	}
	if len(r.Errors) > 0 {
		b.WriteString("\nErrors (the first of each kind):\n")
		for _, e := range r.Errors {
			fmt.Fprintf(&b, "  %-22s %-12s ×%-6d %s\n", outcomeLabel(e.Outcome), e.Command, e.Count, e.Error)
		}
	}
	var msgs []string
	for _, e := range r.Errors {
		msgs = append(msgs, e.Error)
	}
	if hint := sender.NoAnswerHint(r.Target, r.Outcomes, msgs); hint != "" {
		fmt.Fprintf(&b, "\n%s%s\n", strings.ToUpper(hint[:1]), hint[1:]) // the hint starts with a lower-case ASCII word
	}
	if len(r.Thresholds) > 0 {
		if r.Thresholds[0].Default {
			b.WriteString("\nThresholds (the default, as none was given):\n")
		} else {
			b.WriteString("\nThresholds:\n")
		}
		for _, t := range r.Thresholds {
			verdict := "ok  "
			if !t.OK {
				verdict = "FAIL"
			}
			fmt.Fprintf(&b, "  %s  %-24s %s\n", verdict, t.Expr, t.Actual)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// unsentNote says how many requests due were not sent; "" for none.
func (r *Report) unsentNote() string {
	if r.Unsent <= 0 {
		return ""
	}
	return fmt.Sprintf("Not sent: %d more %s due before the end, but the receiver held every sender until then.", r.Unsent, plural.Verb(r.Unsent))
}

// cutOffNote says how many requests the end of the run cut off; "" for none.
func (r *Report) cutOffNote() string {
	n := r.Outcomes[webhook.CutOff]
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("Cut off: %s %s still waiting for an answer when the run's duration ended, and %s canceled then: neither acknowledged nor failed, and without a latency.",
		plural.Of(n, "request"), plural.Verb(n), plural.Verb(n))
}

// outcomeLabel is how reports for people name an outcome: "bad status (non-200)" rather than
// "status", which would read as HTTP 200.
func outcomeLabel(name string) string {
	if name == webhook.BadStatus.String() {
		return "bad status (non-200)"
	}
	return strings.ReplaceAll(name, "_", " ")
}

// sortedOutcomes lists the outcomes, the most frequent first, then by name.
func sortedOutcomes(m map[webhook.Outcome]int64) []webhook.Outcome {
	return slices.SortedFunc(maps.Keys(m), func(a, b webhook.Outcome) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a.String(), b.String()))
	})
}

// short formats a duration with three significant digits.
func short(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d >= time.Second:
		return fmt.Sprintf("%.3gs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3gms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3gµs", float64(d)/float64(time.Microsecond))
}
