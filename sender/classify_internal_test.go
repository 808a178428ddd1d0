package sender

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/livehook/livehook/webhook"
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
	g.Expect(outcome).To(Equal(webhook.Timeout), "a timeout is never labelled canceled: %v", err)
	g.Expect(ctx.calls.Load()).To(Equal(int32(1)))

	// And the ordinary cases stay as they were.
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	outcome, _ = classify(canceled, context.Canceled, time.Second)
	g.Expect(outcome).To(Equal(webhook.Canceled))
	expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	outcome, _ = classify(expired, context.Canceled, time.Second)
	g.Expect(outcome).To(Equal(webhook.Timeout), "a passed deadline wins over the transport's word")
}

// lateTransport answers only once the request's deadline has passed, as a receiver whose answer
// arrives just as the deadline's timer fires on a busy machine: the answer wins the race.
type lateTransport struct{}

func (lateTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	<-r.Context().Done()
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)), Header: http.Header{}}, nil
}

func TestAnAnswerCompleteAfterTheDeadlineIsATimeout(t *testing.T) {
	g := NewWithT(t)
	c := NewClient(WithTimeout(10*time.Millisecond), WithHTTPClient(&http.Client{Transport: lateTransport{}}))
	res := c.Do(context.Background(), webhook.Request{Command: webhook.CommandCreateRoom, URL: "http://127.0.0.1:1/hook", Body: []byte(`{}`)})
	g.Expect(res.Outcome).To(Equal(webhook.Timeout), "%v", res.Err)
	g.Expect(res.Err).To(MatchError(HavePrefix("no complete answer within 10ms (it took ")))
	g.Expect(res.Answer.Status).To(Equal(200), "what came is kept, to show")
}
