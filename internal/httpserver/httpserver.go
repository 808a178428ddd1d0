// Package httpserver is the one *http.Server template of livehook's servers, the reference
// receiver and the mock backend: the timeouts that keep a slow or silent client from holding a
// connection, and the bound on a request's headers, the same for both.
package httpserver

import (
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
