package receiver_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
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
	srv, err := receiver.Start("", receiver.Config{SDKAppID: appID, Token: token, Forward: receiver.Forward{URL: to, Timeout: timeout},
		OnDelivery: func(d receiver.Delivery) { ds = append(ds, d) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
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
	g.Expect(res.Outcome).To(Equal(webhook.Acknowledged), "the receiver's own verdict: %v", res.Err)
	d := (*ds)[0]
	g.Expect(d.Answer.From).To(Equal(receiver.FromReceiver))
	g.Expect(d.App.Error).To(Equal("connection refused: is the app listening at " + down + "?"))
	g.Expect(d.Summary()).To(HaveSuffix(`; app did not answer (connection refused: is the app listening at ` + down + `?), answered OK/0 itself`))

	// An app that stalls: the receiver answers when the forward timeout passes.
	release := make(chan struct{})
	defer close(release)
	stall, _ := app(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	srv2, ds2 := forwarding(t, stall.URL, "", 100*time.Millisecond)
	resp, err := http.Post(srv2.URL+"/cb?SdkAppid=1400999999", "application/json", strings.NewReader(`{}`))
	g.Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	g.Expect(resp.StatusCode).To(Equal(403))
	g.Expect((*ds2)[0].App.Error).To(Equal("no answer within 100ms"))
}

func TestForwardURLIsChecked(t *testing.T) {
	_, err := receiver.New(receiver.Config{SDKAppID: appID, Forward: receiver.Forward{URL: "127.0.0.1:8000/x"}})
	NewWithT(t).Expect(err).To(MatchError(`receiver: forward URL "127.0.0.1:8000/x": want an absolute http:// or https:// URL, e.g. http://127.0.0.1:8000/live/webhook`))
}
