// Package httpserver is the one *http.Server template of livehook's servers, the reference
// receiver and the mock backend: the timeouts that keep a slow or silent client from holding a
// connection, the bound on a request's headers, and how a server is run and shut down, the same
// for both.
package httpserver

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// The defaults of Timeouts' fields.
const (
	// DefaultReadHeaderTimeout bounds how long a client may take to send a request's headers.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultReadTimeout bounds how long it may take to send the whole request.
	DefaultReadTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds the time from the end of the request's headers to the end of
	// the answer: a client that never reads its answer holds the server's memory no longer.
	DefaultWriteTimeout = 30 * time.Second
	// DefaultIdleTimeout closes a kept-alive connection idle this long.
	DefaultIdleTimeout = 2 * time.Minute
	// MaxHeaderBytes bounds a request's headers: a webhook's or a REST call's are a few hundred
	// bytes.
	MaxHeaderBytes = 64 << 10
)

// Timeouts are a server's; a zero field takes its default.
type Timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// New is the server of handler h with timeouts t.
func New(h http.Handler, t Timeouts) *http.Server {
	or := func(d, def time.Duration) time.Duration {
		if d <= 0 {
			return def
		}
		return d
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: or(t.ReadHeader, DefaultReadHeaderTimeout),
		ReadTimeout:       or(t.Read, DefaultReadTimeout),
		WriteTimeout:      or(t.Write, DefaultWriteTimeout),
		IdleTimeout:       or(t.Idle, DefaultIdleTimeout),
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// Running is a server serving one listener, as the receiver and the mock backend run theirs.
type Running struct {
	srv  *http.Server
	done chan error
}

// Serve serves h on ln with timeouts t, in a goroutine of its own, until Shutdown. When h has
// a Close method, Shutdown calls it first, so that the requests it holds open (event streams)
// end rather than hold the shutdown up.
func Serve(ln net.Listener, h http.Handler, t Timeouts) *Running {
	r := &Running{srv: New(h, t), done: make(chan error, 1)}
	if c, ok := h.(interface{ Close() error }); ok {
		r.srv.RegisterOnShutdown(func() { _ = c.Close() })
	}
	go func() { r.done <- r.srv.Serve(ln) }()
	return r
}

// Wait blocks until the server stops serving and returns why: nil after Shutdown, the error
// of the listener otherwise.
func (r *Running) Wait() error {
	err := <-r.done
	r.done <- err
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and waits for the requests in flight until ctx ends;
// then it closes the connections left and returns ctx's error. A listener that failed before
// is reported too, as Wait reports it.
func (r *Running) Shutdown(ctx context.Context) error {
	err := r.srv.Shutdown(ctx)
	if err != nil {
		_ = r.srv.Close()
	}
	if werr := r.Wait(); err == nil {
		err = werr
	}
	return err
}
