package webhook

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fastTransport is a lean HTTP/1.1 transport for plain-http load: each request is written in
// one system call and its answer read on the caller's goroutine, over keep-alive connections,
// without the two goroutine hand-offs per request of net/http's Transport. It speaks what a
// webhook exchange needs (a POST with a body; answers with Content-Length, chunked, or read to
// the close) and hands https and anything else to the fallback.
type fastTransport struct {
	fallback http.RoundTripper
	dialer   net.Dialer
	maxIdle  int

	mu   sync.Mutex
	idle map[string][]*fastConn
}

type fastConn struct {
	net.Conn
	br       *bufio.Reader
	buf      []byte
	lastUsed time.Time
}

// maxIdleAge retires kept-alive connections before the usual server idle timeouts (60 s and
// more) can close them under a request.
const maxIdleAge = 30 * time.Second

// aliveCheckAfter is how long a connection may sit idle before it is checked for a close by the
// server; under load connections are reused sooner, and the check is a system call.
const aliveCheckAfter = time.Millisecond

func newFastTransport(fallback http.RoundTripper, maxIdle int) *fastTransport {
	return &fastTransport{fallback: fallback, maxIdle: maxIdle, idle: map[string][]*fastConn{},
		dialer: net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}}
}

// handles reports whether the transport takes the request itself rather than the fallback.
func (t *fastTransport) handles(req *http.Request) bool {
	return req.URL.Scheme == "http" && req.Method == http.MethodPost && req.URL.User == nil
}

// RoundTrip implements http.RoundTripper.
func (t *fastTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.handles(req) {
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
	return t.roundTrip(req, body)
}

// roundTrip sends req with body. A request goes again on a new connection only when writing it
// failed on a kept-alive one: a POST whose answer fails is never repeated, as in net/http.
func (t *fastTransport) roundTrip(req *http.Request, body []byte) (*http.Response, error) {
	host := req.URL.Host
	if req.URL.Port() == "" {
		host = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	for attempt := 0; ; attempt++ {
		c, reused, err := t.conn(req.Context(), host)
		if err != nil {
			return nil, err
		}
		resp, writeFailed, err := t.exchange(req, c, body)
		if err == nil {
			return resp, nil
		}
		c.Close()
		if reused && writeFailed && attempt == 0 && req.Context().Err() == nil {
			continue
		}
		return nil, err
	}
}

func (t *fastTransport) conn(ctx context.Context, host string) (*fastConn, bool, error) {
	t.mu.Lock()
	for list := t.idle[host]; len(list) > 0; list = t.idle[host] {
		c := list[len(list)-1]
		t.idle[host] = list[:len(list)-1]
		if idle := time.Since(c.lastUsed); idle > maxIdleAge || (idle > aliveCheckAfter && !alive(c.Conn)) {
			c.Close()
			continue
		}
		t.mu.Unlock()
		return c, true, nil
	}
	t.mu.Unlock()
	nc, err := t.dialer.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, false, err
	}
	return &fastConn{Conn: nc, br: bufio.NewReaderSize(nc, 4096), buf: make([]byte, 0, 1024)}, false, nil
}

func (t *fastTransport) put(host string, c *fastConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.idle[host]) >= t.maxIdle {
		c.Close()
		return
	}
	c.lastUsed = time.Now()
	t.idle[host] = append(t.idle[host], c)
}

// CloseIdleConnections closes the kept-alive connections.
func (t *fastTransport) CloseIdleConnections() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for host, list := range t.idle {
		for _, c := range list {
			c.Close()
		}
		delete(t.idle, host)
	}
	if f, ok := t.fallback.(interface{ CloseIdleConnections() }); ok {
		f.CloseIdleConnections()
	}
}

var errMalformed = errors.New("malformed HTTP answer")

// exchange writes the request and reads the answer's head; writeFailed reports that the request
// could not be written.
func (t *fastTransport) exchange(req *http.Request, c *fastConn, body []byte) (*http.Response, bool, error) {
	ctx := req.Context()
	if d, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(d)
	} else {
		_ = c.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) }) // cancel: unblock I/O now
	defer stop()

	b := c.buf[:0]
	b = append(b, "POST "...)
	b = append(b, req.URL.RequestURI()...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, req.Host...)
	if req.Host == "" {
		b = append(b, req.URL.Host...)
	}
	b = append(b, "\r\nUser-Agent: livehook\r\n"...)
	for k, vs := range req.Header {
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
		return nil, true, ctxErr(ctx, err)
	}
	resp, err := readHead(c.br, req)
	if err != nil {
		return nil, false, ctxErr(ctx, err)
	}
	t.attachBody(resp, c, req.URL.Host)
	return resp, false, nil
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// readHead reads the status line and headers, skipping 1xx interim answers.
func readHead(br *bufio.Reader, req *http.Request) (*http.Response, error) {
	for {
		line, err := readLine(br)
		if err != nil {
			return nil, err
		}
		proto, rest, ok := strings.Cut(line, " ")
		code, _, _ := strings.Cut(rest, " ")
		status, err := strconv.Atoi(code)
		if !ok || !strings.HasPrefix(proto, "HTTP/1.") || err != nil || status < 100 || status > 999 {
			return nil, fmt.Errorf("%w: status line %q", errMalformed, line)
		}
		resp := &http.Response{StatusCode: status, Status: rest, Proto: proto, ProtoMajor: 1, ProtoMinor: int(proto[len(proto)-1] - '0'),
			Header: http.Header{}, Request: req, ContentLength: -1}
		for {
			h, err := readLine(br)
			if err != nil {
				return nil, err
			}
			if h == "" {
				break
			}
			k, v, ok := strings.Cut(h, ":")
			if !ok {
				return nil, fmt.Errorf("%w: header line %q", errMalformed, h)
			}
			resp.Header.Add(http.CanonicalHeaderKey(strings.TrimSpace(k)), strings.TrimSpace(v))
		}
		if status >= 200 || status == http.StatusSwitchingProtocols {
			return resp, nil
		}
	}
}

// maxLine bounds a status or header line.
const maxLine = 64 << 10

func readLine(br *bufio.Reader) (string, error) {
	part, more, err := br.ReadLine()
	if err != nil || !more {
		return string(part), err // the common case: the line fits the buffer
	}
	line := append([]byte(nil), part...)
	for more {
		if part, more, err = br.ReadLine(); err != nil {
			return "", err
		}
		line = append(line, part...)
		if len(line) > maxLine {
			return "", fmt.Errorf("%w: a header line over %d bytes", errMalformed, maxLine)
		}
	}
	return string(line), nil
}

// attachBody sets the answer's body; reading it to the end gives the connection back for reuse.
func (t *fastTransport) attachBody(resp *http.Response, c *fastConn, host string) {
	keep := !strings.EqualFold(resp.Header.Get("Connection"), "close") && resp.ProtoMinor >= 1
	fb := &fastBody{t: t, c: c, host: host, keep: keep}
	switch {
	case resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified || resp.StatusCode < 200:
		fb.r, resp.ContentLength = eofReader{}, 0
	case strings.EqualFold(resp.Header.Get("Transfer-Encoding"), "chunked"):
		fb.r = newChunkedReader(c.br)
	default:
		if n, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64); err == nil && n >= 0 {
			fb.r, resp.ContentLength = io.LimitReader(c.br, n), n
		} else {
			fb.r, fb.keep = c.br, false // read to the close
		}
	}
	resp.Body = fb
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// fastBody returns its connection to the pool when read to the end, and closes it otherwise.
type fastBody struct {
	t    *fastTransport
	c    *fastConn
	host string
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
	if b.done {
		return nil
	}
	b.done = true
	if b.eof && b.keep {
		b.t.put(b.host, b.c)
		return nil
	}
	return b.c.Close()
}

// newChunkedReader decodes a chunked body; net/http/httputil's is for servers, and this one
// stops at the trailer so that the connection stays usable.
func newChunkedReader(br *bufio.Reader) io.Reader { return &chunked{br: br} }

type chunked struct {
	br   *bufio.Reader
	left int64
	eof  bool
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.eof {
		return 0, io.EOF
	}
	if c.left == 0 {
		line, err := readLine(c.br)
		if err != nil {
			return 0, err
		}
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if n == 0 {
			for { // the trailer, up to an empty line
				l, err := readLine(c.br)
				if err != nil {
					return 0, err
				}
				if l == "" {
					break
				}
			}
			c.eof = true
			return 0, io.EOF
		}
		c.left = n
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.br.Read(p)
	c.left -= int64(n)
	if c.left == 0 && err == nil {
		var crlf [2]byte
		if _, err := io.ReadFull(c.br, crlf[:]); err != nil || !bytes.Equal(crlf[:], []byte("\r\n")) {
			return n, fmt.Errorf("%w: chunk without its CRLF", errMalformed)
		}
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// NewFastTransport returns livehook's lean HTTP/1.1 transport as an http.RoundTripper: plain-http
// POSTs go over its own keep-alive connections (at most maxIdle kept per host), anything else
// through fallback (http.DefaultTransport when nil). Redirects, proxies and compression are the
// fallback's business; the lean path knows none of them.
func NewFastTransport(fallback http.RoundTripper, maxIdle int) http.RoundTripper {
	if fallback == nil {
		fallback = http.DefaultTransport
	}
	return newFastTransport(fallback, maxIdle)
}
