package load

import (
	"time"

	"github.com/livehook/livehook/internal/trend"
)

// Trend compares the latency of a run's first tenth of requests with its last tenth's, from
// the timeline: each tenth is the whole seconds at that end of the run that hold a tenth of
// the requests, and its latency the mean of their seconds' medians, weighted by their counts.
type Trend = trend.Trend

// LatencyTrend is the run's trend; nil when the timeline is too short to tell (fewer than ten
// seconds with requests, or fewer than trend.MinRequests requests).
func (r *Report) LatencyTrend() *Trend {
	type sec struct {
		n   int64
		p50 time.Duration
	}
	var secs []sec
	var total int64
	for _, s := range r.Timeline {
		if s.Span > 0 {
			continue // the last, partial second: too few requests to stand for a tenth
		}
		var x sec
		var weighted float64
		for _, c := range s.Commands {
			x.n += c.Count - c.Errors
			weighted += float64(c.Count-c.Errors) * float64(c.P50)
		}
		if x.n == 0 {
			continue
		}
		x.p50 = time.Duration(weighted / float64(x.n))
		secs = append(secs, x)
		total += x.n
	}
	if len(secs) < 10 || total < trend.MinRequests {
		return nil
	}
	tenth := func(order func(i int) sec) time.Duration {
		var n int64
		var weighted float64
		for i := range secs {
			s := order(i)
			n += s.n
			weighted += float64(s.n) * float64(s.p50)
			if n*10 >= total {
				break
			}
		}
		return time.Duration(weighted / float64(n))
	}
	return &Trend{
		Requests: total,
		First:    tenth(func(i int) sec { return secs[i] }),
		Last:     tenth(func(i int) sec { return secs[len(secs)-1-i] }),
	}
}

// trendNote is the text report's line on a rising trend, "" for none.
func (r *Report) trendNote() string {
	t := r.LatencyTrend()
	if !t.Rising() {
		return ""
	}
	why := "the receiver slows down as the run goes on (a leaked connection pool, piling goroutines, a growing table?), not only under this load"
	if r.Model == Open {
		why += "; in an open model a backlog that grows because it answers fewer than the rate looks the same: compare the service time"
	}
	return "Trend: " + t.Describe("requests answered", why) + "."
}
