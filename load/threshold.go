package load

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/livehook/livehook/webhook"
)

// Threshold is a check on a run's figures, e.g. p99<300ms, errors<0.1%, DestroyRoom:p99<1s.
type Threshold struct {
	Expr    string
	Command string // a command's short name, or All
	Metric  string // p50, p90, p95, p99, p99.9, max, mean, errors, acknowledged, rate, lag-p99
	Op      string // <, <=, >, >=
	Value   float64
	// Percent says that an errors threshold is a share; else it is a count.
	Percent bool
	// Default marks the thresholds a run is judged by when none is given (DefaultThresholds).
	Default bool
}

// MaxDefaultErrorShare is the share of requests not acknowledged above which a run without
// thresholds fails.
const MaxDefaultErrorShare = "1%"

// DefaultThresholds judge a run for which none are given: it fails when no request was
// acknowledged, or when more than MaxDefaultErrorShare of them were not.
func DefaultThresholds() []Threshold {
	var ts []Threshold
	for _, s := range []string{"acknowledged>0", "errors<=" + MaxDefaultErrorShare} {
		t, err := ParseThreshold(s)
		if err != nil {
			panic(err) // a constant that does not parse: a bug caught by every test
		}
		t.Default = true
		ts = append(ts, t)
	}
	return ts
}

// ThresholdResult says whether a threshold was met and what the figure was.
type ThresholdResult struct {
	Expr   string `json:"expr"`
	OK     bool   `json:"ok"`
	Actual string `json:"actual"`
	// Default says the threshold is one of DefaultThresholds, as none was given.
	Default bool `json:"default,omitempty"`
}

var thresholdRE = regexp.MustCompile(`^(?:([A-Za-z]+):)?([a-z0-9.\-]+)\s*(<=|>=|<|>)\s*(\S+)$`)

var durationMetrics = []string{"p50", "p90", "p95", "p99", "p99.9", "max", "mean", "lag-p99"}

// commandAliases name the commands in thresholds.
var commandAliases = map[string]string{"create": "CreateRoom", "modify": "ModifyAdmin", "admin": "ModifyAdmin", "destroy": "DestroyRoom"}

// ParseThreshold reads a threshold such as p99<300ms, errors<0.1%, rate>=950 or destroy:p99<1s.
func ParseThreshold(s string) (Threshold, error) {
	m := thresholdRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Threshold{}, fmt.Errorf("threshold %q: want [command:]metric<value, e.g. p99<300ms, errors<0.1%%, rate>=950, destroy:p99<1s", s)
	}
	t := Threshold{Expr: s, Command: All, Metric: m[2], Op: m[3]}
	if m[1] != "" {
		cmd := commandAliases[strings.ToLower(m[1])]
		for _, c := range webhook.Commands {
			if strings.EqualFold(m[1], c.Short()) {
				cmd = c.Short()
			}
		}
		if cmd == "" {
			return t, fmt.Errorf("threshold %q: unknown command %q: want create, modify or destroy", s, m[1])
		}
		t.Command = cmd
	}
	val := m[4]
	switch {
	case slices.Contains(durationMetrics, t.Metric):
		d, err := time.ParseDuration(val)
		if err != nil {
			return t, fmt.Errorf("threshold %q: %s takes a duration such as 300ms", s, t.Metric)
		}
		t.Value = float64(d)
	case t.Metric == "errors":
		t.Percent = strings.HasSuffix(val, "%")
		f, err := strconv.ParseFloat(strings.TrimSuffix(val, "%"), 64)
		if err != nil || f < 0 {
			return t, fmt.Errorf("threshold %q: errors takes a share such as 0.1%% or a count such as 10", s)
		}
		t.Value = f
	case t.Metric == "acknowledged":
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || f < 0 || f != math.Trunc(f) {
			return t, fmt.Errorf("threshold %q: acknowledged takes a count of requests, e.g. acknowledged>0", s)
		}
		t.Value = f
	case t.Metric == "rate":
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || f < 0 {
			return t, fmt.Errorf("threshold %q: rate takes requests per second, e.g. rate>=950", s)
		}
		if t.Command != All {
			return t, fmt.Errorf("threshold %q: rate is for the whole run, without a command", s)
		}
		t.Value = f
	default:
		return t, fmt.Errorf("threshold %q: unknown metric %q: want one of %s, errors, acknowledged, rate", s, t.Metric, strings.Join(durationMetrics, ", "))
	}
	return t, nil
}

// Check judges the report by the thresholds and records the results in it.
func (r *Report) Check(ts []Threshold) bool {
	ok := true
	r.Thresholds = nil
	for _, t := range ts {
		actual, shown := r.metric(t)
		met := compare(actual, t.Op, t.Value)
		ok = ok && met
		r.Thresholds = append(r.Thresholds, ThresholdResult{Expr: t.Expr, OK: met, Actual: shown, Default: t.Default})
	}
	return ok
}

func (r *Report) metric(t Threshold) (float64, string) {
	c := r.Commands[t.Command]
	if c == nil {
		c = &CommandStats{Latency: &Histogram{}}
	}
	name := t.Metric
	if t.Command != All {
		name = t.Command + " " + name
	}
	h := c.Latency
	var d time.Duration
	switch t.Metric {
	case "p50":
		d = h.P50
	case "p90":
		d = h.P90
	case "p95":
		d = h.P95
	case "p99":
		d = h.P99
	case "p99.9":
		d = h.P999
	case "max":
		d = h.Max
	case "mean":
		d = h.Mean
	case "lag-p99":
		d = r.Lag.P99
	case "errors":
		if t.Percent {
			p := 100 * r.ErrorRate(t.Command)
			return p, fmt.Sprintf("(%s = %.3f%%)", name, p)
		}
		return float64(c.Errors()), fmt.Sprintf("(%s = %d)", name, c.Errors())
	case "acknowledged":
		n := c.Outcomes[webhook.Acknowledged]
		return float64(n), fmt.Sprintf("(%s = %d)", name, n)
	case "rate":
		return r.AchievedRate(), fmt.Sprintf("(rate = %.1f/s)", r.AchievedRate())
	}
	return float64(d), fmt.Sprintf("(%s = %s)", name, short(d))
}

func compare(a float64, op string, b float64) bool {
	switch op {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	}
	return a >= b
}
