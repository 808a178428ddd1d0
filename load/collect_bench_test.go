package load

import (
	"errors"
	"testing"
	"time"

	"github.com/livehook/livehook/webhook"
)

// BenchmarkCollectorAdd is the cost of counting one result, the collector's work per request
// (under its lock in a run): mostly acknowledged, a few timeouts with an error message.
func BenchmarkCollectorAdd(b *testing.B) {
	c := newCollector(&Config{}, time.Now())
	now := time.Now()
	ok := webhook.Result{Command: webhook.CommandCreateRoom, Intended: now, Sent: now, Done: now.Add(300 * time.Microsecond), Outcome: webhook.Acknowledged}
	slow := webhook.Result{Command: webhook.CommandModifyAdmin, Intended: now, Sent: now, Done: now.Add(2 * time.Second), Outcome: webhook.Timeout, Err: errors.New("no complete answer within 2s")}
	b.ReportAllocs()
	for i := range b.N {
		if i%100 == 0 {
			c.add(&slow)
		} else {
			c.add(&ok)
		}
	}
}
