package mockserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/usersig"
	"github.com/livehook/livehook/webhook"
)

const (
	appID = webhook.DefaultSDKAppID
	key   = "test-secret-key"
	admin = "administrator"
)

// app is an app backend for the tests: the reference receiver, on loopback.
func app(t *testing.T, token string) (*receiver.Receiver, string) {
	t.Helper()
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, Token: token, LogSize: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rv)
	t.Cleanup(srv.Close)
	return rv, srv.URL + "/live/webhook"
}

func newMock(t *testing.T, cfg mockserver.Config) *mockserver.Server {
	t.Helper()
	if cfg.SDKAppID == 0 {
		cfg.SDKAppID = appID
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = key
	}
	s, err := mockserver.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func sig(t *testing.T, id string) string {
	t.Helper()
	s, err := usersig.Gen(key, appID, id, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// plainQuery is a call's query without a UserSig, for a mock that skips them.
func plainQuery() url.Values {
	return url.Values{"sdkappid": {fmt.Sprint(appID)}, "identifier": {admin}, "random": {"7"}, "contenttype": {"json"}}
}

// call makes a REST call as the app backend would.
func call(t *testing.T, s *mockserver.Server, query url.Values, api, body string) (int, mockserver.Envelope, map[string]any) {
	t.Helper()
	if query == nil {
		query = url.Values{"sdkappid": {fmt.Sprint(appID)}, "identifier": {admin}, "usersig": {sig(t, admin)}, "random": {"12345"}, "contenttype": {"json"}}
	}
	resp, err := http.Post(s.URL+api+"?"+query.Encode(), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var env mockserver.Envelope
	var raw map[string]any
	_ = json.Unmarshal(b, &env)
	_ = json.Unmarshal(b, &raw)
	resp2, _ := raw["Response"].(map[string]any)
	return resp.StatusCode, env, resp2
}

const (
	create  = mockserver.EnginePrefix + "create_room"
	destroy = mockserver.EnginePrefix + "destroy_room"
	info    = mockserver.EnginePrefix + "get_room_info"
	modify  = mockserver.EnginePrefix + "modify_admin"
	admins  = mockserver.EnginePrefix + "get_admin_list"
)

func createBody(id string) string {
	return fmt.Sprintf(`{"RoomInfo":{"RoomId":%q,"RoomType":"Live","RoomName":"evening show","Owner_Account":"host_1","MaxSeatCount":8,"IsSeatEnabled":true,"Category":[1]}}`, id)
}

func TestLifecycleFiresWebhooks(t *testing.T) {
	g := NewWithT(t)
	rv, cb := app(t, "")
	s := newMock(t, mockserver.Config{CallbackURL: cb})

	status, env, _ := call(t, s, nil, create, createBody("live_1"))
	g.Expect(status).To(Equal(200))
	g.Expect(env.ActionStatus).To(Equal("OK"), env.ErrorInfo)
	g.Expect(env.RequestId).NotTo(BeEmpty())

	_, env, resp := call(t, s, nil, info, `{"RoomId":"live_1"}`)
	g.Expect(env.ErrorCode).To(BeZero())
	g.Expect(resp["RoomInfo"]).To(HaveKeyWithValue("MaxSeatCount", BeNumerically("==", 8)))
	g.Expect(resp["RoomInfo"]).To(HaveKeyWithValue("Owner_Account", "host_1"))

	_, env, _ = call(t, s, nil, modify, `{"RoomId":"live_1","Admin_Account":["mod_1","mod_2"],"OpType":"add"}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	_, env, _ = call(t, s, nil, modify, `{"RoomId":"live_1","Admin_Account":["mod_1","nobody"],"OpType":"delete"}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	_, _, resp = call(t, s, nil, admins, `{"RoomId":"live_1"}`)
	g.Expect(resp["Admin_Account"]).To(Equal([]any{"mod_2"}))

	_, env, resp = call(t, s, nil, destroy, `{"RoomId":"live_1"}`)
	g.Expect(env.ErrorCode).To(BeZero())
	g.Expect(resp).To(HaveKey("Statistic"))

	ds, err := s.Await(t.Context(), 4)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ds).To(HaveLen(4))
	var cmds []string
	for _, d := range ds {
		g.Expect(d.Acknowledged).To(BeTrue(), "%+v", d)
		g.Expect(d.RoomId).To(Equal("live_1"))
		cmds = append(cmds, d.Command)
	}
	g.Expect(cmds).To(Equal([]string{string(webhook.CommandCreateRoom), string(webhook.CommandModifyAdmin), string(webhook.CommandModifyAdmin), string(webhook.CommandDestroyRoom)}))

	got := rv.Deliveries()
	g.Expect(got).To(HaveLen(4))
	q, _ := url.ParseQuery(got[0].Query)
	g.Expect(q.Get("OptPlatform")).To(Equal("RESTAPI"))
	g.Expect(q.Get("ClientIP")).To(Equal("127.0.0.1"))
	var del webhook.ModifyAdmin
	g.Expect(json.Unmarshal(got[2].Body, &del)).To(Succeed())
	g.Expect(del.AdminAccount).To(Equal([]string{"mod_1"}), "only current admins are removed")
	g.Expect(del.OperatorAccount).To(Equal(admin))
	st, _ := s.Deliveries()
	g.Expect(st).To(Equal(mockserver.Stats{Fired: 4, Acknowledged: 4}))
}

func TestErrorCodes(t *testing.T) {
	now := time.Now()
	clock := &now
	var mu sync.Mutex
	s := newMock(t, mockserver.Config{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return *clock }})
	advance := func(d time.Duration) { mu.Lock(); *clock = clock.Add(d); mu.Unlock() }
	q := func(mod func(url.Values)) url.Values {
		v := url.Values{"sdkappid": {fmt.Sprint(appID)}, "identifier": {admin}, "usersig": {sig(t, admin)}, "random": {"1"}, "contenttype": {"json"}}
		mod(v)
		return v
	}
	expired, _ := usersig.Gen(key, appID, admin, time.Second, now.Add(-time.Hour))
	otherKey, _ := usersig.Gen("other", appID, admin, time.Hour, now)
	otherApp, _ := usersig.Gen(key, 1400999999, admin, time.Hour, now)
	for _, tc := range []struct {
		name  string
		query url.Values
		api   string
		body  string
		code  int
		info  string
		after func()
	}{
		{"created", nil, create, createBody("r1"), 0, "", nil},
		{"created twice within a second", nil, create, createBody("r1"), mockserver.CodeCreatedTwice, "twice within a second", func() { advance(2 * time.Second) }},
		{"exists with the same owner", nil, create, createBody("r1"), mockserver.CodeRoomExistsOwner, "same owner", nil},
		{"exists", nil, create, strings.Replace(createBody("r1"), "host_1", "host_2", 1), mockserver.CodeRoomExists, `room "r1" exists`, nil},
		{"no RoomId", nil, create, `{"RoomInfo":{"RoomType":"Live"}}`, mockserver.CodeBadParameter, "RoomId is missing", nil},
		{"not Live", nil, create, `{"RoomInfo":{"RoomId":"x","RoomType":"Meeting"}}`, mockserver.CodeBadParameter, `RoomType must be "Live"`, nil},
		{"RoomId too long", nil, create, createBody(strings.Repeat("x", 49)), mockserver.CodeBadParameter, "at most 48 bytes", nil},
		{"wrong type", nil, create, `{"RoomInfo":{"RoomId":"x","RoomType":"Live","MaxSeatCount":"8"}}`, mockserver.CodeBadParameter, "RoomInfo.MaxSeatCount is a JSON string", nil},
		{"no room", nil, destroy, `{"RoomId":"nope"}`, mockserver.CodeNoRoom, `room "nope" does not exist`, nil},
		{"bad OpType", nil, modify, `{"RoomId":"r1","Admin_Account":["a"],"OpType":"Add"}`, mockserver.CodeBadParameter, "OpType", nil},
		{"five admins", nil, modify, `{"RoomId":"r1","Admin_Account":["a","b","c","d","e"],"OpType":"add"}`, 0, "", nil},
		{"six admins", nil, modify, `{"RoomId":"r1","Admin_Account":["f"],"OpType":"add"}`, mockserver.CodeTooManyAdmins, "at most 5", func() { advance(time.Second) }},
		{"not JSON", nil, info, `{"RoomId":`, mockserver.CodeJSONParse, "not JSON", nil},
		{"foreign app", q(func(v url.Values) { v.Set("sdkappid", "1400999999") }), info, `{}`, mockserver.CodeBadSDKAppID, "not an app of this backend", nil},
		{"sdkappid not a number", q(func(v url.Values) { v.Set("sdkappid", "abc") }), info, `{}`, mockserver.CodeBadSDKAppID, `sdkappid is "abc"`, nil},
		{"no sdkappid", q(func(v url.Values) { v.Del("sdkappid") }), info, `{}`, mockserver.CodeNoSDKAppID, "sdkappid is missing", nil},
		{"no identifier", q(func(v url.Values) { v.Del("identifier") }), info, `{}`, mockserver.CodeBadURLParams, "identifier is missing", nil},
		{"contenttype xml", q(func(v url.Values) { v.Set("contenttype", "xml") }), info, `{}`, mockserver.CodeBadURLParams, "contenttype", nil},
		{"random not a number", q(func(v url.Values) { v.Set("random", "-1") }), info, `{}`, mockserver.CodeBadURLParams, "random", nil},
		{"random beyond 32 bits", q(func(v url.Values) { v.Set("random", "4294967296") }), info, `{}`, mockserver.CodeBadURLParams, "random", nil},
		{"random twice", q(func(v url.Values) { v.Add("random", "2") }), info, `{}`, mockserver.CodeBadURLParams, "random is given twice", nil},
		{"empty usersig", q(func(v url.Values) { v.Set("usersig", "") }), info, `{}`, mockserver.CodeUserSigEmpty, "usersig is missing or empty", nil},
		{"no usersig", q(func(v url.Values) { v.Del("usersig") }), info, `{}`, mockserver.CodeUserSigEmpty, "usersig", nil},
		{"not an administrator", q(func(v url.Values) { v.Set("identifier", "host_1"); v.Set("usersig", sig(t, "host_1")) }), info, `{}`, mockserver.CodeNotAdmin, `"host_1" is not an app administrator`, nil},
		{"unknown API", nil, mockserver.EnginePrefix + "create_rooms", `{}`, mockserver.CodeNoResource, "no API at /v4/live_engine_http_srv/create_rooms", nil},
		{"wrong-case field", nil, create, `{"RoomInfo":{"RoomId":"x","RoomType":"Live","roomname":"y"}}`, mockserver.CodeBadParameter, "RoomInfo.roomname is not a field: field names are case-sensitive, write RoomInfo.RoomName", nil},
		{"wrong-case object", nil, create, `{"roominfo":{"roomid":"x"}}`, mockserver.CodeBadParameter, "write RoomInfo", nil},
		{"wrong-case OpType", nil, modify, `{"RoomId":"r1","Admin_Account":["a"],"optype":"add"}`, mockserver.CodeBadParameter, "write OpType", nil},
		{"key given twice", nil, info, `{"RoomId":"r1","RoomId":"r2"}`, mockserver.CodeBadParameter, "RoomId is given twice", nil},
		{"negative members", nil, create, `{"RoomInfo":{"RoomId":"x","RoomType":"Live","MaxMemberCount":-5}}`, mockserver.CodeBadParameter, "MaxMemberCount is -5", nil},
		{"fractional seats", nil, create, `{"RoomInfo":{"RoomId":"x","RoomType":"Live","MaxSeatCount":1.5}}`, mockserver.CodeBadParameter, "RoomInfo.MaxSeatCount is the number 1.5, want an integer", nil},
		{"negative count", nil, mockserver.EnginePrefix + "get_room_list", `{"Next":"","Count":-1}`, mockserver.CodeBadParameter, "Count is -1, want 1 to 20", nil},
		{"count over 20", nil, mockserver.EnginePrefix + "get_room_list", `{"Next":"","Count":21}`, mockserver.CodeBadParameter, "Count is 21", nil},
		{"forged cursor", nil, mockserver.EnginePrefix + "get_room_list", `{"Next":"1693271355-123123123123!","Count":20}`, mockserver.CodeBadParameter, "not a cursor this backend gave", nil},
		{"expired", q(func(v url.Values) { v.Set("usersig", expired) }), info, `{}`, mockserver.CodeUserSigExpired, "expired", nil},
		{"garbage sig", q(func(v url.Values) { v.Set("usersig", "garbage") }), info, `{}`, mockserver.CodeUserSigParse, "cannot be parsed", nil},
		{"wrong key", q(func(v url.Values) { v.Set("usersig", otherKey) }), info, `{}`, mockserver.CodeUserSigWrongKey, "key", nil},
		{"UserSig of another app", q(func(v url.Values) { v.Set("usersig", otherApp) }), info, `{}`, mockserver.CodeSDKAppIDDiffer, "SDKAppID differs", nil},
		{"identifier differs", q(func(v url.Values) { v.Set("identifier", "mallory") }), info, `{}`, mockserver.CodeIdentifierDiffer, "identifier", nil},
	} {
		status, env, _ := call(t, s, tc.query, tc.api, tc.body)
		g := NewWithT(t)
		g.Expect(status).To(Equal(200), tc.name)
		g.Expect(env.ErrorCode).To(Equal(tc.code), "%s: %s", tc.name, env.ErrorInfo)
		g.Expect(env.ErrorInfo).To(ContainSubstring(tc.info), tc.name)
		if tc.code != 0 {
			g.Expect(env.ActionStatus).To(Equal("FAIL"))
		}
		if tc.after != nil {
			tc.after()
		}
	}
	// The vendor's limit per API, switched on.
	limited := newMock(t, mockserver.Config{RateLimit: 5, Now: func() time.Time { return now }})
	for i := range 6 {
		_, env, _ := call(t, limited, nil, info, `{"RoomId":"r1"}`)
		if i < 5 {
			NewWithT(t).Expect(env.ErrorCode).To(Equal(mockserver.CodeNoRoom))
		} else {
			NewWithT(t).Expect(env.ErrorCode).To(Equal(mockserver.CodeRateLimited))
			NewWithT(t).Expect(env.ErrorInfo).To(ContainSubstring("more than 5 calls to get_room_info"))
		}
	}
	// A UserSig for another app is refused as such when the request names that app too.
	s2 := newMock(t, mockserver.Config{SDKAppID: 1400999999})
	_, env, _ := call(t, s2, nil, info, `{}`)
	NewWithT(t).Expect(env.ErrorCode).To(Equal(mockserver.CodeBadSDKAppID))
}

func TestHostileRequests(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{SkipUserSig: true})
	q := "?" + plainQuery().Encode()
	// Every API-level outcome is HTTP 200 with the error in the body, as at the vendor.
	expect := func(resp *http.Response, err error, code int, info string) {
		t.Helper()
		g.Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(200))
		var env mockserver.Envelope
		g.Expect(json.NewDecoder(resp.Body).Decode(&env)).To(Succeed())
		g.Expect(env.ActionStatus).To(Equal("FAIL"))
		g.Expect(env.ErrorCode).To(Equal(code))
		g.Expect(env.ErrorInfo).To(ContainSubstring(info))
	}
	resp, err := http.Get(s.URL + create + q)
	expect(resp, err, mockserver.CodeHTTPParse, "method GET is not allowed")
	resp, err = http.Post(s.URL+mockserver.EnginePrefix+"create_rooms"+q, "application/json", strings.NewReader(`{}`))
	expect(resp, err, mockserver.CodeNoResource, "no API at /v4/live_engine_http_srv/create_rooms")
	resp, err = http.Post(s.URL+create+q, "application/json", bytes.NewReader(make([]byte, mockserver.MaxBodyBytes+1)))
	expect(resp, err, mockserver.CodeHTTPParse, "body is over")
	resp, err = http.Get(s.URL + "/somewhere")
	expect(resp, err, mockserver.CodeNoResource, "no API at /somewhere")
}

func TestSignedWebhooksAndCallbackConfig(t *testing.T) {
	g := NewWithT(t)
	rv, cb := app(t, "tok-123")
	s := newMock(t, mockserver.Config{})
	// No callback yet: nothing is fired.
	_, env, _ := call(t, s, nil, create, createBody("a"))
	g.Expect(env.ErrorCode).To(BeZero())
	_, env, _ = call(t, s, nil, mockserver.ConfigPrefix+"set_callback", fmt.Sprintf(`{"Url":%q,"CallbackCommandList":["Live.CallbackAfterDestroyRoom"]}`, cb))
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	_, env, _ = call(t, s, nil, mockserver.ConfigPrefix+"set_callback_token", `{"Token":"tok-123","IsTokenEnable":true}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	_, env, _ = call(t, s, nil, create, createBody("b"))
	g.Expect(env.ErrorCode).To(BeZero())
	_, env, _ = call(t, s, nil, destroy, `{"RoomId":"a"}`)
	g.Expect(env.ErrorCode).To(BeZero())
	ds, err := s.Await(t.Context(), 1)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ds).To(HaveLen(1), "only the commands in CallbackCommandList fire")
	g.Expect(ds[0].Acknowledged).To(BeTrue(), "%+v", ds[0])
	g.Expect(ds[0].URL).To(ContainSubstring("&Sign="))
	g.Expect(rv.Deliveries()).To(HaveLen(1))

	_, env, _ = call(t, s, nil, mockserver.ConfigPrefix+"set_callback", `{"Url":"ftp://x"}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeBadParameter))
	_, env, _ = call(t, s, nil, mockserver.ConfigPrefix+"set_callback", `{"Url":"http://x","CallbackCommandList":["Live.CallbackAfterNothing"]}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeBadParameter))
	_, env, _ = call(t, s, nil, mockserver.ConfigPrefix+"set_callback_token", `{"Token":""}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeBadParameter))
}

// Concurrent calls on the same RoomIds: each room's webhooks arrive in the order of its changes,
// every webhook fired is delivered, and the state stays consistent (run under -race).
func TestConcurrentCallsKeepEachRoomsOrder(t *testing.T) {
	g := NewWithT(t)
	rv, cb := app(t, "")
	s := newMock(t, mockserver.Config{CallbackURL: cb, SkipUserSig: true})
	const workers, rounds, roomIDs = 8, 40, 5
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := plainQuery()
			for i := range rounds {
				id := fmt.Sprintf("room_%d", (w+i)%roomIDs)
				call(t, s, q, create, createBody(id))
				call(t, s, q, modify, fmt.Sprintf(`{"RoomId":%q,"Admin_Account":["u%d"],"OpType":"add"}`, id, w))
				call(t, s, q, destroy, fmt.Sprintf(`{"RoomId":%q}`, id))
			}
		}()
	}
	wg.Wait()
	st, _ := s.Deliveries()
	ds, err := s.Await(t.Context(), int(st.Fired))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ds).To(HaveLen(int(st.Fired)))
	// Per room, the receiver saw create, then admin changes, then destroy, over and over.
	open := map[string]bool{}
	for _, d := range rv.Deliveries() {
		g.Expect(d.Accepted).To(BeTrue())
		ev, err := webhook.Decode(d.Body)
		g.Expect(err).NotTo(HaveOccurred())
		switch ev.Command() {
		case webhook.CommandCreateRoom:
			g.Expect(open[ev.Room()]).To(BeFalse(), "created while open")
			open[ev.Room()] = true
		case webhook.CommandModifyAdmin:
			g.Expect(open[ev.Room()]).To(BeTrue(), "changed while closed")
		case webhook.CommandDestroyRoom:
			g.Expect(open[ev.Room()]).To(BeTrue(), "destroyed while closed")
			open[ev.Room()] = false
		}
	}
}

func TestCloseDeliversEverythingFired(t *testing.T) {
	g := NewWithT(t)
	release := make(chan struct{})
	var seen sync.WaitGroup
	seen.Add(1)
	var once sync.Once
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		once.Do(seen.Done)
		select {
		case <-release:
		case <-r.Context().Done():
		}
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	defer slow.Close()
	s, err := mockserver.NewServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true, CallbackURL: slow.URL, Timeout: 100 * time.Millisecond})
	g.Expect(err).NotTo(HaveOccurred())
	q := plainQuery()
	for i := range 10 {
		call(t, s, q, create, createBody(fmt.Sprintf("r%d", i)))
	}
	seen.Wait()
	s.Close()
	close(release)
	st, ds := s.Deliveries()
	g.Expect(st.Fired).To(Equal(uint64(10)))
	g.Expect(st.Pending).To(BeZero())
	g.Expect(st.Acknowledged + st.Failed).To(Equal(uint64(10)))
	g.Expect(ds).To(HaveLen(10))
	g.Expect(ds[0].Outcome).To(Equal(webhook.Timeout))
}

func TestRetryOnTimeout(t *testing.T) {
	g := NewWithT(t)
	var mu sync.Mutex
	attempts := 0
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		attempts++
		first := attempts == 1
		mu.Unlock()
		if first {
			<-r.Context().Done() // the first attempt times out
			return
		}
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	defer flaky.Close()
	s := newMock(t, mockserver.Config{SkipUserSig: true, CallbackURL: flaky.URL, Timeout: 100 * time.Millisecond, Retries: 2, RetryBackoff: 10 * time.Millisecond})
	call(t, s, plainQuery(), create, createBody("r"))
	ds, err := s.Await(t.Context(), 1)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ds[0].Attempts).To(Equal(2))
	g.Expect(ds[0].Acknowledged).To(BeTrue())
}

func TestIdleRoomsAreDissolvedBySystem(t *testing.T) {
	g := NewWithT(t)
	rv, cb := app(t, "")
	s := newMock(t, mockserver.Config{SkipUserSig: true, CallbackURL: cb, IdleTimeout: 50 * time.Millisecond})
	call(t, s, plainQuery(), create, createBody("idle"))
	ds, err := s.Await(t.Context(), 2)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ds[1].Command).To(Equal(string(webhook.CommandDestroyRoom)))
	var ev webhook.DestroyRoom
	g.Expect(json.Unmarshal(ds[1].Body, &ev)).To(Succeed())
	g.Expect(ev.EventType).To(Equal(webhook.DestroyBySystem))
	g.Expect(ev.OperatorAccount).To(Equal(webhook.SystemAccount))
	g.Expect(ev.Statistic).To(BeNil())
	g.Expect(rv.Deliveries()[1].Accepted).To(BeTrue())
}

func TestDeliveriesEndpoint(t *testing.T) {
	g := NewWithT(t)
	_, cb := app(t, "")
	s := newMock(t, mockserver.Config{SkipUserSig: true, CallbackURL: cb})
	call(t, s, plainQuery(), create, createBody("r"))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := s.Await(ctx, 1)
	g.Expect(err).NotTo(HaveOccurred())
	resp, err := http.Get(s.URL + mockserver.DeliveriesPath)
	g.Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var page struct {
		Stats      mockserver.Stats
		Deliveries []mockserver.Delivery
	}
	g.Expect(json.NewDecoder(resp.Body).Decode(&page)).To(Succeed())
	g.Expect(page.Stats.Acknowledged).To(Equal(uint64(1)))
	g.Expect(page.Deliveries[0].RoomId).To(Equal("r"))
	resp2, err := http.Get(s.URL + mockserver.RoomsPath)
	g.Expect(err).NotTo(HaveOccurred())
	b, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	g.Expect(string(b)).To(ContainSubstring(`"RoomId": "r"`))
}

func TestAwaitGivesUp(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{SkipUserSig: true})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	_, err := s.Await(ctx, 1)
	g.Expect(err).To(MatchError(context.DeadlineExceeded))
}

// A UserSig verified once is remembered, but not past its expiry.
func TestRememberedUserSigStillExpires(t *testing.T) {
	g := NewWithT(t)
	var mu sync.Mutex
	now := time.Now()
	s := newMock(t, mockserver.Config{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	short, err := usersig.Gen(key, appID, admin, time.Minute, now)
	g.Expect(err).NotTo(HaveOccurred())
	q := plainQuery()
	q.Set("usersig", short)
	for range 2 {
		_, env, _ := call(t, s, q, info, `{"RoomId":"x"}`)
		g.Expect(env.ErrorCode).To(Equal(mockserver.CodeNoRoom))
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	_, env, _ := call(t, s, q, info, `{"RoomId":"x"}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeUserSigExpired))
	// Another identifier with the same UserSig is not let through by the memory of the first.
	q.Set("identifier", "mallory")
	_, env, _ = call(t, s, q, info, `{"RoomId":"x"}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeIdentifierDiffer))
}

// A client that sends its headers too slowly loses its connection, and takes nothing with it.
func TestSlowClientsAreCutOff(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{SkipUserSig: true, ReadHeaderTimeout: 100 * time.Millisecond, ReadTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	g.Expect(err).NotTo(HaveOccurred())
	defer conn.Close()
	_, err = conn.Write([]byte("POST /v4/live_engine_http_srv/create_room HTTP/1.1\r\nHost: x\r\n")) // and then nothing
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(conn.SetReadDeadline(time.Now().Add(10 * time.Second))).To(Succeed())
	_, err = io.ReadAll(conn) // returns when the server closes the connection
	g.Expect(err).NotTo(HaveOccurred(), "the server closed the connection rather than waiting 10 s")
	// The server still serves others.
	_, env, _ := call(t, s, plainQuery(), info, `{"RoomId":"x"}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeNoRoom))
}
