// Package delivery delivers webhooks the way the Live backend does rather than the way a
// polite test would: many at once for different rooms, some twice (a retry after a timeout),
// some out of order, after delays, and signed by a clock that is not the receiver's.
//
// The conditions are seeded: the same seed and the same webhooks give the same schedule (which
// webhooks go twice, which are held back, how long each waits). Under concurrency the order in
// which answers arrive may still vary from run to run; each room's own deliveries keep the
// schedule's order.
//
// The scenarios (`delivery:`), load runs (--delivery) and the mock backend (Config.Delivery)
// all deliver through this package.
package delivery

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Conditions say how webhooks are delivered. The zero value delivers them one at a time, each
// once, in order, at once, signed with the sender's own clock.
type Conditions struct {
	// Concurrency is how many webhooks may be in flight at once, for different rooms; a room's
	// own webhooks still go one after another (1 unless set).
	Concurrency int
	// Duplicate is the share of webhooks (0 to 1) delivered a second time, as the vendor's retry
	// on timeout does: the receiver sees the same event twice.
	Duplicate float64
	// SameURL sends a second delivery with the first one's URL exactly (the same RequestTime and
	// Sign). By default a retry is a new request, signed afresh: no source says which the vendor
	// does, and a receiver must accept both.
	SameURL bool
	// Overlap is the share of webhooks (0 to 1) delivered twice at once: the redelivery starts
	// while the first delivery is still in flight, as a retry on timeout does when the first
	// attempt was only slow. A room's other webhooks still wait for both.
	Overlap float64
	// Reorder is the share of webhooks (0 to 1) held back and delivered after the next webhook
	// of their room: an admin change or a destroy then arrives before the room's creation, or
	// before an earlier change. A destroy, the last webhook of its room, is never held back.
	Reorder float64
	// Delay is how long each webhook waits before it goes, give or take up to Jitter.
	Delay, Jitter time.Duration
	// Skew moves RequestTime away from the sender's clock: positive ahead of the receiver's
	// clock, negative behind it. It matters only to signed webhooks.
	Skew time.Duration
}

// Limits of the conditions.
const (
	MaxConcurrency = 4096
	MaxDelay       = time.Minute
	MaxSkew        = 24 * time.Hour
)

// IsZero reports whether the conditions deliver as the zero value does.
func (c Conditions) IsZero() bool { return c == Conditions{} || c == Conditions{Concurrency: 1} }

// Validate checks the conditions' values.
func (c Conditions) Validate() error {
	var errs []error
	if c.Concurrency < 0 || c.Concurrency > MaxConcurrency {
		errs = append(errs, fmt.Errorf("concurrency is %d: want 1 to %d", c.Concurrency, MaxConcurrency))
	}
	for _, s := range []struct {
		name string
		v    float64
	}{{"duplicate", c.Duplicate}, {"overlap", c.Overlap}, {"reorder", c.Reorder}} {
		if s.v < 0 || s.v > 1 || math.IsNaN(s.v) {
			errs = append(errs, fmt.Errorf("%s is %v: want a share from 0%% to 100%%", s.name, formatShare(s.v)))
		}
	}
	if c.Delay < 0 || c.Delay > MaxDelay {
		errs = append(errs, fmt.Errorf("delay is %v: want 0 to %v", c.Delay, MaxDelay))
	}
	if c.Jitter < 0 || c.Jitter > MaxDelay {
		errs = append(errs, fmt.Errorf("jitter is %v: want 0 to %v", c.Jitter, MaxDelay))
	}
	if c.Skew < -MaxSkew || c.Skew > MaxSkew {
		errs = append(errs, fmt.Errorf("skew is %v: want at most %v either way", c.Skew, MaxSkew))
	}
	return errors.Join(errs...)
}

// Keys are the names of the conditions, in the text form and in YAML.
var Keys = []string{"concurrency", "duplicate", "overlap", "reorder", "delay", "jitter", "skew", "retry"}

// Parse reads conditions written as comma-separated key=value pairs, for a command-line flag:
//
//	concurrency=32,duplicate=1%,overlap=1%,reorder=0.5%,delay=20ms,jitter=10ms,skew=-30s,retry=same-url
//
// Shares are percentages (1%) or fractions (0.01); durations as Go writes them; skew may be
// negative; retry is fresh-sign (the default) or same-url.
func Parse(s string) (Conditions, error) {
	var c Conditions
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return c, nil
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return c, fmt.Errorf("%q: want key=value, e.g. duplicate=1%%", part)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if seen[k] {
			return c, fmt.Errorf("%s is given twice", k)
		}
		seen[k] = true
		if err := c.Set(k, v); err != nil {
			return c, err
		}
	}
	return c, c.Validate()
}

// Set sets one condition from its text, as Parse reads it.
func (c *Conditions) Set(key, value string) error {
	var err error
	switch key {
	case "concurrency":
		var n int
		n, err = strconv.Atoi(value)
		c.Concurrency = n
		if err != nil {
			err = fmt.Errorf("want a whole number, got %q", value)
		}
	case "duplicate":
		c.Duplicate, err = ParseShare(value)
	case "overlap":
		c.Overlap, err = ParseShare(value)
	case "reorder":
		c.Reorder, err = ParseShare(value)
	case "delay":
		c.Delay, err = parseDuration(value, false)
	case "jitter":
		c.Jitter, err = parseDuration(value, false)
	case "skew":
		c.Skew, err = parseDuration(value, true)
	case "retry":
		switch value {
		case "fresh-sign":
			c.SameURL = false
		case "same-url":
			c.SameURL = true
		default:
			err = fmt.Errorf("want fresh-sign or same-url, got %q", value)
		}
	default:
		return fmt.Errorf("unknown delivery condition %q: want one of %s", key, strings.Join(Keys, ", "))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// String writes the conditions as Parse reads them, leaving out those at their defaults.
func (c Conditions) String() string {
	var parts []string
	if c.Concurrency > 1 {
		parts = append(parts, "concurrency="+strconv.Itoa(c.Concurrency))
	}
	if c.Duplicate > 0 {
		parts = append(parts, "duplicate="+formatShare(c.Duplicate))
	}
	if c.Overlap > 0 {
		parts = append(parts, "overlap="+formatShare(c.Overlap))
	}
	if c.SameURL {
		parts = append(parts, "retry=same-url")
	}
	if c.Reorder > 0 {
		parts = append(parts, "reorder="+formatShare(c.Reorder))
	}
	if c.Delay > 0 {
		parts = append(parts, "delay="+c.Delay.String())
	}
	if c.Jitter > 0 {
		parts = append(parts, "jitter="+c.Jitter.String())
	}
	if c.Skew != 0 {
		parts = append(parts, "skew="+formatSkew(c.Skew))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// ParseShare reads a share written as a percentage (2.5%) or a fraction (0.025), 0 to 1.
func ParseShare(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("want a share such as 1%% or 0.01, got %q", s)
	}
	if pct {
		v /= 100
	}
	if v < 0 || v > 1 {
		return 0, fmt.Errorf("want a share from 0%% to 100%%, got %q", s)
	}
	return v, nil
}

// formatShare writes a share as a percentage.
func formatShare(v float64) string { return strconv.FormatFloat(v*100, 'g', -1, 64) + "%" }

// formatSkew writes a skew with its sign: +75s, -1m0s.
func formatSkew(d time.Duration) string {
	if d > 0 {
		return "+" + d.String()
	}
	return d.String()
}

func parseDuration(s string, signed bool) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimPrefix(s, "+"))
	if err != nil {
		return 0, fmt.Errorf("want a duration such as 200ms or 2s, got %q", s)
	}
	if d < 0 && !signed {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}
