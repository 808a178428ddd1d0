package runner

import (
	"slices"
	"sync"
	"time"

	"github.com/livehook/livehook/internal/trend"
	"github.com/livehook/livehook/scenarios/report"
)

// A receiver that slows down as it runs (a leaked connection pool, goroutines that pile up, a
// table scanned in full) fails the contract's later, concurrent scenarios with timeouts, and
// reads as one that cannot take concurrency. The run keeps the latencies of the webhooks it
// sent one at a time, in the order sent, and compares the first tenth with the last: the same
// kind of request, under the same load, answered more slowly at the end names the trend.

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
func (r *trendRecorder) trend() *report.Trend {
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
	return &report.Trend{Requests: int64(r.seen), First: median(r.samples[:tenth]), Last: median(r.samples[n-tenth:])}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
