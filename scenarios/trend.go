package scenarios

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/livehook/livehook/internal/trend"
)

// A receiver that slows down as it runs (a leaked connection pool, goroutines that pile up, a
// table scanned in full) fails the contract's later, concurrent scenarios with timeouts, and
// reads as one that cannot take concurrency. The run keeps the latencies of the webhooks it
// sent one at a time, in the order sent, and compares the first tenth with the last: the same
// kind of request, under the same load, answered more slowly at the end names the trend.

// Trend compares the answers to the first and the last tenth of the webhooks a run sent one at
// a time (outside delivery conditions).
type Trend struct {
	// Requests counts the webhooks compared: all those sent one at a time.
	Requests int `json:"requests"`
	// First and Last are the medians of the latencies of the first and the last tenth of them.
	First time.Duration `json:"first_tenth_p50_ns"`
	Last  time.Duration `json:"last_tenth_p50_ns"`
}

// Rising reports whether latency rose over the run enough to name: the last tenth's median at
// least five times the first's, and 25 ms more, over at least 100 webhooks; a noisy machine
// moves medians of tens of requests by less.
func (t *Trend) Rising() bool {
	return t != nil && trend.Rising(t.Requests, t.First, t.Last)
}

// String says it in words.
func (t *Trend) String() string {
	return trend.Describe(fmt.Sprintf("the %d webhooks sent one at a time", t.Requests), t.First, t.Last,
		"the receiver slows down as it runs (a leaked connection pool, piling goroutines, a growing table?), whatever the concurrency")
}

const (
	minTrendRequests = trend.MinRequests
	// maxTrendSamples bounds the memory of a long run: past it, every other sample is dropped
	// and samples are kept at twice the stride, so the kept ones stay evenly spread in order.
	maxTrendSamples = 1 << 14
)

// trendRecorder keeps the latencies of a run's webhooks sent one at a time, in order, bounded.
type trendRecorder struct {
	mu      sync.Mutex
	samples []time.Duration
	stride  int // keep one sample in stride
	seen    int
}

func (r *trendRecorder) add(d time.Duration) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stride == 0 {
		r.stride = 1
	}
	if r.seen%r.stride == 0 {
		if len(r.samples) == maxTrendSamples {
			kept := r.samples[:0]
			for i := 0; i < len(r.samples); i += 2 {
				kept = append(kept, r.samples[i])
			}
			r.samples = kept
			r.stride *= 2
		}
		if r.seen%r.stride == 0 {
			r.samples = append(r.samples, d)
		}
	}
	r.seen++
}

// trend is the comparison, nil when too few webhooks went one at a time.
func (r *trendRecorder) trend() *Trend {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.samples)
	if r.seen < minTrendRequests || n < 10 {
		return nil
	}
	tenth := n / 10
	return &Trend{Requests: r.seen, First: median(r.samples[:tenth]), Last: median(r.samples[n-tenth:])}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
