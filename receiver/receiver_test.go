package receiver_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

const appID = 1400000001

var clock = time.Unix(1700000000, 0)

func seed(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../webhook/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newReceiver(t *testing.T, token string) *receiver.Receiver {
	t.Helper()
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, Token: token, Now: func() time.Time { return clock }, LogSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	return rv
}

func webhookURL(cmd webhook.Command, token string, opt webhook.URLOptions) string {
	e := webhook.Endpoint{URL: "http://receiver/cb", SDKAppID: appID, Token: token}
	if opt.Now.IsZero() {
		opt.Now = clock
	}
	return e.RequestURL(cmd, webhook.Meta{ClientIP: "10.1.2.3", OptPlatform: "Android"}, opt)
}

// tokenOf is the token of a receiver handler, for reading its log.
func tokenOf(h http.Handler) string {
	if rv, ok := h.(*receiver.Receiver); ok {
		return rv.Config().Token
	}
	return ""
}

// post sends a request to the handler and returns the parsed answer.
func post(t *testing.T, h http.Handler, method, url string, body []byte) (*httptest.ResponseRecorder, webhook.Response) {
	t.Helper()
	req := httptest.NewRequest(method, url, bytes.NewReader(body))
	req.RemoteAddr = "127.0.0.1:40000" // the log is served to loopback without a token
	if tok := tokenOf(h); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var resp webhook.Response
	_ = json.Unmarshal(rec.Body.Bytes(), &resp)
	return rec, resp
}

func TestAcceptsEveryDocumentedShape(t *testing.T) {
	rv := newReceiver(t, "")
	for _, tc := range []struct {
		file string
		cmd  webhook.Command
		opt  webhook.URLOptions
	}{
		{"create_room.json", webhook.CommandCreateRoom, webhook.URLOptions{}},
		{"modify_admin.json", webhook.CommandModifyAdmin, webhook.URLOptions{}},
		{"destroy_room.json", webhook.CommandDestroyRoom, webhook.URLOptions{}},
		{"destroy_by_system.json", webhook.CommandDestroyRoom, webhook.URLOptions{}},
		{"create_room.json", webhook.CommandCreateRoom, webhook.URLOptions{NewParamNames: true}},
	} {
		g := NewWithT(t)
		rec, resp := post(t, rv, http.MethodPost, webhookURL(tc.cmd, "", tc.opt), seed(t, tc.file))
		g.Expect(rec.Code).To(Equal(200), "%s: %s", tc.file, rec.Body)
		g.Expect(rec.Body.Bytes()).To(Equal(webhook.Acknowledgement))
		g.Expect(resp.ActionStatus).To(Equal("OK"))
	}
	// Fields the protocol does not name are tolerated.
	body := bytes.Replace(seed(t, "modify_admin.json"), []byte(`"opType"`), []byte(`"Future":{"x":[1]},"opType"`), 1)
	rec, _ := post(t, rv, http.MethodPost, webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{}), body)
	NewWithT(t).Expect(rec.Code).To(Equal(200), rec.Body.String())
}

func TestRefusals(t *testing.T) {
	create := seed(t, "create_room.json")
	createURL := webhookURL(webhook.CommandCreateRoom, "", webhook.URLOptions{})
	for _, tc := range []struct {
		name   string
		method string
		url    string
		body   []byte
		status int
		code   int
		reason string
	}{
		{"wrong method", http.MethodGet, createURL, nil, 405, receiver.CodeBadMethod, `method "GET" is not allowed`},
		{"too large", http.MethodPost, createURL, bytes.Repeat([]byte(" "), receiver.DefaultMaxBodyBytes+1), 413, receiver.CodeTooLarge, "body is over 1048576 bytes"},
		{"not JSON", http.MethodPost, createURL, []byte(`RoomId=1`), 400, receiver.CodeNotJSON, "CreateRoom body: body is not JSON"},
		{"empty body", http.MethodPost, createURL, nil, 400, receiver.CodeNotJSON, "body is empty"},
		{"JSON array", http.MethodPost, createURL, []byte(`[]`), 400, receiver.CodeNotJSON, "body is an array"},
		{"not a command name", http.MethodPost, "/cb?SdkAppid=1400000001&CallbackCommand=Live.Callback+After&contenttype=json", create, 400, receiver.CodeBadCommand, `CallbackCommand "Live.Callback After" is not a command name`},
		{"no command", http.MethodPost, "/cb?SdkAppid=1400000001&contenttype=json", create, 400, receiver.CodeBadQuery, "CallbackCommand (or WebhookCommand) is missing"},
		{"no SdkAppid", http.MethodPost, "/cb?CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json", create, 400, receiver.CodeBadQuery, "SdkAppid (or SdkAppId) is missing"},
		{"SdkAppid not a number", http.MethodPost, "/cb?SdkAppid=abc&CallbackCommand=Live.CallbackAfterCreateRoom", create, 400, receiver.CodeBadQuery, `"abc", want a number`},
		{"foreign SdkAppid", http.MethodPost, webhookURL(webhook.CommandCreateRoom, "", webhook.URLOptions{SDKAppID: 1400999999}), create, 403, receiver.CodeForeignApp, "SdkAppid 1400999999 is not this app's (1400000001)"},
		{"contenttype", http.MethodPost, strings.Replace(createURL, "contenttype=json", "contenttype=xml", 1), create, 400, receiver.CodeBadQuery, `contenttype is "xml"`},
		{"no ClientIP", http.MethodPost, strings.Replace(createURL, "&ClientIP=10.1.2.3", "", 1), create, 400, receiver.CodeBadQuery, "ClientIP is missing"},
		{"bad OptPlatform", http.MethodPost, strings.Replace(createURL, "OptPlatform=Android", "OptPlatform=Symbian", 1), create, 400, receiver.CodeBadQuery, `OptPlatform is "Symbian"`},
		{"command differs", http.MethodPost, webhookURL(webhook.CommandDestroyRoom, "", webhook.URLOptions{}), create, 400, receiver.CodeBadBody, `CallbackCommand is "Live.CallbackAfterCreateRoom" in the body but "Live.CallbackAfterDestroyRoom" in the URL`},
		{"missing field", http.MethodPost, createURL, []byte(`{"CallbackCommand":"Live.CallbackAfterCreateRoom","RoomInfo":{"RoomId":"r"}}`), 400, receiver.CodeBadBody, "Operator_Account is missing"},
		{"nested missing field", http.MethodPost, createURL, []byte(`{"CallbackCommand":"Live.CallbackAfterCreateRoom","Operator_Account":"a","RoomInfo":{}}`), 400, receiver.CodeBadBody, "RoomInfo.RoomId is missing"},
		{"wrong type", http.MethodPost, createURL, bytes.Replace(create, []byte(`"MaxSeatCount":16`), []byte(`"MaxSeatCount":"16"`), 1), 400, receiver.CodeBadBody, `RoomInfo.MaxSeatCount is the string "16", want an integer`},
		{"CreateTime in ms", http.MethodPost, createURL, bytes.Replace(create, []byte(`1703589922`), []byte(`1703589922000`), 1), 400, receiver.CodeBadBody, "looks like Unix milliseconds"},
		{"category of strings", http.MethodPost, createURL, bytes.Replace(create, []byte(`[1,2]`), []byte(`["1"]`), 1), 400, receiver.CodeBadBody, `RoomInfo.Category[0] is the string "1", want an integer`},
		{"opType capitalised", http.MethodPost, webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{}), bytes.Replace(seed(t, "modify_admin.json"), []byte(`"opType": "add"`), []byte(`"OpType": "add"`), 1), 400, receiver.CodeBadBody, "opType is missing"},
		{"invalid UTF-8", http.MethodPost, createURL, bytes.Replace(create, []byte(`"custom123"`), []byte("\"custom\xff\""), 1), 400, receiver.CodeNotJSON, "body is not UTF-8"},
		{"a lone surrogate", http.MethodPost, createURL, bytes.Replace(create, []byte(`"custom123"`), []byte(`"\udfff"`), 1), 400, receiver.CodeBadBody, `RoomInfo.CustomInfo holds the lone UTF-16 surrogate \udfff`},
		{"a key twice", http.MethodPost, createURL, bytes.Replace(create, []byte(`"MaxSeatCount":16`), []byte(`"MaxSeatCount":16,"MaxSeatCount":9`), 1), 400, receiver.CodeBadBody, `RoomInfo has the key "MaxSeatCount" twice`},
		{"a count out of range", http.MethodPost, createURL, bytes.Replace(create, []byte(`"MaxMemberCount":300`), []byte(`"MaxMemberCount":-100000000000000000000`), 1), 400, receiver.CodeBadBody, "RoomInfo.MaxMemberCount is the number -100000000000000000000, out of range"},
		{"an Owner_Account of 5,000 digits", http.MethodPost, createURL, bytes.Replace(create, []byte(`"user3"`), bytes.Repeat([]byte("9"), 5000), 1), 400, receiver.CodeBadBody, "RoomInfo.Owner_Account is a number of 5000 digits"},
		{"EventType unknown", http.MethodPost, webhookURL(webhook.CommandDestroyRoom, "", webhook.URLOptions{}), bytes.Replace(seed(t, "destroy_room.json"), []byte(`DestroyByUser`), []byte(`DestroyByAlien`), 1), 400, receiver.CodeBadBody, `EventType is "DestroyByAlien", want one of DestroyByUser, DestroyBySystem`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			rec, resp := post(t, newReceiver(t, ""), tc.method, tc.url, tc.body)
			g.Expect(rec.Code).To(Equal(tc.status), rec.Body.String())
			g.Expect(resp.ActionStatus).To(Equal("FAIL"))
			g.Expect(resp.ErrorCode).To(Equal(tc.code))
			g.Expect(resp.ErrorInfo).To(ContainSubstring(tc.reason))
			g.Expect(webhook.CheckResponse(rec.Code, rec.Body.Bytes()).Refusal()).To(BeTrue())
		})
	}
}

func TestAllowHeaderOnWrongMethod(t *testing.T) {
	rec, _ := post(t, newReceiver(t, ""), http.MethodPut, "/cb", nil)
	NewWithT(t).Expect(rec.Header().Get("Allow")).To(Equal("POST"))
}

func TestSign(t *testing.T) {
	const token = "xxxxyyyy"
	body := seed(t, "modify_admin.json")
	for _, tc := range []struct {
		name   string
		opt    webhook.URLOptions
		status int
		reason string
	}{
		{"valid", webhook.URLOptions{}, 200, ""},
		{"valid at the edge of the window", webhook.URLOptions{Now: clock.Add(-59 * time.Second)}, 200, ""},
		{"from the future, within the window", webhook.URLOptions{Now: clock.Add(59 * time.Second)}, 200, ""},
		{"bad", webhook.URLOptions{Signing: webhook.SignBad}, 401, "Sign does not match"},
		{"stale", webhook.URLOptions{Signing: webhook.SignStale}, 401, "RequestTime 1699999400 is 10m0s from this receiver's clock, more than 1m0s"},
		{"too far ahead", webhook.URLOptions{Now: clock.Add(2 * time.Minute)}, 401, "is -2m0s from this receiver's clock"},
		{"missing", webhook.URLOptions{Signing: webhook.SignMissing}, 401, "Sign and RequestTime are required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			rec, resp := post(t, newReceiver(t, token), http.MethodPost, webhookURL(webhook.CommandModifyAdmin, token, tc.opt), body)
			g.Expect(rec.Code).To(Equal(tc.status), rec.Body.String())
			g.Expect(resp.ErrorInfo).To(ContainSubstring(tc.reason))
		})
	}
	g := NewWithT(t)
	u := webhookURL(webhook.CommandModifyAdmin, token, webhook.URLOptions{})
	rec, resp := post(t, newReceiver(t, token), http.MethodPost, strings.Replace(u, "RequestTime=1700000000", "RequestTime=17000000000", 1), body)
	g.Expect(rec.Code).To(Equal(401))
	g.Expect(resp.ErrorInfo).To(ContainSubstring("want Unix seconds (10 digits)"))
	// A receiver without a token ignores a Sign it was sent.
	rec, _ = post(t, newReceiver(t, ""), http.MethodPost, u, body)
	g.Expect(rec.Code).To(Equal(200))
}

func TestLog(t *testing.T) {
	g := NewWithT(t)
	var seen []receiver.Delivery
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, LogSize: 3, OnDelivery: func(d receiver.Delivery) { seen = append(seen, d) }})
	g.Expect(err).NotTo(HaveOccurred())
	u := webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{})
	for range 4 {
		post(t, rv, http.MethodPost, u, seed(t, "modify_admin.json"))
	}
	post(t, rv, http.MethodPost, u, []byte("not json"))
	g.Expect(seen).To(HaveLen(5))
	log := rv.Deliveries()
	g.Expect(log).To(HaveLen(3))
	g.Expect([]uint64{log[0].Seq, log[1].Seq, log[2].Seq}).To(Equal([]uint64{3, 4, 5}))
	g.Expect(log[1].Accepted).To(BeTrue())
	g.Expect(log[1].Command).To(Equal(string(webhook.CommandModifyAdmin)))
	g.Expect(log[1].Body).To(MatchJSON(seed(t, "modify_admin.json")))
	g.Expect(log[2].Accepted).To(BeFalse())
	g.Expect(log[2].BodyText).To(Equal("not json"))
	g.Expect(log[2].ErrorCode).To(Equal(receiver.CodeNotJSON))

	rec, _ := post(t, rv, http.MethodGet, receiver.DeliveriesPath, nil)
	g.Expect(rec.Code).To(Equal(200))
	var page struct {
		Accepted, Rejected int
		Deliveries         []receiver.Delivery
	}
	g.Expect(json.Unmarshal(rec.Body.Bytes(), &page)).To(Succeed())
	g.Expect(page.Accepted).To(Equal(4))
	g.Expect(page.Rejected).To(Equal(1))
	g.Expect(page.Deliveries).To(HaveLen(3))

	rec, _ = post(t, rv, http.MethodDelete, receiver.DeliveriesPath, nil)
	g.Expect(rec.Code).To(Equal(http.StatusNoContent))
	g.Expect(rv.Deliveries()).To(BeEmpty())
	a, r := rv.Counts()
	g.Expect([]uint64{a, r}).To(Equal([]uint64{4, 1}))
}

func TestNewValidates(t *testing.T) {
	g := NewWithT(t)
	_, err := receiver.New(receiver.Config{})
	g.Expect(err).To(MatchError(ContainSubstring("SDKAppID is 0")))
	_, err = receiver.New(receiver.Config{SDKAppID: 1, Token: strings.Repeat("x", 129)})
	g.Expect(err).To(MatchError(ContainSubstring("at most 128")))
}

func TestServerOnLoopback(t *testing.T) {
	g := NewWithT(t)
	srv, err := receiver.NewServer(receiver.Config{SDKAppID: appID})
	g.Expect(err).NotTo(HaveOccurred())
	defer srv.Close()
	g.Expect(srv.URL).To(HavePrefix("http://127.0.0.1:"))
	e := webhook.Endpoint{URL: srv.URL + "/hook", SDKAppID: appID}
	res := sender.NewClient().Do(t.Context(), webhook.Request{
		URL:  e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}),
		Body: seed(t, "modify_admin.json"),
	})
	g.Expect(res.Outcome).To(Equal(webhook.Acknowledged), "%v", res.Err)
	g.Expect(srv.Receiver.Deliveries()).To(HaveLen(1))
	g.Expect(srv.Shutdown(t.Context())).To(Succeed())
	g.Expect(srv.Wait()).To(Succeed())
	g.Expect(srv.Shutdown(t.Context())).To(Succeed(), "a second Shutdown returns the first's result")

	_, err = receiver.NewServer(receiver.Config{})
	g.Expect(err).To(MatchError(ContainSubstring("SDKAppID")), "a bad configuration is refused before anything listens")
}

// A JSON object with space before it is JSON: a wrong field in it is a bad body, not "not JSON".
func TestLeadingSpaceIsNotMistakenForNotJSON(t *testing.T) {
	g := NewWithT(t)
	body := append([]byte("\n  "), bytes.Replace(seed(t, "create_room.json"), []byte(`"MaxSeatCount":16`), []byte(`"MaxSeatCount":"16"`), 1)...)
	_, resp := post(t, newReceiver(t, ""), http.MethodPost, webhookURL(webhook.CommandCreateRoom, "", webhook.URLOptions{}), body)
	g.Expect(resp.ErrorCode).To(Equal(receiver.CodeBadBody))
	g.Expect(resp.ErrorInfo).To(ContainSubstring("RoomInfo.MaxSeatCount is the string"))
	g.Expect(errors.Is(webhook.ValidateBody(webhook.CommandCreateRoom, []byte("[]")), webhook.ErrNotJSONObject)).To(BeTrue())
}

// The token is a secret: wherever a sender puts it, the log and OnDelivery never see it.
func TestTheTokenNeverReachesTheLog(t *testing.T) {
	g := NewWithT(t)
	const token = "s3cr3t-t0ken"
	var seen []receiver.Delivery
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, Token: token, Now: func() time.Time { return clock }, OnDelivery: func(d receiver.Delivery) { seen = append(seen, d) }})
	g.Expect(err).NotTo(HaveOccurred())
	u := webhookURL(webhook.CommandModifyAdmin, token, webhook.URLOptions{}) + "&token=" + token
	body := bytes.Replace(seed(t, "modify_admin.json"), []byte(`"room_id"`), []byte(`"room-`+token+`"`), 1)
	req := httptest.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	req.Header.Set("X-Callback-Token", token)
	rec := httptest.NewRecorder()
	rv.ServeHTTP(rec, req)
	g.Expect(rec.Code).To(Equal(200))
	post(t, rv, http.MethodPost, strings.Replace(u, "SdkAppid=1400000001", "SdkAppid="+token, 1), body)

	g.Expect(seen).To(HaveLen(2))
	for _, d := range seen {
		g.Expect(d.TokenRemoved).To(BeTrue())
		g.Expect(d.Query).To(ContainSubstring("Sign="), "Sign is a hash of the token, not the token")
		g.Expect(fmt.Sprintf("%+v %s %s", d, d.RawBody, d.Answer.Body)).NotTo(ContainSubstring(token))
	}
	g.Expect(seen[0].Header.Get("X-Callback-Token")).To(BeEmpty())
	g.Expect(seen[0].Room).To(Equal("room-"))
	logPage, _ := post(t, rv, http.MethodGet, receiver.DeliveriesPath, nil)
	g.Expect(logPage.Body.String()).NotTo(ContainSubstring(token))
	g.Expect(logPage.Body.String()).To(ContainSubstring(`"token_removed":true`))
}

// A body that runs past its Content-Length, as a handler's caller may hand one, is read whole,
// and the limit holds for all of it.
func TestBodyPastItsContentLength(t *testing.T) {
	g := NewWithT(t)
	body := seed(t, "modify_admin.json")
	u := webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{})
	for _, tc := range []struct {
		name          string
		length, limit int64
		status, bytes int
	}{
		{"within the limit", 10, int64(len(body)), 200, len(body)},
		{"past the limit", 10, int64(len(body)) - 1, 413, len(body) - 1},
		{"announced at the limit", int64(len(body)) - 1, int64(len(body)) - 1, 413, len(body) - 1},
		{"shorter than announced", int64(len(body)) + 5, int64(len(body)) + 5, 200, len(body)},
	} {
		rv, err := receiver.New(receiver.Config{SDKAppID: appID, MaxBodyBytes: tc.limit})
		g.Expect(err).NotTo(HaveOccurred())
		req := httptest.NewRequest(http.MethodPost, u, bytes.NewReader(body))
		req.ContentLength = tc.length
		rec := httptest.NewRecorder()
		rv.ServeHTTP(rec, req)
		g.Expect(rec.Code).To(Equal(tc.status), "%s: %s", tc.name, rec.Body)
		g.Expect(rv.Deliveries()[0].BodyBytes).To(Equal(tc.bytes), tc.name)
	}
}

func TestOwnAnswersAreJSON(t *testing.T) {
	g := NewWithT(t)
	rv := newReceiver(t, "")
	u := webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{})
	for _, body := range [][]byte{seed(t, "modify_admin.json"), []byte("not json")} {
		rec, _ := post(t, rv, http.MethodPost, u, body)
		g.Expect(rec.Header()).To(HaveKeyWithValue("Content-Type", []string{"application/json"}))
	}
	rec, _ := post(t, rv, http.MethodPut, u, nil)
	g.Expect(rec.Header()).To(Equal(http.Header{"Content-Type": {"application/json"}, "Allow": {"POST"}}))
}

// OnDelivery gets a copy of the request's headers, less those of the connection.
func TestOnDeliverySeesTheHeaders(t *testing.T) {
	g := NewWithT(t)
	var seen []receiver.Delivery
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, OnDelivery: func(d receiver.Delivery) {
		d.Header.Set("X-Trace", "changed")
		seen = append(seen, d)
	}})
	g.Expect(err).NotTo(HaveOccurred())
	req := httptest.NewRequest(http.MethodPost, webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{}), bytes.NewReader(seed(t, "modify_admin.json")))
	req.Header = http.Header{"X-Trace": {"t-1"}, "Connection": {"keep-alive, x-hop"}, "X-Hop": {"hop"}, "Te": {"trailers"}, "User-Agent": {"ua"}}
	rv.ServeHTTP(httptest.NewRecorder(), req)
	g.Expect(seen).To(HaveLen(1))
	g.Expect(seen[0].Header).To(Equal(http.Header{"X-Trace": {"changed"}, "User-Agent": {"ua"}}))
	g.Expect(req.Header.Get("X-Trace")).To(Equal("t-1"))
	g.Expect(rv.Deliveries()[0].Header).To(BeNil(), "the log keeps no headers")
}

// A delivery that Record cannot keep is not acknowledged: the sender gets 503 FAIL and sends it
// again; one that is kept gets its answer.
func TestNotRecordedIsNotAcknowledged(t *testing.T) {
	g := NewWithT(t)
	fail := true
	var seen []receiver.Delivery
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, Now: func() time.Time { return clock },
		Record: func(receiver.Delivery) error {
			if fail {
				return errors.New("recording: write staging.jsonl: no space left on device")
			}
			return nil
		},
		OnDelivery: func(d receiver.Delivery) { seen = append(seen, d) }})
	g.Expect(err).NotTo(HaveOccurred())
	u := webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{})
	rec, resp := post(t, rv, http.MethodPost, u, seed(t, "modify_admin.json"))
	g.Expect(rec.Code).To(Equal(http.StatusServiceUnavailable))
	g.Expect(resp.ActionStatus).To(Equal("FAIL"))
	g.Expect(resp.ErrorCode).To(Equal(receiver.CodeNotRecorded))
	g.Expect(seen).To(HaveLen(1))
	g.Expect(seen[0].Accepted).To(BeTrue(), "the protocol verdict stays")
	g.Expect(seen[0].Answer.Status).To(Equal(http.StatusServiceUnavailable))
	g.Expect(seen[0].Summary()).To(HaveSuffix(`: OK; NOT RECORDED (recording: write staging.jsonl: no space left on device): answered 503 FAIL instead, so that the sender sends it again`))
	g.Expect(rv.Deliveries()[0].NotRecorded).To(ContainSubstring("no space left"))

	fail = false
	rec, _ = post(t, rv, http.MethodPost, u, seed(t, "modify_admin.json"))
	g.Expect(rec.Code).To(Equal(http.StatusOK))
	g.Expect(rec.Body.Bytes()).To(Equal(webhook.Acknowledgement))
	g.Expect(seen[1].NotRecorded).To(BeEmpty())
}

// A client that sends its headers too slowly loses its connection under Config's
// ReadHeaderTimeout, and a prompt one is still served; NewServer listens on loopback.
func TestServerCutsOffSlowClients(t *testing.T) {
	g := NewWithT(t)
	srv, err := receiver.NewServer(receiver.Config{SDKAppID: appID, ReadHeaderTimeout: 100 * time.Millisecond, ReadTimeout: 200 * time.Millisecond})
	g.Expect(err).NotTo(HaveOccurred())
	defer srv.Close()
	g.Expect(srv.URL).To(HavePrefix("http://127.0.0.1:"))
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	g.Expect(err).NotTo(HaveOccurred())
	defer conn.Close()
	_, err = conn.Write([]byte("POST /hook HTTP/1.1\r\nHost: x\r\n")) // and then nothing
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(conn.SetReadDeadline(time.Now().Add(10 * time.Second))).To(Succeed())
	_, err = io.ReadAll(conn) // returns when the server closes the connection
	g.Expect(err).NotTo(HaveOccurred(), "the server closed the connection rather than waiting 10 s")
	e := webhook.Endpoint{URL: srv.URL + "/hook", SDKAppID: appID}
	res := sender.NewClient().Do(t.Context(), webhook.Request{
		URL:  e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}),
		Body: seed(t, "modify_admin.json"),
	})
	g.Expect(res.Outcome).To(Equal(webhook.Acknowledged), "%v", res.Err)
}
