package load_test

import (
	"testing"

	"github.com/livehook/livehook/load"
	"github.com/livehook/livehook/webhook"
)

// FuzzParseThreshold: no input panics, and what parses judges a report without panicking, the
// same way when parsed again from its own text.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"p99<300ms", "errors<0.1%", "errors<=5", "acknowledged>0", "rate>=950", "destroy:p99<1s", "lag-p99<10ms", "create:max<=2s", "acknowledged>1.5", "p99<", ":<1"} {
		f.Add(s)
	}
	rep := &load.Report{Sent: 10, Commands: map[string]*load.CommandStats{load.All: {Sent: 10, Outcomes: map[webhook.Outcome]int64{webhook.Acknowledged: 9, webhook.Timeout: 1}, Latency: &load.Histogram{}}},
		Lag: &load.Histogram{}, Service: &load.Histogram{}}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := load.ParseThreshold(s)
		if err != nil {
			return
		}
		again, err := load.ParseThreshold(th.Expr)
		if err != nil {
			t.Fatalf("%q parsed, its Expr %q does not: %v", s, th.Expr, err)
		}
		if rep.Check([]load.Threshold{th}) != rep.Check([]load.Threshold{again}) {
			t.Fatalf("%q judges differently parsed again", s)
		}
	})
}
