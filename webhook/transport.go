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
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// fastTransport is a lean HTTP/1.1 transport for plain-http load: each request is written in
// one system call and its answer read on the caller's goroutine, over keep-alive connections,
// without the two goroutine hand-offs per request of net/http's Transport, and, on the Client's
// path (post), without an http.Request, an http.Response, a header map or a context per request.
// It speaks what a webhook exchange needs (a POST with a body; answers with Content-Length,
// chunked, or read to the close) and hands https and anything else to the fallback.
type fastTransport struct {
	fallback http.RoundTripper
	dialer   net.Dialer
	maxIdle  int

	mu   sync.Mutex
	idle map[string][]*fastConn

	// last is the target of the last URL split, so that a run's URLs, which all share one
	// scheme and host, are split without parsing.
	last atomic.Pointer[target]
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
type target struct {
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

func newFastTransport(fallback http.RoundTripper, maxIdle int) *fastTransport {
	return &fastTransport{fallback: fallback, maxIdle: maxIdle, idle: map[string][]*fastConn{},
		dialer: net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}}
}

// split returns the target and the request-target (path and query) of a URL the lean path
// sends: plain http, no user information. A URL that shares the last one's scheme and host and
// needs no escaping is split without parsing.
func (t *fastTransport) split(raw string) (*target, string, bool) {
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
	tg := &target{prefix: "http://" + u.Host, addr: u.Host, host: u.Host}
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

// post sends one POST of body to uri at tg before deadline, or until ctx is done, and reads the
// answer with read. status is 0 when no answer head came. A request goes again on a new
// connection only when writing it failed on a kept-alive one: a POST whose answer fails is
// never repeated, as in net/http.
func (t *fastTransport) post(ctx context.Context, deadline time.Time, tg *target, uri string, body []byte,
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
		if err == nil && keep && fb.eof { // read is read to the end: anything else is an error
			t.put(tg.addr, c)
		} else {
			c.Close()
		}
		return h.status, answer, err
	}
}

// RoundTrip implements http.RoundTripper.
func (t *fastTransport) RoundTrip(req *http.Request) (*http.Response, error) {
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
		resp := &http.Response{StatusCode: h.status, Status: h.statusText, Proto: "HTTP/1." + strconv.Itoa(h.minor),
			ProtoMajor: 1, ProtoMinor: h.minor, Header: hdr, Request: req, ContentLength: h.length}
		resp.Body = &fastBody{t: t, c: c, addr: addr, r: r, keep: keep}
		return resp, nil
	}
}

// conn returns a kept-alive connection to addr, or dials one.
func (t *fastTransport) conn(ctx context.Context, deadline time.Time, addr string) (*fastConn, bool, error) {
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

func (t *fastTransport) put(addr string, c *fastConn) {
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
func (t *fastTransport) CloseIdleConnections() {
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

var errMalformed = errors.New("malformed HTTP answer")

// exchange writes a POST on c and reads the answer's head (its header lines into hdr, when not
// nil), until deadline or ctx's cancellation; writeFailed reports that the request could not be
// written. The headers of extra go beside Host, User-Agent and Content-Length; without extra, a
// webhook's Content-Type does.
func (t *fastTransport) exchange(ctx context.Context, c *fastConn, reused bool, deadline time.Time, host, uri string, extra http.Header, body []byte, hdr http.Header) (h head, writeFailed bool, err error) {
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
	if extra == nil {
		b = append(b, "Content-Type: "+ContentType+"\r\n"...)
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

// head is what the transport needs of an answer's head.
type head struct {
	status     int
	statusText string // "200 OK"; only when the header lines are collected
	minor      int    // HTTP/1.minor
	length     int64  // Content-Length, or -1
	chunked    bool
	close      bool // Connection: close
}

// readHead reads the status line and header lines, skipping 1xx interim answers; the header
// lines go into hdr when it is not nil.
func readHead(br *bufio.Reader, hdr http.Header) (head, error) {
	for {
		line, err := readLine(br)
		if err != nil {
			return head{}, err
		}
		proto, rest, ok := bytes.Cut(line, []byte(" "))
		code, _, _ := bytes.Cut(rest, []byte(" "))
		status, ok2 := atoi3(code)
		if !ok || !ok2 || len(proto) != 8 || !bytes.HasPrefix(proto, []byte("HTTP/1.")) || proto[7] < '0' || proto[7] > '9' {
			return head{}, fmt.Errorf("%w: status line %q", errMalformed, line)
		}
		h := head{status: status, minor: int(proto[7] - '0'), length: -1}
		if hdr != nil {
			h.statusText = string(rest)
		}
		var sawLength bool
		for {
			l, err := readLine(br)
			if err != nil {
				return head{}, err
			}
			if len(l) == 0 {
				break
			}
			k, v, ok := bytes.Cut(l, []byte(":"))
			if !ok {
				return head{}, fmt.Errorf("%w: header line %q", errMalformed, l)
			}
			k, v = bytes.TrimSpace(k), bytes.TrimSpace(v)
			switch {
			case bytes.EqualFold(k, []byte("Content-Length")):
				if !sawLength { // the first one, as net/http's Header.Get reads it
					sawLength = true
					if n, err := strconv.ParseInt(string(v), 10, 64); err == nil && n >= 0 {
						h.length = n
					}
				}
			case bytes.EqualFold(k, []byte("Transfer-Encoding")):
				h.chunked = h.chunked || bytes.EqualFold(v, []byte("chunked"))
			case bytes.EqualFold(k, []byte("Connection")):
				h.close = h.close || hasToken(v, "close")
			}
			if hdr != nil {
				hdr.Add(http.CanonicalHeaderKey(string(k)), string(v))
			}
		}
		if status >= 200 || status == http.StatusSwitchingProtocols {
			return h, nil
		}
		if hdr != nil {
			clear(hdr)
		}
	}
}

// atoi3 reads a three-digit status code.
func atoi3(b []byte) (int, bool) {
	if len(b) != 3 || b[0] < '1' || b[0] > '9' || b[1] < '0' || b[1] > '9' || b[2] < '0' || b[2] > '9' {
		return 0, false
	}
	return int(b[0]-'0')*100 + int(b[1]-'0')*10 + int(b[2]-'0'), true
}

// hasToken reports whether a comma-separated header value has token, in any case.
func hasToken(v []byte, token string) bool {
	for part := range bytes.SplitSeq(v, []byte(",")) {
		if bytes.EqualFold(bytes.TrimSpace(part), []byte(token)) {
			return true
		}
	}
	return false
}

// body returns the reader of the answer's body and whether the connection can be kept for
// another request once it is read to the end.
func (h *head) body(br *bufio.Reader) (io.Reader, bool) {
	keep := !h.close && h.minor >= 1
	switch {
	case h.status == http.StatusNoContent || h.status == http.StatusNotModified || h.status < 200:
		h.length = 0
		return eofReader{}, keep
	case h.chunked:
		h.length = -1
		return newChunkedReader(br), keep
	case h.length >= 0:
		return io.LimitReader(br, h.length), keep
	default:
		return br, false // read to the close
	}
}

// maxLine bounds a status or header line.
const maxLine = 64 << 10

// readLine reads a line without its line ending; the line is valid until the next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		long := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			line, err = br.ReadSlice('\n')
			long = append(long, line...)
			if len(long) > maxLine {
				return nil, fmt.Errorf("%w: a header line over %d bytes", errMalformed, maxLine)
			}
		}
		line = long
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// fastBody is an answer's body. On the RoundTrip path it returns its connection to the pool
// when read to the end, and closes it otherwise; on the post path (t nil) it only notes the end.
type fastBody struct {
	t    *fastTransport
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
	if b.eof && b.keep {
		b.t.put(b.addr, b.c)
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
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if n == 0 {
			for { // the trailer, up to an empty line
				l, err := readLine(c.br)
				if err != nil {
					return 0, err
				}
				if len(l) == 0 {
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
