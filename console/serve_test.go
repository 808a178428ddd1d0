package console_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/console"
	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

const otherApp = 1400000002

// newMockConsole is the serve console of a mock that checks UserSigs and serves a second app,
// without a listener: requests go to its handler.
func newMockConsole(t *testing.T, opt console.Options) (*mockserver.Server, *console.Mock) {
	t.Helper()
	m, err := mockserver.NewUnstartedServer(mockserver.Config{SDKAppID: appID, Apps: []mockserver.App{{SDKAppID: otherApp, SecretKey: "other-key"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Listener.Close() })
	if opt.Addr == "" {
		opt.Addr = "127.0.0.1:9090"
	}
	c, err := console.NewMock(m, m.Handler(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return m, c
}

type callAnswer struct {
	Method, URL, Body, Envelope, Error string
	Status                             int
}

func postCall(t *testing.T, h http.Handler, req string, header ...string) (int, callAnswer) {
	t.Helper()
	rec := do1(h, http.MethodPost, "http://127.0.0.1:9090/console/api/call", []byte(req), append([]string{console.Header, "1"}, header...)...)
	var a callAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("%s: %d %s", req, rec.Code, rec.Body)
	}
	return rec.Code, a
}

func rooms(m *mockserver.Server, app int) []string {
	var out []string
	for _, r := range m.Inspect(0).Apps[app].Rooms {
		b, _ := json.Marshal(r.RoomInfo)
		var ri struct{ RoomId string }
		_ = json.Unmarshal(b, &ri)
		out = append(out, ri.RoomId)
	}
	return out
}

// The form's calls go through the mock's own API, UserSig checked, and answer the mock's
// envelope; the UserSig is never shown; what the console does not call, it refuses, and
// nothing but a POST with its header calls anything.
func TestMockConsoleCalls(t *testing.T) {
	g := NewWithT(t)
	m, c := newMockConsole(t, console.Options{})

	code, a := postCall(t, c, `{"api":"create_room","body":"{\"RoomInfo\":{\"RoomId\":\"live_1\",\"RoomType\":\"Live\"}}"}`)
	g.Expect(code).To(Equal(http.StatusOK))
	g.Expect(a.Envelope).To(HavePrefix(`{"ActionStatus":"OK","ErrorCode":0`))
	g.Expect(a.URL).To(MatchRegexp(`^/v4/live_engine_http_srv/create_room\?sdkappid=1400000001&identifier=administrator&usersig=USERSIG&random=\d+&contenttype=json$`))
	g.Expect(a.Method).To(Equal(http.MethodPost))
	g.Expect(rooms(m, 0)).To(Equal([]string{"live_1"}))

	// The other app, with its own key.
	_, a = postCall(t, c, `{"sdkappid":1400000002,"api":"create_room","body":"{\"RoomInfo\":{\"RoomId\":\"live_2\",\"RoomType\":\"Live\"}}"}`)
	g.Expect(a.Envelope).To(ContainSubstring(`"ActionStatus":"OK"`))
	g.Expect(rooms(m, 1)).To(Equal([]string{"live_2"}))

	// The mock's own refusals come back as its envelope.
	_, a = postCall(t, c, `{"api":"create_room","body":"not json"}`)
	g.Expect(a.Envelope).To(ContainSubstring(`"ErrorCode":60003`))
	_, a = postCall(t, c, `{"api":"destroy_room","body":"{\"RoomId\":\"nope\"}"}`)
	g.Expect(a.Envelope).To(ContainSubstring(`"ErrorCode":100004`))

	for _, tc := range []struct{ req, want string }{
		{`{"api":"set_callback","body":"{}"}`, "not one the console calls"},
		{`{"api":"../live_config/set_callback","body":"{}"}`, "not one the console calls"},
		{`{"api":"","body":"{}"}`, "not one the console calls"},
		{`{"sdkappid":1400999999,"api":"create_room","body":"{}"}`, "not an app of this mock"},
		{`{"api":"create_room","body":"{}","extra":1}`, "not the JSON wanted"},
	} {
		code, a := postCall(t, c, tc.req)
		g.Expect(code).To(Equal(http.StatusBadRequest), tc.req)
		g.Expect(a.Error).To(ContainSubstring(tc.want), tc.req)
	}

	before := m.Inspect(0)
	body := []byte(`{"api":"create_room","body":"{\"RoomInfo\":{\"RoomId\":\"live_get\",\"RoomType\":\"Live\"}}"}`)
	get := do1(c, http.MethodGet, "http://127.0.0.1:9090/console/api/call", body)
	g.Expect(get.Code).To(Equal(http.StatusMethodNotAllowed))
	noHeader := do1(c, http.MethodPost, "http://127.0.0.1:9090/console/api/call", body)
	g.Expect(noHeader.Body.String()).To(ContainSubstring(`"ErrorCode":60009`), "a POST without the console's header is the mock's")
	state := do1(c, http.MethodGet, "http://127.0.0.1:9090/console/api/state", nil)
	g.Expect(state.Code).To(Equal(http.StatusOK))
	g.Expect(state.Body.String()).To(ContainSubstring(`"skip_usersig":false`))
	g.Expect(m.Inspect(0)).To(Equal(before), "a GET, or a POST without the header, changed the mock")
}

// With a token, the state and the calls need it.
func TestMockConsoleTokenGuardsStateAndCalls(t *testing.T) {
	g := NewWithT(t)
	m, c := newMockConsole(t, console.Options{Addr: "0.0.0.0:9090", Token: "console-tok"})
	call := []byte(`{"api":"create_room","body":"{\"RoomInfo\":{\"RoomId\":\"live_1\",\"RoomType\":\"Live\"}}"}`)
	g.Expect(do1(c, http.MethodGet, "http://10.0.0.5:9090/console/api/state", nil).Code).To(Equal(http.StatusUnauthorized))
	g.Expect(do1(c, http.MethodPost, "http://10.0.0.5:9090/console/api/call", call, console.Header, "1").Code).To(Equal(http.StatusUnauthorized))
	g.Expect(do1(c, http.MethodPost, "http://10.0.0.5:9090/console/api/call", call, console.Header, "1", "Authorization", "Bearer wrong").Code).To(Equal(http.StatusUnauthorized))
	g.Expect(rooms(m, 0)).To(BeEmpty())
	g.Expect(do1(c, http.MethodGet, "http://10.0.0.5:9090/console/api/state", nil, "Authorization", "Bearer console-tok").Code).To(Equal(http.StatusOK))
	rec := do1(c, http.MethodPost, "http://10.0.0.5:9090/console/api/call", call, console.Header, "1", "Authorization", "Bearer console-tok")
	g.Expect(rec.Code).To(Equal(http.StatusOK), rec.Body.String())
	g.Expect(rooms(m, 0)).To(Equal([]string{"live_1"}))
}

// The state holds at most MaxRooms rooms of each app and says how many there are.
func TestMockConsoleStateIsBounded(t *testing.T) {
	g := NewWithT(t)
	_, c := newMockConsole(t, console.Options{MaxRooms: 3})
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		_, a := postCall(t, c, `{"api":"create_room","body":"{\"RoomInfo\":{\"RoomId\":\"`+id+`\",\"RoomType\":\"Live\"}}"}`)
		g.Expect(a.Envelope).To(ContainSubstring(`"ActionStatus":"OK"`))
	}
	var st struct {
		MaxRooms int `json:"max_rooms"`
		Apps     []struct {
			Rooms     []any `json:"rooms"`
			RoomCount int   `json:"room_count"`
		} `json:"apps"`
	}
	rec := do1(c, http.MethodGet, "/console/api/state", nil)
	g.Expect(json.Unmarshal(rec.Body.Bytes(), &st)).To(Succeed())
	g.Expect(st.MaxRooms).To(Equal(3))
	g.Expect(st.Apps[0].Rooms).To(HaveLen(3))
	g.Expect(st.Apps[0].RoomCount).To(Equal(5))
}

// Whatever a request is, the serve console does not panic, and every POST without the
// console's header, on any path, is the mock's: it answers with its envelope.
func FuzzMockConsoleRequests(f *testing.F) {
	f.Add("POST", "/console/api/call", "", "1", []byte(`{"api":"create_room","body":"{\"RoomInfo\":{\"RoomId\":\"x\",\"RoomType\":\"Live\"}}"}`))
	f.Add("POST", "/console/api/call", "", "", []byte(`{"api":"destroy_room","body":"{}"}`))
	f.Add("GET", "/console/api/state", "", "", []byte(nil))
	f.Add("GET", "/", "", "text/html", []byte(nil))
	f.Add("POST", "/v4/live_engine_http_srv/create_room", "sdkappid=1400000001", "", []byte(`{}`))
	m, err := mockserver.NewUnstartedServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true})
	if err != nil {
		f.Fatal(err)
	}
	defer m.Listener.Close()
	c, err := console.NewMock(m, m.Handler(), console.Options{Addr: "127.0.0.1:9090"})
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	f.Fuzz(func(t *testing.T, method, path, query, header string, body []byte) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#\r\n\t") || strings.ContainsAny(query, " #\r\n\t") {
			return
		}
		req, err := http.NewRequest(method, "http://127.0.0.1:9090"+path+"?"+query, bytes.NewReader(body))
		if err != nil || req.URL.Path == "/console/events" {
			return // an event stream does not end by itself
		}
		req.Header.Set("Accept", header)
		if header != "" {
			req.Header.Set(console.Header, header)
		}
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, req)
		if method == http.MethodPost && header == "" && path != mockserver.DeliveriesPath && path != mockserver.RoomsPath && !strings.Contains(rec.Body.String(), `"ActionStatus":`) {
			t.Fatalf("POST %s without %s did not reach the mock's API: %d %s", path, console.Header, rec.Code, rec.Body)
		}
	})
}

// A browser that stops reading the serve console's stream costs the mock nothing: with 20
// streams read and one never read, every REST call is answered and every webhook delivered
// and acknowledged, the streams that read get every webhook, and the stalled one's are
// dropped and counted.
func TestMockStalledBrowserNeverSlowsCallsOrWebhooks(t *testing.T) {
	g := NewWithT(t)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	defer app.Close()
	m, err := mockserver.NewUnstartedServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true, CallbackURL: app.URL + "/hook",
		Commands: []webhook.Command{webhook.CommandCreateRoom, webhook.CommandSetMetadata}})
	if err != nil {
		t.Fatal(err)
	}
	var cons *console.Mock
	m.Wrap(func(h http.Handler) http.Handler {
		c, err := console.NewMock(m, h, console.Options{Addr: "127.0.0.1:0", StreamBuffer: 256})
		if err != nil {
			t.Fatal(err)
		}
		cons = c
		return c
	})
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	host := strings.TrimPrefix(m.URL, "http://")

	stalled := stalledStream(t, host)
	defer stalled.Close()

	const readers, n = 20, 600
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	counts := make([]int, readers)
	drops := make([]int, readers)
	var wg sync.WaitGroup
	ready := make(chan struct{}, readers)
	for i := range readers {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, m.URL+"/console/events", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				switch sc.Text() {
				case "event: hello":
					ready <- struct{}{}
				case "event: webhook":
					counts[i]++
					if counts[i] == n+1 {
						return
					}
				case "event: dropped":
					drops[i]++
				}
			}
		})
	}
	for range readers {
		<-ready
	}
	client := &http.Client{Timeout: 30 * time.Second}
	call := func(api, body string) {
		t.Helper()
		resp, err := client.Post(m.URL+mockserver.EnginePrefix+api+"?sdkappid=1400000001&identifier=administrator&random=1&contenttype=json", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", api, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), `"ActionStatus":"OK"`) {
			t.Fatalf("%s: %s", api, b)
		}
	}
	call("create_room", `{"RoomInfo":{"RoomId":"live_load","RoomType":"Live"}}`)
	// Each webhook carries 16 KiB of metadata, so that the stalled stream's buffers fill.
	var items []string
	for k := range 8 {
		items = append(items, fmt.Sprintf(`{"Key":"k%d","Value":%q}`, k, strings.Repeat("v", 2<<10)))
	}
	meta := `{"RoomId":"live_load","Metadata":[` + strings.Join(items, ",") + `]}`
	for range n {
		call("set_room_metadata", meta)
	}
	actx, acancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer acancel()
	all, err := m.Await(actx, n+1)
	g.Expect(err).NotTo(HaveOccurred())
	for _, d := range all {
		g.Expect(d.Acknowledged).To(BeTrue(), "%+v", d)
	}
	wg.Wait()
	for i := range readers {
		g.Expect(counts[i]).To(Equal(n+1), "reader %d", i)
		g.Expect(drops[i]).To(BeZero(), "reader %d", i)
	}
	g.Expect(cons.StreamDrops()).To(BeNumerically(">", 0), "the stalled stream dropped nothing: its writes never blocked")
}
