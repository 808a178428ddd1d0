package mockserver_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

// stalled is a receiver that never answers until the test ends.
func stalled(t *testing.T) string {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	return srv.URL + "/live/webhook"
}

// A receiver that never answers cannot hold Shutdown past its deadline, and every webhook fired
// ends up in the log as failed: the ones in flight canceled, the queued ones never sent.
func TestShutdownIsBoundedByAReceiverThatNeverAnswers(t *testing.T) {
	g := NewWithT(t)
	s, err := mockserver.NewServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true, CallbackURL: stalled(t),
		Timeout: time.Hour, Delivery: delivery.Conditions{Concurrency: 2}})
	g.Expect(err).NotTo(HaveOccurred())
	for i := range 10 {
		_, env, _ := call(t, s, plainQuery(), create, createBody(fmt.Sprintf("r%d", i)))
		g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err = s.Shutdown(ctx)
	g.Expect(errors.Is(err, context.DeadlineExceeded)).To(BeTrue(), "%v", err)
	g.Expect(s.Shutdown(t.Context())).To(MatchError(err), "a second Shutdown returns the first's result")
	st, ds := s.Deliveries()
	g.Expect(st).To(Equal(mockserver.Stats{Fired: 10, Failed: 10}))
	g.Expect(ds).To(HaveLen(10))
	for _, d := range ds {
		g.Expect(d.Acknowledged).To(BeFalse())
		g.Expect(d.Outcome).To(Equal(webhook.Canceled), "%+v", d)
	}
	// Close after Shutdown returns at once.
	s.Close()
}

// Close is bounded the same way, by Config.CloseTimeout.
func TestCloseIsBounded(t *testing.T) {
	g := NewWithT(t)
	s, err := mockserver.NewServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true, CallbackURL: stalled(t),
		Timeout: time.Hour, CloseTimeout: 100 * time.Millisecond})
	g.Expect(err).NotTo(HaveOccurred())
	call(t, s, plainQuery(), create, createBody("r"))
	s.Close()
	st, _ := s.Deliveries()
	g.Expect(st).To(Equal(mockserver.Stats{Fired: 1, Failed: 1}))
}

// A full delivery queue never holds up the REST API: with one sender stuck on a receiver that
// never answers, more webhooks than the dispatcher holds are fired and every call still answers;
// at shutdown all of them are accounted for.
func TestAFullQueueDoesNotBlockTheAPI(t *testing.T) {
	g := NewWithT(t)
	s, err := mockserver.NewServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true, CallbackURL: stalled(t),
		Timeout: time.Hour, Delivery: delivery.Conditions{Concurrency: 1}})
	g.Expect(err).NotTo(HaveOccurred())
	const n = delivery.DefaultQueueSize + 200
	for i := range n / 2 {
		id := fmt.Sprintf("room-%d", i)
		_, env, _ := call(t, s, plainQuery(), create, createBody(id))
		g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
		_, env, _ = call(t, s, plainQuery(), destroy, fmt.Sprintf(`{"RoomId":%q}`, id))
		g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	}
	_, env, _ := call(t, s, plainQuery(), info, `{"RoomId":"room-1"}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeNoRoom))
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	g.Expect(s.Shutdown(ctx)).To(HaveOccurred())
	st, _ := s.Deliveries()
	g.Expect(st.Fired).To(Equal(uint64(n)))
	g.Expect(st.Failed).To(Equal(uint64(n)))
	g.Expect(st.Pending).To(BeZero())
}

// Delivery conditions from package delivery: with every webhook duplicated the receiver sees each
// twice, and the counts still add up to the webhooks fired.
func TestDeliveryConditions(t *testing.T) {
	g := NewWithT(t)
	rv, cb := app(t, "")
	s := newMock(t, mockserver.Config{CallbackURL: cb, Delivery: delivery.Conditions{Duplicate: 1}, Seed: 9})
	ok(t, s, create, createBody("twice"))
	ok(t, s, destroy, `{"RoomId":"twice"}`)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := s.Await(ctx, 2)
	g.Expect(err).NotTo(HaveOccurred())
	s.Close()
	st, ds := s.Deliveries()
	g.Expect(st).To(Equal(mockserver.Stats{Fired: 2, Acknowledged: 2}))
	g.Expect(ds).To(HaveLen(4))
	redelivered := 0
	for _, d := range ds {
		if d.Redelivery {
			redelivered++
		}
	}
	g.Expect(redelivered).To(Equal(2))
	g.Expect(rv.Deliveries()).To(HaveLen(4))

	_, err = mockserver.NewServer(mockserver.Config{SDKAppID: appID, Delivery: delivery.Conditions{Duplicate: 2}})
	g.Expect(err).To(MatchError(ContainSubstring("delivery conditions: duplicate is 200%")))
}

// When the listener fails, Wait says so rather than the server going quiet; Shutdown still
// returns, saying it again, and Wait before Start is an error, not a block.
func TestWaitReportsAFailedListener(t *testing.T) {
	s, err := mockserver.NewUnstartedServer(mockserver.Config{SDKAppID: 1400000001, SkipUserSig: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(); err == nil {
		t.Fatal("Wait before Start: nil, want an error")
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	s.Listener.Close()
	if err := s.Wait(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Wait after the listener failed: %v, want net.ErrClosed", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Shutdown after the listener failed: %v, want the listener's error again", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Shutdown took the whole deadline after the listener failed")
	}
}
