// Package sender delivers webhooks: a Client sends a webhook.Request (or encodes and signs a
// webhook.Message for an Endpoint) and reports what became of it as a webhook.Result with its
// webhook.Outcome, measuring latency from when the request was meant to go. It goes through
// net/http, or, with WithFastTransport, livehook's lean HTTP/1.1 transport (internal/http1) for
// plain http; both frame and judge answers alike. NoAnswerHint says why a run got no answer.
package sender

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/livehook/livehook/internal/http1"
	"github.com/livehook/livehook/webhook"
)

// Defaults of the delivering client.
const (
	// DefaultMaxResponseBytes caps how much of an answer is read.
	DefaultMaxResponseBytes = 64 << 10
	// DefaultMaxConnsPerHost bounds the keep-alive connections to one receiver.
	DefaultMaxConnsPerHost = 512
)

// Client delivers webhooks. It is safe for concurrent use; reuse one for its keep-alive connections.
type Client struct {
	http        *http.Client
	fast        *http1.Transport
	timeout     time.Duration
	maxResponse int64
	useFast     bool
	insecure    bool
	bufs        sync.Pool
	// err refuses every delivery: options that cannot be combined.
	err error
}

// ClientOption configures a Client.
type ClientOption func(*Client)

// WithTimeout sets the per-request deadline (webhook.DefaultTimeout unless set).
func WithTimeout(d time.Duration) ClientOption { return func(c *Client) { c.timeout = d } }

// WithMaxResponseBytes caps how much of each answer is read (DefaultMaxResponseBytes unless set).
func WithMaxResponseBytes(n int64) ClientOption { return func(c *Client) { c.maxResponse = n } }

// WithHTTPClient replaces the HTTP client, e.g. for TLS settings. Its Timeout should be zero: the
// per-request deadline applies either way. It composes with the other options: with
// WithFastTransport, plain http goes the lean way and the rest through h; with WithInsecureTLS,
// the client delivers through a copy of h whose transport (an *http.Transport, or none for
// http.DefaultTransport) skips certificate checks, and h itself is left as it is. A transport of
// another type cannot be made insecure: then every delivery fails, saying so.
func WithHTTPClient(h *http.Client) ClientOption { return func(c *Client) { c.http = h } }

// WithFastTransport sends plain-http webhooks over livehook's own lean HTTP/1.1 transport,
// which does less work per request than net/http's, for load runs (https still goes through
// net/http, or the http.Client of WithHTTPClient).
func WithFastTransport() ClientOption { return func(c *Client) { c.useFast = true } }

// WithInsecureTLS accepts any certificate from an https receiver: for test deployments with
// self-signed certificates, never for a receiver whose identity matters.
func WithInsecureTLS() ClientOption { return func(c *Client) { c.insecure = true } }

// NewClient returns a client with keep-alive connections.
func NewClient(opts ...ClientOption) *Client {
	c := &Client{timeout: webhook.DefaultTimeout, maxResponse: DefaultMaxResponseBytes}
	for _, o := range opts {
		o(c)
	}
	if c.http == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 0
		tr.MaxIdleConnsPerHost = DefaultMaxConnsPerHost
		tr.MaxConnsPerHost = 0
		tr.DisableCompression = true
		tr.ForceAttemptHTTP2 = false
		if c.insecure {
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by the user
		}
		c.http = &http.Client{
			Transport: tr,
			// A webhook is delivered to the URL configured, not wherever it redirects.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	} else if c.insecure {
		c.http, c.err = insecureCopy(c.http)
	}
	if c.useFast {
		c.fast = http1.New(c.http.Transport, DefaultMaxConnsPerHost, webhook.ContentType)
	}
	return c
}

// insecureCopy returns a copy of h whose transport accepts any certificate, for WithInsecureTLS
// beside WithHTTPClient.
func insecureCopy(h *http.Client) (*http.Client, error) {
	base := h.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	tr, ok := base.(*http.Transport)
	if !ok {
		return h, fmt.Errorf("sender.WithInsecureTLS cannot change the certificate checks of the http.Client given to WithHTTPClient: "+
			"its Transport is a %T, not an *http.Transport; leave WithInsecureTLS out and set them in that transport", base)
	}
	tr = tr.Clone()
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{}
	}
	tr.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // asked for by the user
	c := *h
	c.Transport = tr
	return &c, nil
}

// Timeout is the per-request deadline.
func (c *Client) Timeout() time.Duration { return c.timeout }

// CloseIdleConnections closes the client's idle keep-alive connections.
func (c *Client) CloseIdleConnections() {
	c.http.CloseIdleConnections()
	if c.fast != nil {
		c.fast.CloseIdleConnections()
	}
}

// Send delivers a message to the endpoint: it encodes the event, builds the URL (signed as opt
// says) and reports what became of the request. An event that cannot be encoded is a result too.
func (c *Client) Send(ctx context.Context, e webhook.Endpoint, msg webhook.Message, opt webhook.URLOptions) webhook.Result {
	req, err := e.NewRequest(msg, opt)
	if err != nil {
		now := time.Now()
		return webhook.Result{Request: req, Command: req.Command, Intended: now, Sent: now, Done: now, Outcome: webhook.ConnError, Err: err}
	}
	return c.Do(ctx, req)
}

// Do delivers one webhook and reports what became of it.
func (c *Client) Do(ctx context.Context, req webhook.Request) webhook.Result {
	res := webhook.Result{Request: req, Command: req.Command, Intended: req.Intended}
	res.Sent = time.Now()
	if res.Intended.IsZero() {
		res.Intended = res.Sent
	}
	if c.err != nil {
		res.Done, res.Outcome, res.Err = res.Sent, webhook.ConnError, c.err
		return res
	}
	if c.fast != nil {
		if tg, uri, ok := c.fast.Split(req.URL); ok {
			deadline := res.Sent.Add(c.timeout)
			if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
				deadline = d
			}
			status, body, err := c.fast.Post(ctx, deadline, tg, uri, req.Body, c.readAnswer)
			c.finish(ctx, &res, status, body, err)
			return res
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		res.Done, res.Outcome, res.Err = time.Now(), webhook.ConnError, fmt.Errorf("build request: %w", err)
		return res
	}
	hreq.Header = http.Header{"Content-Type": {webhook.ContentType}}
	resp, err := c.http.Do(hreq)
	if err != nil {
		c.finish(ctx, &res, 0, nil, err)
		return res
	}
	var body []byte
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, err = c.readAnswer(resp.Body)
	} // else the body is the connection, handed to another protocol: not an answer to read
	resp.Body.Close()
	c.finish(ctx, &res, resp.StatusCode, body, err)
	return res
}

// finish judges an answer: its status (0 when none came), its body as read, and the error
// that ended the exchange, if any.
func (c *Client) finish(ctx context.Context, res *webhook.Result, status int, body []byte, err error) {
	res.Done = time.Now()
	if status == 0 {
		res.Outcome, res.Err = classify(ctx, err, c.timeout)
		return
	}
	if err == nil && res.Done.Sub(res.Sent) > c.timeout {
		// Complete, but after the deadline: the deadline's timer lost a race to the answer (a
		// busy machine). Late is a timeout whichever won, so the outcome does not depend on luck.
		res.Body, res.Answer.Status = body, status
		res.Outcome, res.Err = webhook.Timeout, fmt.Errorf("no complete answer within %v (it took %v)", c.timeout, res.Done.Sub(res.Sent).Round(time.Microsecond))
		return
	}
	if errors.Is(err, errBodyTooLarge) {
		res.Body = body
		res.Answer.Status = status
		res.Answer.Violation = &webhook.Violation{Message: fmt.Sprintf("answer body is over %d bytes; an acknowledgement is 50", c.maxResponse)}
		res.Outcome, res.Err = webhook.ContractViolation, res.Answer.Violation
		if status != http.StatusOK {
			res.Outcome = webhook.BadStatus
		}
		return
	}
	if err != nil {
		res.Answer.Status = status
		res.Outcome, res.Err = classify(ctx, err, c.timeout)
		return
	}
	res.Answer = webhook.CheckResponse(status, body)
	res.Body = body
	switch v := res.Answer.Violation; {
	case v == nil:
		res.Outcome = webhook.Acknowledged
	case status != http.StatusOK:
		res.Outcome, res.Err = webhook.BadStatus, v
	case !res.Answer.IsJSON:
		res.Outcome, res.Err = webhook.NotJSON, v
	default:
		res.Outcome, res.Err = webhook.ContractViolation, v
	}
}

var errBodyTooLarge = errors.New("answer body too large")

// readAnswer reads at most maxResponse bytes of an answer's body; a longer body is a contract
// violation of its own.
func (c *Client) readAnswer(r io.Reader) ([]byte, error) {
	bp, _ := c.bufs.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, 0, 512)
		bp = &b
	}
	buf := bytes.NewBuffer((*bp)[:0])
	n, err := buf.ReadFrom(io.LimitReader(r, c.maxResponse+1))
	if err != nil {
		return nil, err
	}
	var body []byte
	switch {
	case n > c.maxResponse:
		err = errBodyTooLarge
		body = bytes.Clone(buf.Bytes()[:min(buf.Len(), 256)])
	case bytes.Equal(buf.Bytes(), webhook.Acknowledgement):
		body = webhook.Acknowledgement
	default:
		body = bytes.Clone(buf.Bytes())
	}
	b := buf.Bytes()[:0]
	c.bufs.Put(&b)
	return body, err
}

// classify turns a transport error into an outcome and a message that says what happened.
func classify(ctx context.Context, err error, timeout time.Duration) (webhook.Outcome, error) {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	// ctx's error is read once: read twice, the deadline can pass between the reads, and a
	// connection deadline that fired a moment before ctx's would be called a cancellation.
	cerr := ctx.Err()
	switch {
	case errors.Is(cerr, context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return webhook.Timeout, fmt.Errorf("no complete answer within %v", timeout)
	case errors.Is(err, context.Canceled) || cerr != nil:
		return webhook.Canceled, errors.New("canceled before the answer came")
	case errors.Is(err, syscall.ECONNREFUSED):
		return webhook.ConnRefused, err
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return webhook.ConnReset, fmt.Errorf("connection closed before the answer was complete: %w", err)
	}
	if verr := (*tls.CertificateVerificationError)(nil); errors.As(err, &verr) {
		return webhook.ConnError, fmt.Errorf("%w: %w", ErrUntrustedCertificate, err)
	}
	var nerr net.Error
	if errors.As(err, &nerr) && nerr.Timeout() {
		return webhook.Timeout, fmt.Errorf("no complete answer within %v: %w", timeout, err)
	}
	return webhook.ConnError, err
}
