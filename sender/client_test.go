package sender_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// serve starts a loopback server for one test.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func deliver(t *testing.T, c *sender.Client, url string) webhook.Result {
	t.Helper()
	return c.Do(context.Background(), webhook.Request{Command: webhook.CommandCreateRoom, URL: url, Body: []byte(`{}`)})
}

// transports are the two ways a client sends: net/http's transport, and the fast one.
var transports = map[string][]sender.ClientOption{"net/http": nil, "fast": {sender.WithFastTransport()}}

func TestClientOutcomes(t *testing.T) {
	for name, opts := range transports {
		t.Run(name, func(t *testing.T) { testClientOutcomes(t, sender.NewClient(opts...)) })
	}
}

func testClientOutcomes(t *testing.T, c *sender.Client) {
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		outcome webhook.Outcome
		err     string
	}{
		{"ack", answer(200, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`), webhook.Acknowledged, ""},
		{"violation", answer(200, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":"0"}`), webhook.ContractViolation, `ErrorCode is the string "0", want the integer 0`},
		{"fail", answer(200, `{"ActionStatus":"FAIL","ErrorInfo":"nope","ErrorCode":1}`), webhook.ContractViolation, `ActionStatus is "FAIL", want "OK"`},
		{"not json", answer(200, `OK`), webhook.NotJSON, `body is not JSON: "OK"`},
		{"status", answer(503, `busy`), webhook.BadStatus, "HTTP status is 503 Service Unavailable, want 200 OK"},
		{"redirect is not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}, webhook.BadStatus, "HTTP status is 302 Found"},
		{"reset", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.(*net.TCPConn).SetLinger(0)
				_ = conn.Close()
			}
		}, webhook.ConnReset, "connection closed before the answer was complete"},
		{"too large", answer(200, `{"ActionStatus":"OK","ErrorInfo":"`+strings.Repeat("x", 70<<10)+`","ErrorCode":0}`), webhook.ContractViolation, "answer body is over 65536 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			srv := serve(t, tc.h)
			res := deliver(t, c, srv.URL)
			g.Expect(res.Outcome).To(Equal(tc.outcome), "%v", res.Err)
			if tc.err == "" {
				g.Expect(res.Err).NotTo(HaveOccurred())
			} else {
				g.Expect(res.Err).To(MatchError(ContainSubstring(tc.err)))
			}
			g.Expect(res.Done).NotTo(BeTemporally("<", res.Sent))
			g.Expect(res.Sent).NotTo(BeTemporally("<", res.Intended))
		})
	}
}

func TestClientTimeout(t *testing.T) {
	for name, opts := range transports {
		t.Run(name, func(t *testing.T) { testClientTimeout(t, opts) })
	}
}

func testClientTimeout(t *testing.T, opts []sender.ClientOption) {
	g := NewWithT(t)
	release := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := sender.NewClient(append(opts, sender.WithTimeout(50*time.Millisecond))...)
	g.Expect(c.Timeout()).To(Equal(50 * time.Millisecond))
	res := deliver(t, c, srv.URL)
	g.Expect(res.Outcome).To(Equal(webhook.Timeout))
	g.Expect(res.Err).To(MatchError(ContainSubstring("no complete answer within 50ms")))
	g.Expect(res.Latency()).To(BeNumerically(">=", 50*time.Millisecond))
}

func TestClientConnRefused(t *testing.T) {
	g := NewWithT(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	addr := ln.Addr().String()
	g.Expect(ln.Close()).To(Succeed())
	for _, opts := range transports {
		res := deliver(t, sender.NewClient(opts...), "http://"+addr+"/cb")
		g.Expect(res.Outcome).To(Equal(webhook.ConnRefused))
		g.Expect(res.Answer.Status).To(BeZero())
	}
}

func TestClientCanceled(t *testing.T) {
	g := NewWithT(t)
	arrived := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // the server notices a closed connection only after the body
		close(arrived)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	res := sender.NewClient().Do(ctx, webhook.Request{URL: srv.URL, Body: []byte(`{}`)})
	g.Expect(res.Outcome).To(Equal(webhook.Canceled))
}

func TestFastClientCanceled(t *testing.T) {
	g := NewWithT(t)
	arrived := make(chan struct{})
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		close(arrived)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	res := sender.NewClient(sender.WithFastTransport()).Do(ctx, webhook.Request{URL: srv.URL, Body: []byte(`{}`)})
	g.Expect(res.Outcome).To(Equal(webhook.Canceled))
}

// The fast transport reads every framing a server may use, and reuses connections when it can.
func TestFastTransportFraming(t *testing.T) {
	ack := string(webhook.Acknowledgement)
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		outcome webhook.Outcome
	}{
		{"content-length", answer(200, ack), webhook.Acknowledged},
		{"chunked", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.(http.Flusher).Flush() // no Content-Length: the server chunks
			_, _ = io.WriteString(w, ack[:10])
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, ack[10:])
		}, webhook.Acknowledged},
		{"connection close", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Connection", "close")
			_, _ = io.WriteString(w, ack)
		}, webhook.Acknowledged},
		{"no content", answer(204, ""), webhook.BadStatus},
		{"interim 100 Continue", func(w http.ResponseWriter, r *http.Request) {
			conn, bw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			_, _ = bw.WriteString("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: " + strconv.Itoa(len(ack)) + "\r\n\r\n" + ack)
			_ = bw.Flush()
		}, webhook.Acknowledged},
		{"HTTP/1.0 to the close", func(w http.ResponseWriter, r *http.Request) {
			conn, bw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			_, _ = bw.WriteString("HTTP/1.0 200 OK\r\n\r\n" + ack)
			_ = bw.Flush()
			conn.Close()
		}, webhook.Acknowledged},
		{"garbage", func(w http.ResponseWriter, r *http.Request) {
			conn, bw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			_, _ = bw.WriteString("SMTP ready\r\n\r\n")
			_ = bw.Flush()
			conn.Close()
		}, webhook.ConnError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			srv := serve(t, tc.h)
			c := sender.NewClient(sender.WithFastTransport())
			for range 3 { // the second and third go over a kept-alive connection, if any
				res := deliver(t, c, srv.URL+"/cb?x=1")
				g.Expect(res.Outcome).To(Equal(tc.outcome), "%v", res.Err)
			}
		})
	}
}

func TestClientBadURL(t *testing.T) {
	g := NewWithT(t)
	res := deliver(t, sender.NewClient(), "http://bad host/")
	g.Expect(res.Outcome).To(Equal(webhook.ConnError))
	g.Expect(res.Err).To(HaveOccurred())
}

func TestClientSendsHeadersAndReusesConnections(t *testing.T) {
	for name, opts := range transports {
		t.Run(name, func(t *testing.T) { testClientSendsHeadersAndReusesConnections(t, opts) })
	}
}

func testClientSendsHeadersAndReusesConnections(t *testing.T, opts []sender.ClientOption) {
	g := NewWithT(t)
	var conns atomic.Int32
	var gotType, gotLen atomic.Value
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotType.Store(r.Header.Get("Content-Type"))
		gotLen.Store(r.ContentLength)
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	c := sender.NewClient(opts...)
	for range 20 {
		res := c.Do(context.Background(), webhook.Request{URL: s.URL, Body: []byte(`{"a":1}`)})
		g.Expect(res.Outcome).To(Equal(webhook.Acknowledged))
	}
	g.Expect(conns.Load()).To(Equal(int32(1)))
	g.Expect(gotType.Load()).To(Equal("application/json; charset=utf-8"))
	g.Expect(gotLen.Load()).To(Equal(int64(7)))
}

func TestLatencyCountsFromIntended(t *testing.T) {
	g := NewWithT(t)
	srv := serve(t, answer(200, string(webhook.Acknowledgement)))
	intended := time.Now().Add(-time.Second) // a sender that fell a second behind
	res := sender.NewClient().Do(context.Background(), webhook.Request{URL: srv.URL, Body: []byte(`{}`), Intended: intended})
	g.Expect(res.Intended).To(Equal(intended))
	g.Expect(res.Lag()).To(BeNumerically(">=", time.Second))
	g.Expect(res.Latency()).To(BeNumerically(">=", time.Second))
}

func TestOutcomeText(t *testing.T) {
	g := NewWithT(t)
	for _, o := range webhook.Outcomes {
		b, err := o.MarshalText()
		g.Expect(err).NotTo(HaveOccurred())
		var back webhook.Outcome
		g.Expect(back.UnmarshalText(b)).To(Succeed())
		g.Expect(back).To(Equal(o))
	}
	var o webhook.Outcome
	g.Expect(o.UnmarshalText([]byte("nope"))).To(HaveOccurred())
	g.Expect(webhook.Acknowledged.Answered()).To(BeTrue())
	g.Expect(webhook.Timeout.Answered()).To(BeFalse())
}

// A kept-alive connection watches the context of its last request: a later request under
// another context reuses it after the first context was canceled, and a cancellation in the
// middle of a request on a reused connection ends that request at once.
func TestFastClientContextsOnKeptAliveConnections(t *testing.T) {
	g := NewWithT(t)
	var conns atomic.Int32
	block := make(chan struct{})
	var calls atomic.Int32
	arrived := make(chan struct{}, 1)
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if calls.Add(1) == 3 {
			arrived <- struct{}{}
			select {
			case <-block:
			case <-r.Context().Done():
			}
			return
		}
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	defer close(block)
	c := sender.NewClient(sender.WithFastTransport(), sender.WithTimeout(time.Minute))
	req := webhook.Request{URL: s.URL + "/cb", Body: []byte(`{}`)}

	first, cancelFirst := context.WithCancel(context.Background())
	g.Expect(c.Do(first, req).Outcome).To(Equal(webhook.Acknowledged))
	cancelFirst()
	second, cancelSecond := context.WithCancel(context.Background())
	defer cancelSecond()
	g.Expect(c.Do(second, req).Outcome).To(Equal(webhook.Acknowledged))
	g.Expect(conns.Load()).To(Equal(int32(1)), "the connection is reused after the first context was canceled")

	go func() { <-arrived; cancelSecond() }()
	res := c.Do(second, req) // the third request blocks until canceled; the timeout is a minute
	g.Expect(res.Outcome).To(Equal(webhook.Canceled), "%v", res.Err)
	g.Expect(conns.Load()).To(Equal(int32(1)))

	// A context canceled before the request: nothing is sent.
	res = c.Do(second, req)
	g.Expect(res.Outcome).To(Equal(webhook.Canceled))
	g.Expect(calls.Load()).To(Equal(int32(3)))
}

// A receiver that keeps a connection open after an answer, then closes it on the next request
// without answering, fails that request, and the error says what the receiver did.
func TestFastClientNamesAnUnannouncedClose(t *testing.T) {
	g := NewWithT(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = ln.Close() })
	ack := string(webhook.Acknowledgement)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for i := 0; ; i++ {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					if i == 1 {
						return // the second request on the connection: closed, unanswered
					}
					_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(ack))+"\r\n\r\n"+ack)
				}
			}()
		}
	}()
	c := sender.NewClient(sender.WithFastTransport())
	url := "http://" + ln.Addr().String() + "/cb"
	g.Expect(deliver(t, c, url).Outcome).To(Equal(webhook.Acknowledged))
	res := deliver(t, c, url)
	g.Expect(res.Outcome).To(Equal(webhook.ConnReset))
	g.Expect(res.Err).To(MatchError(ContainSubstring(`closed a kept-alive connection without answering, though its previous answer on it did not say "Connection: close"`)))
	g.Expect(deliver(t, c, url).Outcome).To(Equal(webhook.Acknowledged), "the next goes on a new connection")
}

// The client's options compose: WithFastTransport and WithInsecureTLS keep their effect beside
// WithHTTPClient, which used to turn both off without a word; what cannot compose is refused.
func TestClientOptionsCompose(t *testing.T) {
	ack := `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`
	t.Run("fast transport beside a given client", func(t *testing.T) {
		g := NewWithT(t)
		agents := make(chan string, 1)
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			agents <- r.UserAgent()
			answer(200, ack)(w, r)
		})
		c := sender.NewClient(sender.WithHTTPClient(&http.Client{}), sender.WithFastTransport())
		defer c.CloseIdleConnections()
		g.Expect(deliver(t, c, srv.URL).Outcome).To(Equal(webhook.Acknowledged))
		g.Expect(<-agents).To(Equal("livehook"), "sent the lean way")
		plain := sender.NewClient(sender.WithHTTPClient(&http.Client{}))
		g.Expect(deliver(t, plain, srv.URL).Outcome).To(Equal(webhook.Acknowledged))
		g.Expect(<-agents).To(HavePrefix("Go-http-client/"), "sent through the given client")
	})
	t.Run("insecure TLS beside a given client", func(t *testing.T) {
		g := NewWithT(t)
		srv := httptest.NewTLSServer(answer(200, ack))
		t.Cleanup(srv.Close)
		tr := &http.Transport{}
		given := &http.Client{Transport: tr}
		g.Expect(deliver(t, sender.NewClient(sender.WithHTTPClient(given)), srv.URL).Err).To(MatchError(sender.ErrUntrustedCertificate))
		res := deliver(t, sender.NewClient(sender.WithHTTPClient(given), sender.WithInsecureTLS()), srv.URL)
		g.Expect(res.Outcome).To(Equal(webhook.Acknowledged), "%v", res.Err)
		g.Expect(tr.TLSClientConfig == nil || !tr.TLSClientConfig.InsecureSkipVerify).To(BeTrue(), "the given client's transport still checks certificates")
		g.Expect(deliver(t, sender.NewClient(sender.WithHTTPClient(given)), srv.URL).Err).To(MatchError(sender.ErrUntrustedCertificate))
		g.Expect(given.Transport).To(BeIdenticalTo(tr))
	})
	t.Run("insecure TLS cannot reach a foreign transport", func(t *testing.T) {
		g := NewWithT(t)
		var calls atomic.Int32
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1); answer(200, ack)(w, r) })
		given := &http.Client{Transport: roundTripper(http.DefaultTransport.RoundTrip)}
		g.Expect(deliver(t, sender.NewClient(sender.WithHTTPClient(given)), srv.URL).Outcome).To(Equal(webhook.Acknowledged))
		res := deliver(t, sender.NewClient(sender.WithHTTPClient(given), sender.WithInsecureTLS()), srv.URL)
		g.Expect(res.Outcome).To(Equal(webhook.ConnError))
		g.Expect(res.Err).To(MatchError(ContainSubstring("WithInsecureTLS cannot change the certificate checks of the http.Client given to WithHTTPClient")))
		g.Expect(calls.Load()).To(Equal(int32(1)), "the refused client sends nothing")
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
