// Package http1 is livehook's lean HTTP/1.1 client transport: plain-http POSTs over its own
// keep-alive connections, each written in one system call and answered on the caller's
// goroutine, with answers framed exactly as RFC 9112 and net/http frame them (framing.go, held to
// http.ReadResponse by FuzzReadAnswer). It is internal: the sending client (package sender's
// Client, WithFastTransport) and the benchmarks are its only users.
package http1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Transport is a lean HTTP/1.1 transport for plain-http load: each request is written in
// one system call and its answer read on the caller's goroutine, over keep-alive connections,
// without the two goroutine hand-offs per request of net/http's Transport, and, on the client's
// path (Post), without an http.Request, an http.Response, a header map or a context per request.
// It speaks what a webhook exchange needs (a POST with a body; answers with Content-Length,
// chunked, or read to the close) and hands https and anything else to the fallback.
type Transport struct {
	fallback    http.RoundTripper
	contentType string
	dialer      net.Dialer
	maxIdle     int

	mu   sync.Mutex
	idle map[string][]*fastConn

	// last is the target of the last URL split, so that a run's URLs, which all share one
	// scheme and host, are split without parsing.
	last atomic.Pointer[Target]
}

type fastConn struct {
	net.Conn
	br       *bufio.Reader
	buf      []byte
	lastUsed time.Time

	// The cancellation (a context's Done) that unblocks the connection's I/O at once. A
	// connection keeps watching the context of its last request, so that a run's requests,
	// which share one context, register with it once per connection, not once per request.
	mu        sync.Mutex
	watching  <-chan struct{}
	stopWatch func() bool
}

// watch makes a cancellation of ctx unblock c's reads and writes at once, until c watches
// another context or closes.
func (c *fastConn) watch(ctx context.Context) {
	done := ctx.Done()
	if done == nil || c.watching == done {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopWatch != nil {
		c.stopWatch()
	}
	c.watching = done
	c.stopWatch = context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.watching == done { // not a context watched before, whose callback ran late
			_ = c.Conn.SetDeadline(time.Unix(1, 0))
		}
	})
}

// Close stops the watch and closes the connection.
func (c *fastConn) Close() error {
	c.mu.Lock()
	if c.stopWatch != nil {
		c.stopWatch()
		c.stopWatch, c.watching = nil, nil
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

// target is where the requests of a plain-http URL go.
type Target struct {
	prefix string // "http://host[:port]" as the URL writes it
	addr   string // host:port, to dial
	host   string // the Host header
}

// maxIdleAge retires kept-alive connections before the usual server idle timeouts (60 s and
// more) can close them under a request.
const maxIdleAge = 30 * time.Second

// aliveCheckAfter is how long a connection may sit idle before it is checked for a close by the
// server; under load connections are reused sooner, and the check is a system call.
const aliveCheckAfter = time.Millisecond

// New returns a transport that keeps at most maxIdle connections per host and sends
// contentType with each Post; what is not a plain-http POST goes through fallback
// (http.DefaultTransport when nil). Redirects, proxies and compression are the fallback's
// business; the lean path knows none of them.
func New(fallback http.RoundTripper, maxIdle int, contentType string) *Transport {
	if fallback == nil {
		fallback = http.DefaultTransport
	}
	return &Transport{fallback: fallback, contentType: contentType, maxIdle: maxIdle, idle: map[string][]*fastConn{},
		dialer: net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}}
}

// Split returns the target and the request-target (path and query) of a URL the lean path
// sends: plain http, no user information. A URL that shares the last one's scheme and host and
// needs no escaping is split without parsing.
func (t *Transport) Split(raw string) (*Target, string, bool) {
	if tg := t.last.Load(); tg != nil && strings.HasPrefix(raw, tg.prefix) {
		rest := raw[len(tg.prefix):]
		if (rest == "" || rest[0] == '/' || rest[0] == '?') && plainURI(rest) {
			if rest == "" || rest[0] == '?' {
				rest = "/" + rest
			}
			return tg, rest, true
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Host == "" || u.Opaque != "" {
		return nil, "", false
	}
	tg := &Target{prefix: "http://" + u.Host, addr: u.Host, host: u.Host}
	if u.Port() == "" {
		tg.addr = net.JoinHostPort(u.Hostname(), "80")
	}
	if strings.HasPrefix(raw, tg.prefix) {
		t.last.Store(tg)
	}
	return tg, u.RequestURI(), true
}

// plainURI reports whether a path and query are sent as written: only characters that need no
// escaping, and every % followed by two hex digits.
func plainURI(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0:
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Post sends one POST of body to uri at tg before deadline, or until ctx is done, and reads the
// answer with read. status is 0 when no answer head came. A request goes again on a new
// connection only when writing it failed on a kept-alive one: a POST whose answer fails is
// never repeated, as in net/http.
func (t *Transport) Post(ctx context.Context, deadline time.Time, tg *Target, uri string, body []byte,
	read func(io.Reader) ([]byte, error)) (status int, answer []byte, err error) {
	for attempt := 0; ; attempt++ {
		c, reused, err := t.conn(ctx, deadline, tg.addr)
		if err != nil {
			return 0, nil, err
		}
		h, writeFailed, err := t.exchange(ctx, c, reused, deadline, tg.host, uri, nil, body, nil)
		if err != nil {
			c.Close()
			if reused && writeFailed && attempt == 0 && ctx.Err() == nil {
				continue
			}
			return 0, nil, err
		}
		r, keep := h.body(c.br)
		fb := fastBody{r: r}
		answer, err = read(&fb)
		if err == nil && keep && fb.eof && c.br.Buffered() == 0 {
			// Read to its end, and nothing after it: bytes nobody asked for would be taken for
			// the next request's answer.
			t.put(tg.addr, c)
		} else {
			c.Close()
		}
		return h.status, answer, err
	}
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" || req.Method != http.MethodPost || req.URL.User != nil {
		return t.fallback.RoundTrip(req)
	}
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	addr, host := req.URL.Host, req.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	if host == "" {
		host = req.URL.Host
	}
	ctx := req.Context()
	deadline, _ := ctx.Deadline()
	for attempt := 0; ; attempt++ {
		c, reused, err := t.conn(ctx, deadline, addr)
		if err != nil {
			return nil, err
		}
		hdr := http.Header{}
		h, writeFailed, err := t.exchange(ctx, c, reused, deadline, host, req.URL.RequestURI(), req.Header, body, hdr)
		if err != nil {
			c.Close()
			if reused && writeFailed && attempt == 0 && ctx.Err() == nil {
				continue
			}
			return nil, ctxErr(ctx, err)
		}
		r, keep := h.body(c.br)
		resp := &http.Response{StatusCode: h.status, Status: h.statusText, Proto: fmt.Sprintf("HTTP/%d.%d", h.major, h.minor),
			ProtoMajor: h.major, ProtoMinor: h.minor, Header: hdr, Request: req, ContentLength: h.length}
		resp.Body = &fastBody{t: t, c: c, addr: addr, r: r, keep: keep}
		return resp, nil
	}
}

// conn returns a kept-alive connection to addr, or dials one.
func (t *Transport) conn(ctx context.Context, deadline time.Time, addr string) (*fastConn, bool, error) {
	t.mu.Lock()
	for list := t.idle[addr]; len(list) > 0; list = t.idle[addr] {
		c := list[len(list)-1]
		t.idle[addr] = list[:len(list)-1]
		// A canceled context the connection watched set a past deadline on it: clear it, for
		// the check and for the next request.
		_ = c.Conn.SetDeadline(time.Time{})
		if idle := time.Since(c.lastUsed); idle > maxIdleAge || (idle > aliveCheckAfter && !alive(c.Conn)) {
			c.Close()
			continue
		}
		t.mu.Unlock()
		return c, true, nil
	}
	t.mu.Unlock()
	d := t.dialer
	d.Deadline = deadline
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, false, err
	}
	return &fastConn{Conn: nc, br: bufio.NewReaderSize(nc, 4096), buf: make([]byte, 0, 1024)}, false, nil
}

func (t *Transport) put(addr string, c *fastConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.idle[addr]) >= t.maxIdle {
		c.Close()
		return
	}
	c.lastUsed = time.Now()
	t.idle[addr] = append(t.idle[addr], c)
}

// CloseIdleConnections closes the kept-alive connections.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for addr, list := range t.idle {
		for _, c := range list {
			c.Close()
		}
		delete(t.idle, addr)
	}
	if f, ok := t.fallback.(interface{ CloseIdleConnections() }); ok {
		f.CloseIdleConnections()
	}
}

// exchange writes a POST on c and reads the answer's head (its header lines into hdr, when not
// nil), until deadline or ctx's cancellation; writeFailed reports that the request could not be
// written. The headers of extra go beside Host, User-Agent and Content-Length; without extra, the
// transport's Content-Type does.
func (t *Transport) exchange(ctx context.Context, c *fastConn, reused bool, deadline time.Time, host, uri string, extra http.Header, body []byte, hdr http.Header) (h head, writeFailed bool, err error) {
	// In this order: a cancellation after the check below sets its past deadline after ours.
	c.watch(ctx)
	_ = c.SetDeadline(deadline) // zero: none
	if err := ctx.Err(); err != nil {
		return head{}, false, err
	}
	b := c.buf[:0]
	b = append(b, "POST "...)
	b = append(b, uri...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\nUser-Agent: livehook\r\n"...)
	if extra == nil && t.contentType != "" {
		b = append(b, "Content-Type: "...)
		b = append(b, t.contentType...)
		b = append(b, "\r\n"...)
	}
	for k, vs := range extra {
		for _, v := range vs {
			b = append(b, k...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	b = append(b, body...)
	c.buf = b[:0]
	if _, err := c.Write(b); err != nil {
		return head{}, true, err
	}
	if _, err := c.br.Peek(1); err != nil && reused && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) {
		// Not a byte of an answer: the server closed the connection it had kept open. The request
		// is not sent again (a POST may have been acted on), so say why it failed.
		return head{}, false, fmt.Errorf("%w; %s", err, closedUnannounced)
	}
	h, err = readHead(c.br, hdr)
	return h, false, err
}

// closedUnannounced explains an answer that never came on a kept-alive connection.
const closedUnannounced = `the receiver closed a kept-alive connection without answering, though its previous answer on it did not say "Connection: close"`

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// fastBody is an answer's body. On the RoundTrip path it returns its connection to the pool
// when read to the end, and closes it otherwise; on the post path (t nil) it only notes the end.
type fastBody struct {
	t    *Transport
	c    *fastConn
	addr string
	r    io.Reader
	keep bool
	eof  bool
	done bool
}

func (b *fastBody) Read(p []byte) (int, error) {
	if b.done {
		return 0, errors.New("read on a closed body")
	}
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *fastBody) Close() error {
	if b.done || b.t == nil {
		return nil
	}
	b.done = true
	if b.eof && b.keep && b.c.br.Buffered() == 0 {
		b.t.put(b.addr, b.c)
		return nil
	}
	return b.c.Close()
}
