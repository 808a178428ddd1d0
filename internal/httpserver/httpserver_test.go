package httpserver

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestDefaultsAndOverrides(t *testing.T) {
	s := New(http.NotFoundHandler(), Timeouts{})
	if s.ReadHeaderTimeout != DefaultReadHeaderTimeout || s.ReadTimeout != DefaultReadTimeout || s.WriteTimeout != DefaultWriteTimeout ||
		s.IdleTimeout != DefaultIdleTimeout || s.MaxHeaderBytes != MaxHeaderBytes {
		t.Fatalf("defaults: %+v", s)
	}
	s = New(http.NotFoundHandler(), Timeouts{ReadHeader: time.Second, Read: 2 * time.Second, Write: 3 * time.Second, Idle: 4 * time.Second})
	if s.ReadHeaderTimeout != time.Second || s.ReadTimeout != 2*time.Second || s.WriteTimeout != 3*time.Second || s.IdleTimeout != 4*time.Second {
		t.Fatalf("overrides: %+v", s)
	}
	if s = New(http.NotFoundHandler(), Timeouts{Write: -time.Second}); s.WriteTimeout != DefaultWriteTimeout {
		t.Fatalf("a negative timeout takes the default, got %v", s.WriteTimeout)
	}
}

// closingHandler holds each request until its Close is called, as an event stream does.
type closingHandler struct {
	entered chan struct{}
	closed  chan struct{}
}

func (h *closingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.entered <- struct{}{}
	select {
	case <-h.closed:
	case <-r.Context().Done():
	}
}

func (h *closingHandler) Close() error { close(h.closed); return nil }

// Shutdown closes a handler that holds requests open, so that they end and the shutdown does
// not wait for them; a second Wait says the same as the first.
func TestShutdownClosesTheHandler(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &closingHandler{entered: make(chan struct{}, 1), closed: make(chan struct{})}
	r := Serve(ln, h, Timeouts{})
	answered := get(ln, "/stream")
	<-h.entered
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v, want nil: the handler's Close ends the held request", err)
	}
	if err := <-answered; err != nil {
		t.Fatalf("the held request: %v, want an answer", err)
	}
	if err := r.Wait(); err != nil {
		t.Fatalf("Wait after Shutdown: %v, want nil", err)
	}
}

// blockingHandler holds each request until the client goes.
type blockingHandler struct{ entered chan struct{} }

func (h blockingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.entered <- struct{}{}
	<-r.Context().Done()
}

// When ctx ends before the requests in flight do, Shutdown cuts them off and says so; when the
// listener fails, Wait says why.
func TestShutdownCutsOffAndWaitReportsTheListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := blockingHandler{entered: make(chan struct{}, 1)}
	r := Serve(ln, h, Timeouts{})
	answered := get(ln, "/")
	<-h.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown with an ended ctx: %v, want context.Canceled", err)
	}
	if err := <-answered; err == nil {
		t.Fatal("the request cut off was answered, want an error")
	}

	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r2 := Serve(ln2, http.NotFoundHandler(), Timeouts{})
	ln2.Close()
	if err := r2.Wait(); err == nil || errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Wait after the listener closed: %v, want the listener's error", err)
	}
}

// get requests path of the server on ln from a goroutine of its own; the channel has the
// request's error, nil when it was answered.
func get(ln net.Listener, path string) <-chan error {
	answered := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + path)
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	return answered
}
