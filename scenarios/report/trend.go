package report

import "github.com/livehook/livehook/internal/trend"

// Trend compares the answers to the first and the last tenth of the webhooks a run sent one at
// a time (outside delivery conditions); Rising says whether latency rose enough to name.
type Trend = trend.Trend

// trendText says a run's trend in words.
func trendText(t *Trend) string {
	return t.Describe("webhooks sent one at a time",
		"the receiver slows down as it runs (a leaked connection pool, piling goroutines, a growing table?), whatever the concurrency")
}
