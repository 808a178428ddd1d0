// Package trend tells when latency rose over a run: the answers at its end compared with those
// at its start, under the same kind of load. A receiver that slows down as it runs (a leaked
// connection pool, goroutines that pile up, a table scanned in full) then reads as degrading,
// not as one that cannot take concurrency. One rule, read by the scenario runner's report and by
// the load report.
package trend

import (
	"fmt"
	"time"
)

// MinRequests is the fewest requests a comparison needs: tenths of fewer are noise.
const MinRequests = 100

// Rising reports whether latency rose enough to name: the last tenth's median at least five
// times the first tenth's, and 25 ms more, over at least MinRequests requests. A noisy machine
// moves medians of tens of requests by less.
func Rising(requests int, first, last time.Duration) bool {
	return requests >= MinRequests && last >= 5*first && last-first >= 25*time.Millisecond
}

// Describe says it in words: what names the requests compared ("the 412 webhooks sent one at a
// time"), why gives the likely causes.
func Describe(what string, first, last time.Duration, why string) string {
	return fmt.Sprintf("latency rose over the run: the first tenth of %s was answered in %s (median), the last tenth in %s: %s",
		what, round(first), round(last), why)
}

func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
