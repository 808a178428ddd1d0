package receiver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/livehook/livehook/internal/httpserver"
)

// DefaultAddr is where a Server listens unless told otherwise: loopback, a port the OS picks.
const DefaultAddr = "127.0.0.1:0"

// The defaults of Config's server timeouts, the mock backend's too (package mockserver).
const (
	// DefaultReadHeaderTimeout bounds how long a client may take to send a request's headers.
	DefaultReadHeaderTimeout = httpserver.DefaultReadHeaderTimeout
	// DefaultReadTimeout bounds how long it may take to send the whole request.
	DefaultReadTimeout = httpserver.DefaultReadTimeout
	// DefaultWriteTimeout bounds the time a Server takes to read a request's body and write its
	// answer: a client that never reads its answer holds it no longer.
	DefaultWriteTimeout = httpserver.DefaultWriteTimeout
)

// Server is a Receiver listening on a TCP address, shaped like httptest.Server and
// mockserver.Server: NewServer serves at once on loopback; NewUnstartedServer lets a caller
// replace its Listener (another address, TLS) or Wrap its handler before Start.
type Server struct {
	// URL is the base URL of the server, e.g. http://127.0.0.1:41234, to use as callback URL.
	// Start sets it.
	URL string
	// Listener is where the server listens; NewUnstartedServer lets a caller replace it.
	Listener net.Listener
	// Receiver is the handler, for its log.
	Receiver *Receiver

	wrap func(http.Handler) http.Handler
	run  *httpserver.Running
	once sync.Once
	err  error
}

// NewServer starts a receiver on 127.0.0.1 and a port the OS picks, like httptest.NewServer
// and mockserver.NewServer; its URL says where.
func NewServer(cfg Config) (*Server, error) {
	s, err := NewUnstartedServer(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.Start(); err != nil {
		return nil, err
	}
	return s, nil
}

// NewUnstartedServer returns a receiver listening on DefaultAddr but not serving yet: replace
// its Listener or Wrap its handler, then call Start.
func NewUnstartedServer(cfg Config) (*Server, error) {
	rv, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", DefaultAddr)
	if err != nil {
		return nil, fmt.Errorf("receiver: listen on %s: %w", DefaultAddr, err)
	}
	return &Server{Listener: ln, Receiver: rv}, nil
}

// Wrap has the server serve the handler that wrap makes of the receiver's, e.g. one that serves
// a console beside the webhooks; call it before Start. When the wrapped handler has a Close
// method, Shutdown calls it first, so that requests it holds open (event streams) end.
func (s *Server) Wrap(wrap func(http.Handler) http.Handler) { s.wrap = wrap }

// Start serves the receiver on the Listener.
func (s *Server) Start() error {
	if s.run != nil {
		return errors.New("receiver: already started")
	}
	var h http.Handler = s.Receiver
	if s.wrap != nil {
		h = s.wrap(h)
	}
	s.URL = "http://" + s.Listener.Addr().String()
	cfg := &s.Receiver.cfg
	s.run = httpserver.Serve(s.Listener, h, httpserver.Timeouts{ReadHeader: cfg.ReadHeaderTimeout, Read: cfg.ReadTimeout, Write: cfg.WriteTimeout})
	return nil
}

// Wait blocks until the server stops and returns why, nil after Close or Shutdown.
func (s *Server) Wait() error {
	if s.run == nil {
		return errors.New("receiver: not started")
	}
	return s.run.Wait()
}

// Shutdown stops accepting connections and waits for in-flight requests until ctx ends; then it
// closes the connections left and returns ctx's error. Later calls return the first call's
// result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.once.Do(func() {
		if s.run == nil {
			s.err = s.Listener.Close()
			return
		}
		s.err = s.run.Shutdown(ctx)
	})
	return s.err
}

// Close stops the server, waiting for in-flight requests for at most CloseTimeout.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), CloseTimeout)
	defer cancel()
	_ = s.Shutdown(ctx)
}

// CloseTimeout is how long Close waits for the requests in flight.
const CloseTimeout = 5 * time.Second
