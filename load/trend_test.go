package load

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// timeline makes a report of n whole seconds of 100 requests each, the i-th second's median p50(i).
func timeline(model Model, n int, p50 func(i int) time.Duration) *Report {
	r := &Report{Model: model}
	for i := range n {
		r.Timeline = append(r.Timeline, Second{At: i, Commands: map[string]SecondStats{"create": {Count: 100, P50: p50(i)}}})
	}
	r.Timeline = append(r.Timeline, Second{At: n, Span: 300 * time.Millisecond, Commands: map[string]SecondStats{"create": {Count: 3, P50: time.Millisecond}}})
	return r
}

func TestATrendOfRisingLatencyIsNamed(t *testing.T) {
	g := NewWithT(t)
	// A leak: fast for the first half, then 20 ms slower each second.
	r := timeline(Closed, 20, func(i int) time.Duration {
		return time.Millisecond + time.Duration(max(0, i-10))*20*time.Millisecond
	})
	tr := r.LatencyTrend()
	g.Expect(tr).NotTo(BeNil())
	g.Expect(tr.Requests).To(Equal(int64(2000)), "the partial last second is left out")
	g.Expect(tr.First).To(Equal(time.Millisecond))
	g.Expect(tr.Last).To(Equal(171*time.Millisecond), "the last two seconds hold the last tenth")
	g.Expect(tr.Rising()).To(BeTrue())
	g.Expect(r.trendNote()).To(HavePrefix("Trend: latency rose over the run: the first tenth of the 2000 requests answered was answered in 1ms (median), the last tenth in 171ms: the receiver slows down"))
	g.Expect(r.trendNote()).NotTo(ContainSubstring("open model a backlog"))
	g.Expect(timeline(Open, 20, func(i int) time.Duration { return time.Millisecond + time.Duration(i)*10*time.Millisecond }).trendNote()).To(ContainSubstring("in an open model a backlog"))
}

func TestNoTrendOfASteadyOrShortRun(t *testing.T) {
	g := NewWithT(t)
	steady := timeline(Closed, 30, func(i int) time.Duration { return time.Duration(40+i%3) * time.Millisecond })
	g.Expect(steady.LatencyTrend().Rising()).To(BeFalse())
	g.Expect(steady.trendNote()).To(BeEmpty())
	// Five times slower, but by a few milliseconds: noise on a busy machine, not a trend.
	small := timeline(Closed, 20, func(i int) time.Duration { return time.Duration(1+i/4) * time.Millisecond })
	g.Expect(small.LatencyTrend().Rising()).To(BeFalse())
	g.Expect(timeline(Closed, 5, func(i int) time.Duration { return time.Duration(i) * time.Second }).LatencyTrend()).To(BeNil(), "too short to tell")
}
