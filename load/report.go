package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

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
	Traffic     TrafficKind   `json:"traffic"`
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
	// RunErrors are failures of the run itself, no request's (the traffic model could not be
	// made, say): a run with one sent less than it was asked to, and says why.
	RunErrors []string `json:"run_errors,omitempty"`
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
	// Outcome is what became of the requests (it marshals as its name, "timeout").
	Outcome webhook.Outcome `json:"outcome"`
	Command string          `json:"command"`
	Error   string          `json:"error"`
	Count   int64           `json:"count"`
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
		out.RunErrors = append(out.RunErrors, r.RunErrors...)
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
