package receiver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
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

// Server is a Receiver listening on a TCP address, like httptest.Server.
type Server struct {
	// URL is the base URL of the server, e.g. http://127.0.0.1:41234, to use as callback URL.
	URL string
	// Receiver is the handler, for its log.
	Receiver *Receiver

	srv  *http.Server
	done chan error
}

// NewServer starts a receiver on 127.0.0.1 and a port the OS picks, like httptest.NewServer
// and mockserver.NewServer; its URL says where.
func NewServer(cfg Config) (*Server, error) { return StartWith(DefaultAddr, cfg, nil) }

// Start listens on addr (DefaultAddr when empty) and serves the receiver until Close.
func Start(addr string, cfg Config) (*Server, error) {
	return StartWith(addr, cfg, nil)
}

// StartWith is Start with the handler that wrap makes of the receiver, e.g. one that serves
// a console beside the webhooks (nil serves the receiver alone). When that handler has a
// Close method, Shutdown calls it first, so that requests it holds open (event streams) end.
func StartWith(addr string, cfg Config, wrap func(*Receiver) (http.Handler, error)) (*Server, error) {
	rv, err := New(cfg)
	if err != nil {
		return nil, err
	}
	var h http.Handler = rv
	if wrap != nil {
		if h, err = wrap(rv); err != nil {
			return nil, err
		}
	}
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("receiver: listen on %s: %w", addr, err)
	}
	s := &Server{
		URL:      "http://" + ln.Addr().String(),
		Receiver: rv,
		srv:      httpserver.New(h, httpserver.Timeouts{ReadHeader: rv.cfg.ReadHeaderTimeout, Read: rv.cfg.ReadTimeout, Write: rv.cfg.WriteTimeout}),
		done:     make(chan error, 1),
	}
	if c, ok := h.(interface{ Close() error }); ok {
		s.srv.RegisterOnShutdown(func() { _ = c.Close() })
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Wait blocks until the server stops and returns why, nil after Close or Shutdown.
func (s *Server) Wait() error {
	err := <-s.done
	s.done <- err
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and waits for in-flight requests, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if werr := s.Wait(); err == nil {
		err = werr
	}
	return err
}

// Close stops the server, waiting for in-flight requests for at most five seconds.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Shutdown(ctx)
}
