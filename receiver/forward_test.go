package receiver_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// seen is a request as the app saw it.
type seen struct {
	method, path, query string
	header              http.Header
	body                []byte
}

// app is a test app that records what it is sent and answers with answer.
func app(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, <-chan seen) {
	t.Helper()
	got := make(chan seen, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), b}
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func forwarding(t *testing.T, to, token string, timeout time.Duration) (*receiver.Server, *[]receiver.Delivery) {
	t.Helper()
	var ds []receiver.Delivery
	srv, err := receiver.NewServer(receiver.Config{SDKAppID: appID, Token: token, Forward: receiver.Forward{URL: to, Timeout: timeout},
		OnDelivery: func(d receiver.Delivery) { ds = append(ds, d) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, &ds
}

func TestForwardingPassesTheWebhookOnUnchangedAndTheAnswerBack(t *testing.T) {
	g := NewWithT(t)
	const token = "tok-forward"
	appSrv, got := app(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-App", "yes")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"app says no","ErrorCode":42}`)
	})
	srv, ds := forwarding(t, appSrv.URL+"/app/hook?tenant=7", token, 0)
	body := []byte("{\n  \"CallbackCommand\": \"Live.CallbackAfterDestroyRoom\", \"Operator_Account\": \"a\", \"RoomId\": \"r\\u00e9\",\n  \"EventType\": \"DestroyByUser\", \"EventTime\": " +
		"1703589922780, \"RoomInfo\": {\"Owner_Account\": 144115216631667826123}}")
	body = bytes.Replace(body, []byte("144115216631667826123"), []byte("14411521663166782612"), 1) // beyond 2^53, within 64 bits
	e := webhook.Endpoint{URL: srv.URL + "/cb", SDKAppID: appID, Token: token}
	u := e.RequestURL(webhook.CommandDestroyRoom, webhook.Meta{ClientIP: "10.1.2.3", OptPlatform: "iOS"}, webhook.URLOptions{})
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	g.Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", webhook.ContentType)
	req.Header.Set("User-Agent", "Live-backend/1.0")
	req.Header.Set("X-Trace", "t-1")
	req.Header.Set("Connection", "keep-alive, X-Hop")
	req.Header.Set("X-Hop", "hop")
	resp, err := http.DefaultClient.Do(req)
	g.Expect(err).NotTo(HaveOccurred())
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	var s seen
	g.Eventually(got).Should(Receive(&s))
	g.Expect(s.method).To(Equal(http.MethodPost))
	g.Expect(s.path).To(Equal("/app/hook"))
	g.Expect(s.query).To(Equal("tenant=7&"+req.URL.RawQuery), "the query, Sign and RequestTime included, byte for byte")
	g.Expect(s.body).To(Equal(body), "the body byte for byte")
	g.Expect(s.header.Get("Content-Type")).To(Equal(webhook.ContentType))
	g.Expect(s.header.Get("User-Agent")).To(Equal("Live-backend/1.0"))
	g.Expect(s.header.Get("X-Trace")).To(Equal("t-1"))
	g.Expect(s.header.Get("X-Hop")).To(BeEmpty(), "a header of the connection stays with it")

	// The sender gets the app's answer: status, headers, body.
	g.Expect(resp.StatusCode).To(Equal(http.StatusAccepted))
	g.Expect(resp.Header.Get("X-App")).To(Equal("yes"))
	g.Expect(string(answer)).To(Equal(`{"ActionStatus":"FAIL","ErrorInfo":"app says no","ErrorCode":42}`))

	g.Expect(*ds).To(HaveLen(1))
	d := (*ds)[0]
	g.Expect(d.Accepted).To(BeTrue(), d.Reason)
	g.Expect(d.App.Status).To(Equal(http.StatusAccepted))
	g.Expect(d.App.Verdict).To(Equal(`refused (ErrorCode 42, "app says no")`), "a refusal is named as one, with its reason")
	g.Expect(d.Answer.From).To(Equal(receiver.FromApp))
	g.Expect(d.Summary()).To(HavePrefix(`#1 "Live.CallbackAfterDestroyRoom" room "ré": OK; app 202 refused (ErrorCode 42, "app says no") in `))
}

func TestForwardingAProtocolViolationLetsTheAppAnswer(t *testing.T) {
	g := NewWithT(t)
	appSrv, got := app(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(webhook.Acknowledgement) })
	srv, ds := forwarding(t, appSrv.URL, "", 0)
	resp, err := http.Post(srv.URL+"/cb?SdkAppid=1400999999&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json", "application/json", strings.NewReader(`{}`))
	g.Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	g.Eventually(got).Should(Receive())
	g.Expect(resp.StatusCode).To(Equal(200), "the app acknowledged it, wrongly, and the sender sees that")
	g.Expect((*ds)[0].Summary()).To(HaveSuffix(`: FAIL 403 SdkAppid 1400999999 is not this app's (1400000001); app 200 OK/0 in ` + (*ds)[0].App.Latency.Round(10*time.Microsecond).String()))
}

func TestWhenTheAppDoesNotAnswerTheReceiverDoes(t *testing.T) {
	g := NewWithT(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	g.Expect(err).NotTo(HaveOccurred())
	down := "http://" + ln.Addr().String() + "/hook"
	ln.Close()
	srv, ds := forwarding(t, down, "", 0)
	e := webhook.Endpoint{URL: srv.URL + "/cb", SDKAppID: appID}
	res := sender.NewClient().Do(t.Context(), webhook.Request{URL: e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}), Body: seed(t, "modify_admin.json")})
	g.Expect(res.Outcome).NotTo(Equal(webhook.Acknowledged), "the app did not get it: no OK/0")
	g.Expect(res.Answer.Status).To(Equal(http.StatusBadGateway))
	g.Expect(res.Answer.Response.ActionStatus).To(Equal("FAIL"))
	d := (*ds)[0]
	g.Expect(d.Accepted).To(BeTrue(), "the receiver's verdict stays in the log")
	g.Expect(d.Answer.From).To(Equal(receiver.FromReceiver))
	g.Expect(d.App.Error).To(Equal("connection refused: is the app listening at " + down + "?"))
	g.Expect(d.Summary()).To(HaveSuffix(`; app did not answer (connection refused: is the app listening at ` + down + `?), answered 502 FAIL itself, for the sender to send it again`))

	// An app that stalls: the receiver answers when the forward timeout passes.
	release := make(chan struct{})
	defer close(release)
	stall, _ := app(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	srv2, ds2 := forwarding(t, stall.URL, "", 100*time.Millisecond)
	resp, err := http.Post(srv2.URL+"/cb?SdkAppid=1400999999", "application/json", strings.NewReader(`{}`))
	g.Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	g.Expect(resp.StatusCode).To(Equal(403), "a refusal stays the receiver's")
	g.Expect((*ds2)[0].App.Error).To(Equal("no answer within 100ms"))
	e2 := webhook.Endpoint{URL: srv2.URL + "/cb", SDKAppID: appID}
	res = sender.NewClient().Do(t.Context(), webhook.Request{URL: e2.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}), Body: seed(t, "modify_admin.json")})
	g.Expect(res.Answer.Status).To(Equal(http.StatusGatewayTimeout), "an app that is late: 504, within the sender's deadline")
}

func TestForwardURLIsChecked(t *testing.T) {
	_, err := receiver.New(receiver.Config{SDKAppID: appID, Forward: receiver.Forward{URL: "127.0.0.1:8000/x"}})
	NewWithT(t).Expect(err).To(MatchError(`receiver: forward URL "127.0.0.1:8000/x": want an absolute http:// or https:// URL, e.g. http://127.0.0.1:8000/live/webhook`))
}

// closingApp is an app that closes kept-alive connections as an idle timeout does, with the
// close always racing the reuse: it answers the first request on each connection without
// Connection: close, and closes the connection (with a reset when rst) as soon as a second
// request starts on it, unanswered and unread. It counts the webhooks it answered.
func closingApp(t *testing.T, rst bool) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		answered atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		conns    []net.Conn
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, req.Body)
				answered.Add(1)
				fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(webhook.Acknowledgement), webhook.Acknowledgement)
				if _, err := br.Peek(1); err != nil {
					return // the client closed it
				}
				if rst {
					_ = c.(*net.TCPConn).SetLinger(0)
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String() + "/hook", &answered
}

// A webhook that meets a kept-alive connection the app has closed goes once more on a new
// one: every webhook reaches the app, and the sender gets the app's answer every time.
func TestForwardingRetriesAConnectionTheAppClosedWhileIdle(t *testing.T) {
	for _, rst := range []bool{false, true} {
		g := NewWithT(t)
		to, answered := closingApp(t, rst)
		srv, ds := forwarding(t, to, "", 0)
		e := webhook.Endpoint{URL: srv.URL + "/cb", SDKAppID: appID}
		client := sender.NewClient()
		const n = 10
		for i := range n {
			res := client.Do(t.Context(), webhook.Request{URL: e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}), Body: seed(t, "modify_admin.json")})
			g.Expect(res.Outcome).To(Equal(webhook.Acknowledged), "reset %v, webhook %d: %v", rst, i+1, res.Err)
		}
		g.Expect(answered.Load()).To(Equal(int64(n)), "reset %v: every webhook reached the app", rst)
		retried := 0
		for i, d := range *ds {
			g.Expect(d.Answer.From).To(Equal(receiver.FromApp), "reset %v, webhook %d: %s", rst, i+1, d.Summary())
			if d.App.Retried {
				retried++
				g.Expect(d.Summary()).To(HaveSuffix(" (sent again on a new connection: the app had closed the kept-alive one)"))
			}
		}
		g.Expect(retried).To(Equal(n/2), "reset %v: every other webhook met a closed connection", rst)
	}
}

// A webhook that fails on a new connection is not sent again: the sender is told, not OK/0.
func TestForwardingDoesNotRetryANewConnection(t *testing.T) {
	g := NewWithT(t)
	resetting, _ := app(t, func(w http.ResponseWriter, r *http.Request) {
		c, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = c.(*net.TCPConn).SetLinger(0)
			_ = c.Close()
		}
	})
	srv, ds := forwarding(t, resetting.URL, "", 0)
	e := webhook.Endpoint{URL: srv.URL + "/cb", SDKAppID: appID}
	res := sender.NewClient().Do(t.Context(), webhook.Request{URL: e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}), Body: seed(t, "modify_admin.json")})
	g.Expect(res.Answer.Status).To(Equal(http.StatusBadGateway))
	g.Expect((*ds)[0].App.Retried).To(BeFalse())
	g.Expect((*ds)[0].Summary()).To(ContainSubstring("answered 502 FAIL itself, for the sender to send it again"))
}

// The forward timeout leaves the sender's deadline room for the receiver's own answer.
func TestForwardTimeoutIsBelowTheSendersDeadline(t *testing.T) {
	g := NewWithT(t)
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, Forward: receiver.Forward{URL: "http://127.0.0.1:1/x"}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rv.Config().Forward.Timeout).To(Equal(1500 * time.Millisecond))
	g.Expect(rv.Config().Forward.Timeout).To(BeNumerically("<", webhook.DefaultTimeout))
	for _, d := range []time.Duration{webhook.DefaultTimeout, 3 * time.Second} {
		_, err = receiver.New(receiver.Config{SDKAppID: appID, Forward: receiver.Forward{URL: "http://127.0.0.1:1/x", Timeout: d}})
		g.Expect(err).To(MatchError(ContainSubstring("not below the sender's deadline of 2s")), "%v", d)
	}
	_, err = receiver.New(receiver.Config{SDKAppID: appID, Forward: receiver.Forward{URL: "http://127.0.0.1:1/x", Timeout: 3 * time.Second, SenderTimeout: 5 * time.Second}})
	g.Expect(err).NotTo(HaveOccurred(), "a sender with a longer deadline allows a longer one")
}
