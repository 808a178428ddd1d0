package receiver

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/livehook/livehook/webhook"
)

// MaxAppAnswerBytes caps the app's answer; a longer one is not passed on.
const MaxAppAnswerBytes = 64 << 10

// DefaultForwardTimeout bounds the app's answer unless Forward.Timeout says: it leaves half a
// second of the Live backend's 2 s deadline for the receiver's own answer when the app is late.
const DefaultForwardTimeout = 1500 * time.Millisecond

// Forward configures forwarding to an app: each webhook goes on unchanged (method, query with
// Sign and RequestTime, headers but those of the connection, body byte for byte), and the app's
// answer goes back to the sender. When the app gives no answer, the sender gets 502 (or 504 when
// the app is late) with FAIL and CodeAppUnanswered, never OK/0, as the app may not have got it;
// a webhook the receiver refuses gets its refusal.
type Forward struct {
	// URL is the app's callback URL; the webhook's query is appended to it, after any of its own.
	URL string
	// Timeout bounds the app's answer (DefaultForwardTimeout when zero). It must be below
	// SenderTimeout, so that the receiver's answer when the app is late reaches the sender in time.
	Timeout time.Duration
	// SenderTimeout is the sender's deadline (webhook.DefaultTimeout, the Live backend's own,
	// when zero).
	SenderTimeout time.Duration
	// Insecure accepts any TLS certificate from an https app, for test deployments.
	Insecure bool
	// Transport sends the requests (a clone of http.DefaultTransport when nil).
	Transport http.RoundTripper
}

// AppResult is what became of a webhook forwarded to the app.
type AppResult struct {
	// Status is the app's HTTP status; 0 when it gave no answer.
	Status int `json:"status,omitempty"`
	// Verdict is "OK/0" when the app's answer is the acknowledgement the contract wants,
	// "refused" followed by the app's reason when it is a refusal, else what is wrong with it
	// (webhook.CheckResponse).
	Verdict string `json:"verdict,omitempty"`
	// Error says why the app's answer was not passed on: it gave none, or one too large.
	Error string `json:"error,omitempty"`
	// Latency is the time from sending the webhook to the app to its complete answer.
	Latency time.Duration `json:"latency_ns"`
	// Retried reports that the webhook failed on a kept-alive connection the app had closed,
	// before any byte of an answer came, and was sent once more on a new connection.
	Retried bool `json:"retried,omitempty"`

	timedOut bool // no answer within Forward.Timeout
}

// unanswered is the sender's answer to a webhook the receiver accepted and the app gave no
// answer to: not OK/0, since the app may never have got it, but what the sender would have
// seen of an app that is down (502) or late (504), so that it counts a failed webhook and
// sends it again when its retries are on.
func (a *AppResult) unanswered() Answer {
	status := http.StatusBadGateway
	if a.timedOut {
		status = http.StatusGatewayTimeout
	}
	return ownAnswer(refuse(status, CodeAppUnanswered, "the app did not answer: %s", a.Error))
}

// Answered reports whether the app's answer was passed on to the sender.
func (a *AppResult) Answered() bool { return a != nil && a.Error == "" }

type forwarder struct {
	cfg    Forward
	client *http.Client
	// fresh sends a retry on a connection of its own (keep-alives off), so that it cannot meet
	// another connection the app closed while it was idle.
	fresh *http.Client
}

func newForwarder(cfg Forward) (*forwarder, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("receiver: forward URL %q: want an absolute http:// or https:// URL, e.g. http://127.0.0.1:8000/live/webhook", cfg.URL)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("receiver: forward timeout is %v: want a positive duration, e.g. %v", cfg.Timeout, DefaultForwardTimeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultForwardTimeout
	}
	if cfg.SenderTimeout == 0 {
		cfg.SenderTimeout = webhook.DefaultTimeout
	}
	if cfg.Timeout >= cfg.SenderTimeout {
		return nil, fmt.Errorf("receiver: forward timeout is %v, not below the sender's deadline of %v: the receiver's answer when the app is late would come too late to count; want, e.g., %v",
			cfg.Timeout, cfg.SenderTimeout, min(DefaultForwardTimeout, cfg.SenderTimeout*3/4))
	}
	tr := cfg.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DisableCompression = true // the app's answer goes back as the app wrote it
		if cfg.Insecure {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by the user
		}
		tr = t
	}
	freshTr := tr
	if t, ok := tr.(*http.Transport); ok {
		t = t.Clone()
		t.DisableKeepAlives = true
		freshTr = t
	}
	// A webhook goes to the URL configured; a redirect is the app's answer.
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &forwarder{cfg: cfg,
		client: &http.Client{Transport: tr, CheckRedirect: noRedirect},
		fresh:  &http.Client{Transport: freshTr, CheckRedirect: noRedirect}}, nil
}

// send forwards the request with body to the app. The answer is nil when the app gave none to
// pass on.
func (f *forwarder) send(r *http.Request, body []byte) (*AppResult, *Answer) {
	ctx, cancel := context.WithTimeout(r.Context(), f.cfg.Timeout)
	defer cancel()
	res := &AppResult{}
	newRequest := func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, r.Method, webhook.AppendQuery(f.cfg.URL, r.URL.RawQuery), bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header = connectionless(r.Header)
		// The app answers without compression, so that its answer can be read and passed on as
		// is; and Go's client adds no User-Agent of its own when the sender sent none.
		req.Header.Del("Accept-Encoding")
		if _, ok := req.Header["User-Agent"]; !ok {
			req.Header["User-Agent"] = []string{""}
		}
		if len(body) == 0 {
			req.Body = http.NoBody
		}
		return req, nil
	}
	req, err := newRequest()
	if err != nil {
		res.Error = fmt.Sprintf("building the request: %v", err)
		return res, nil
	}
	start := time.Now()
	var reused, answering atomic.Bool // the transport's goroutines set them
	trace := &httptrace.ClientTrace{
		GotConn:              func(i httptrace.GotConnInfo) { reused.Store(i.Reused) },
		GotFirstResponseByte: func() { answering.Store(true) },
	}
	resp, err := f.client.Do(req.WithContext(httptrace.WithClientTrace(ctx, trace)))
	if err != nil && reused.Load() && !answering.Load() && ctx.Err() == nil {
		// The app closed the kept-alive connection while it sat idle, and the webhook went out
		// on it before the close arrived: no byte of an answer came, so the app most likely
		// never read it. Once more, on a connection of its own.
		res.Retried = true
		if req, err = newRequest(); err == nil {
			resp, err = f.fresh.Do(req)
		}
	}
	if err != nil {
		res.Latency = time.Since(start)
		res.Error = f.describe(ctx, r.Context(), err)
		res.timedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
		return res, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxAppAnswerBytes+1))
	res.Latency, res.Status = time.Since(start), resp.StatusCode
	switch {
	case err != nil:
		res.Error = "reading its answer: " + f.describe(ctx, r.Context(), err)
		res.timedOut = errors.Is(ctx.Err(), context.DeadlineExceeded)
		return res, nil
	case len(b) > MaxAppAnswerBytes:
		res.Error = fmt.Sprintf("its answer is over %d bytes", MaxAppAnswerBytes)
		return res, nil
	}
	res.Verdict = "OK/0"
	if a := webhook.CheckResponse(resp.StatusCode, b); a.Refusal() {
		// A refusal is an answer, not a broken acknowledgement: the app may be right to refuse.
		res.Verdict = "refused"
		if a.IsJSON && a.Response.ErrorInfo != "" {
			res.Verdict += fmt.Sprintf(" (ErrorCode %d, %q)", a.Response.ErrorCode, a.Response.ErrorInfo)
		}
	} else if a.Violation != nil {
		res.Verdict = a.Violation.Message
	}
	h := connectionless(resp.Header)
	h.Del("Content-Length")
	return res, &Answer{From: FromApp, Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b, appHeader: h}
}

// describe says why the app gave no answer.
func (f *forwarder) describe(ctx, sender context.Context, err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	switch {
	case sender.Err() != nil:
		return "the sender went away before the app answered"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("no answer within %v", f.cfg.Timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("connection refused: is the app listening at %s?", f.cfg.URL)
	}
	return err.Error()
}

// hopByHop are the headers of a connection rather than of a request (RFC 9110, 7.6.1).
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// connectionless returns a copy of h without the headers of the connection.
func connectionless(h http.Header) http.Header {
	// As h.Clone copies, one slice for all the values, but without the hop-by-hop headers:
	// their names are canonical, so that Del would delete just them.
	nv := 0
	for _, vs := range h {
		nv += len(vs)
	}
	sv := make([]string, nv)
	out := make(http.Header, len(h))
	for name, vs := range h {
		switch {
		case slices.Contains(hopByHop, name):
		case vs == nil:
			out[name] = nil
		default:
			n := copy(sv, vs)
			out[name], sv = sv[:n:n], sv[n:]
		}
	}
	for _, f := range h.Values("Connection") {
		for name := range strings.SplitSeq(f, ",") {
			out.Del(textproto.TrimString(name))
		}
	}
	return out
}
