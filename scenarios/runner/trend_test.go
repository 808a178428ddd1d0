package runner_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/runner"
)

// traffic is a file of generated rooms sent one webhook at a time: some hundreds of webhooks.
func traffic(t *testing.T) []*scenarios.File {
	t.Helper()
	f, err := scenarios.Parse("traffic.yaml", strings.NewReader(`scenarios:
  - name: an evening
    steps:
      - generate: {rooms: 40}
  - name: another evening
    steps:
      - generate: {rooms: 20}
`))
	if err != nil {
		t.Fatal(err)
	}
	return []*scenarios.File{f}
}

// slowing answers as next does, but each answer after the first after ones is held by extra.
func slowing(next http.Handler, after int64, extra time.Duration) http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > after {
			time.Sleep(extra) // the receiver's own slowness, not a synchronisation
		}
		next.ServeHTTP(w, r)
	})
}

func TestATrendOfRisingLatencyIsNamed(t *testing.T) {
	g := NewWithT(t)
	h := slowing(reference(t, receiver.Config{}), 120, 40*time.Millisecond)
	rep := run(t, traffic(t), start(t, h), "", func(c *runner.Config) { c.Parallel = 1 })
	g.Expect(rep.Trend).NotTo(BeNil())
	g.Expect(rep.Trend.Requests).To(Equal(int64(rep.Requests)))
	g.Expect(rep.Trend.Rising()).To(BeTrue(), "%+v", rep.Trend)
	g.Expect(rep.Trend.Last).To(BeNumerically(">=", 40*time.Millisecond))
	out := text(t, rep)
	g.Expect(out).To(MatchRegexp(`Latency rose over the run: the first tenth of the \d+ webhooks sent one at a time was answered in \S+ \(median\), the last tenth in \S+: the receiver slows down as it runs`))

	// Failing, the trend leads as the cause.
	h = slowing(reference(t, receiver.Config{}), 120, 40*time.Millisecond)
	failing := run(t, traffic(t), start(t, h), "", func(c *runner.Config) { c.Parallel = 1; c.Timeout = 30 * time.Millisecond })
	g.Expect(failing.Failed).To(BeNumerically(">", 0))
	g.Expect(failing.Diagnosis()).To(HavePrefix("latency rose over the run"))
}

func TestNoTrendOfASteadyReceiver(t *testing.T) {
	g := NewWithT(t)
	// Slow from the first answer to the last, but steady: no trend.
	rep := run(t, traffic(t), start(t, slowing(reference(t, receiver.Config{}), 0, 3*time.Millisecond)), "", func(c *runner.Config) { c.Parallel = 1 })
	g.Expect(rep.Trend).NotTo(BeNil())
	g.Expect(rep.Trend.Rising()).To(BeFalse(), "%+v", rep.Trend)
	g.Expect(text(t, rep)).NotTo(ContainSubstring("Latency rose"))

	// The contract on the reference receiver: its concurrent scenarios come last, but the trend
	// compares only webhooks sent one at a time.
	rep = run(t, contract(t), start(t, reference(t, receiver.Config{Token: token})), token)
	g.Expect(rep.Trend.Rising()).To(BeFalse(), "%+v", rep.Trend)
}
