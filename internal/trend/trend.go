// Package trend tells when latency rose over a run: the answers at its end compared with those
// at its start, under the same kind of load. A receiver that slows down as it runs (a leaked
// connection pool, goroutines that pile up, a table scanned in full) then reads as degrading,
// not as one that cannot take concurrency. One rule and one record, read by the scenario
// runner's report and by the load report.
package trend

import (
	"fmt"
	"time"

	"github.com/livehook/livehook/internal/human"
)

// MinRequests is the fewest requests a comparison needs: tenths of fewer are noise.
const MinRequests = 100

// Trend compares the latency of the first and the last tenth of a run's requests.
type Trend struct {
	// Requests counts the requests compared.
	Requests int64 `json:"requests"`
	// First and Last are the medians of the first and the last tenth's latencies.
	First time.Duration `json:"first_tenth_p50_ns"`
	Last  time.Duration `json:"last_tenth_p50_ns"`
}

// Rising reports whether latency rose enough to name: the last tenth's median at least five
// times the first tenth's, and 25 ms more, over at least MinRequests requests. A noisy machine
// moves medians of tens of requests by less.
func (t *Trend) Rising() bool {
	return t != nil && t.Requests >= MinRequests && t.Last >= 5*t.First && t.Last-t.First >= 25*time.Millisecond
}

// Describe says it in words: what names the requests compared ("the webhooks sent one at a
// time"), why gives the likely causes.
func (t *Trend) Describe(what, why string) string {
	return fmt.Sprintf("latency rose over the run: the first tenth of the %d %s was answered in %s (median), the last tenth in %s: %s",
		t.Requests, what, human.Duration(t.First), human.Duration(t.Last), why)
}
