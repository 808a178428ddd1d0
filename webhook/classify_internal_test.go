package webhook

import (
	"context"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// passingDeadline is a context whose deadline passes right after its first Err call: the moment
// a request's deadline fires while its failure is being classified.
type passingDeadline struct {
	context.Context
	calls atomic.Int32
}

func (c *passingDeadline) Err() error {
	if c.calls.Add(1) == 1 {
		return nil
	}
	return context.DeadlineExceeded
}

func TestClassifyReadsTheContextOnce(t *testing.T) {
	g := NewWithT(t)
	ctx := &passingDeadline{Context: context.Background()}
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	outcome, err := classify(ctx, timeout, 2*time.Second)
	g.Expect(outcome).To(Equal(Timeout), "a timeout is never labelled canceled: %v", err)
	g.Expect(ctx.calls.Load()).To(Equal(int32(1)))

	// And the ordinary cases stay as they were.
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	outcome, _ = classify(canceled, context.Canceled, time.Second)
	g.Expect(outcome).To(Equal(Canceled))
	expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	outcome, _ = classify(expired, context.Canceled, time.Second)
	g.Expect(outcome).To(Equal(Timeout), "a passed deadline wins over the transport's word")
}

func TestOutcomeNames(t *testing.T) {
	g := NewWithT(t)
	g.Expect(BadStatus.String()).To(Equal("bad_status"))
	var o Outcome
	g.Expect(o.UnmarshalText([]byte("status"))).To(Succeed(), "reports written before the rename still read")
	g.Expect(o).To(Equal(BadStatus))
	g.Expect(o.UnmarshalText([]byte("stats"))).To(MatchError(ContainSubstring(`unknown outcome "stats"`)))
}
