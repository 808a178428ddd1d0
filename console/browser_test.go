package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/livehook/livehook/console"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

// The browser tests drive the console in a real, headless Chromium: one browser for the whole
// package, a fresh tab per test. Locally they skip when no browser is found; in CI (CI=true or
// LIVEHOOK_REQUIRE_BROWSER=1) a missing browser fails them.

var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	err    error
	dir    string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser.cancel != nil {
		browser.cancel()
		os.RemoveAll(browser.dir)
	}
	os.Exit(code)
}

// browserPath finds Chromium: $LIVEHOOK_BROWSER, else Debian's chromium or a Chrome on PATH.
func browserPath() string {
	if p := os.Getenv("LIVEHOOK_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func browserRequired() bool {
	return os.Getenv("CI") == "true" || os.Getenv("LIVEHOOK_REQUIRE_BROWSER") == "1"
}

// tab opens a fresh tab of the package's browser, closed when the test ends.
func tab(t *testing.T) context.Context {
	t.Helper()
	path := browserPath()
	if path == "" {
		if browserRequired() {
			t.Fatal("no Chromium found, and CI=true or LIVEHOOK_REQUIRE_BROWSER=1 requires the browser tests: apt-get install -y chromium, or set LIVEHOOK_BROWSER to a Chrome binary")
		}
		t.Skip("no Chromium found: the console's browser tests are skipped (apt-get install -y chromium, or set LIVEHOOK_BROWSER)")
	}
	browser.once.Do(func() {
		browser.dir, browser.err = os.MkdirTemp("", "livehook-chromium-")
		if browser.err != nil {
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path), chromedp.UserDataDir(browser.dir),
			chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck, chromedp.WindowSize(1280, 900),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("disable-background-timer-throttling", true),
			chromedp.Flag("disable-renderer-backgrounding", true),
			chromedp.Flag("disable-backgrounding-occluded-windows", true),
		}
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		browser.cancel = func() { bcancel(); acancel() }
		// The first Run starts the browser; its context must not carry a deadline, which would
		// end the browser with it.
		browser.err = chromedp.Do(bctx)
		browser.ctx = bctx
	})
	if browser.err != nil {
		t.Fatalf("starting %s: %v", path, browser.err)
	}
	ctx, cancel := chromedp.NewContext(browser.ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return ctx
}

// do runs steps in the tab within d, failing the test with what was being done.
func do(t *testing.T, ctx context.Context, d time.Duration, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action in the tab and returns its value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

const appID = 1400000001

// startConsole starts a receiver with its console on loopback.
func startConsole(t *testing.T, cfg receiver.Config) *receiver.Server {
	t.Helper()
	cfg.SDKAppID = appID
	srv, _ := serveConsole(t, cfg, console.Options{Addr: "127.0.0.1:0"})
	return srv
}

// openConsole loads the page and waits until its stream is live.
func openConsole(t *testing.T, ctx context.Context, srv *receiver.Server) {
	t.Helper()
	do(t, ctx, 10*time.Second, "loading the console",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)))
}

// css is a CSS selector, for brevity.
type css = chromedp.CSS

func createBody(roomID, roomName string) []byte {
	return fmt.Appendf(nil, `{"CallbackCommand":"Live.CallbackAfterCreateRoom","Operator_Account":"admin","EventTime":1703589922000,`+
		`"RoomInfo":{"RoomId":%q,"RoomName":%q,"RoomType":"Live","Owner_Account":"user3","MaxMemberCount":300,"IsMessageDisabled":true,`+
		`"CustomInfo":"","IsSeatEnabled":true,"TakeSeatMode":"ApplyToTake","MaxSeatCount":16,"CreateTime":1703589922,`+
		`"IsPublicVisible":true,"CoverURL":"","Category":[1,2]}}`, roomID, roomName)
}

// send posts a webhook to the receiver and returns the HTTP status of its answer.
func send(t *testing.T, srv *receiver.Server, token string, opt webhook.URLOptions, cmd webhook.Command, body []byte) int {
	t.Helper()
	ep := webhook.Endpoint{URL: srv.URL + "/webhook", SDKAppID: appID, Token: token}
	resp, err := http.Post(ep.RequestURL(cmd, webhook.Meta{ClientIP: "10.0.0.1", OptPlatform: "Web"}, opt), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestBrowserDeliveryAppearsWithinASecondNewestFirst(t *testing.T) {
	ctx := tab(t)
	srv := startConsole(t, receiver.Config{})
	openConsole(t, ctx, srv)
	empty := get(t, ctx, "reading the empty state", chromedp.Evaluate[bool](`!document.getElementById("empty").hidden && document.getElementById("empty-curl").textContent.includes("curl -d")`))
	if !empty {
		t.Fatal("with no delivery the page does not show the empty state with a curl line")
	}
	if st := send(t, srv, "", webhook.URLOptions{}, webhook.CommandCreateRoom, createBody("live_1", "first")); st != http.StatusOK {
		t.Fatalf("webhook answered %d", st)
	}
	do(t, ctx, time.Second, "waiting a second for delivery #1 to appear", chromedp.WaitVisible(css(`#tbody tr[data-seq="1"]`)))
	send(t, srv, "", webhook.URLOptions{}, webhook.CommandCreateRoom, createBody("live_2", "second"))
	do(t, ctx, time.Second, "waiting a second for delivery #2 to appear", chromedp.WaitVisible(css(`#tbody tr[data-seq="2"]`)))
	first := get(t, ctx, "reading the first row", chromedp.AttributeValue(css(`#tbody tr:first-child`), "data-seq")).Value
	room := get(t, ctx, "reading its room", chromedp.Text(css(`#tbody tr:first-child .c-room`)))
	verdict := get(t, ctx, "reading its verdict", chromedp.Text(css(`#tbody tr:first-child .c-verdict`)))
	if first != "2" || room != "live_2" || verdict != "OK" {
		t.Fatalf("first row is #%s room %q verdict %q, want the newest, #2 room \"live_2\" verdict \"OK\"", first, room, verdict)
	}
}

func TestBrowserDetailShowsVerdictChecksAndBody(t *testing.T) {
	ctx := tab(t)
	srv := startConsole(t, receiver.Config{})
	openConsole(t, ctx, srv)
	body := createBody("live_foreign", "big owner")
	body = bytes.Replace(body, []byte(`"Owner_Account":"user3"`), []byte(`"Owner_Account":144115188075855873`), 1)
	if st := send(t, srv, "", webhook.URLOptions{SDKAppID: 1400999999}, webhook.CommandCreateRoom, body); st != http.StatusForbidden {
		t.Fatalf("a foreign SdkAppid was answered %d, want 403", st)
	}
	do(t, ctx, 5*time.Second, "opening the detail of the refused delivery",
		chromedp.WaitVisible(css(`#tbody tr[data-seq="1"]`)),
		chromedp.Click(css(`#tbody tr[data-seq="1"]`)),
		chromedp.WaitVisible(css(`#detail .verdict`)))
	verdict := get(t, ctx, "reading the verdict", chromedp.Text(css(`#detail .verdict`)))
	failed := get(t, ctx, "reading the failed check", chromedp.Text(css(`#detail .check-failed`)))
	pretty := get(t, ctx, "reading the body", chromedp.Text(css(`#detail .body-pretty`)))
	raw := get(t, ctx, "reading the exact bytes", chromedp.TextContent(css(`#detail .body-raw`)))
	if !strings.Contains(verdict, "refused 403") || !strings.Contains(verdict, "1400999999 is not this app's") {
		t.Errorf("verdict %q: want the refusal, its status and reason", verdict)
	}
	if !strings.Contains(failed, "failed") || !strings.Contains(failed, "SdkAppid") {
		t.Errorf("failed check %q: want the query check that refused it", failed)
	}
	if !strings.Contains(pretty, "\"Owner_Account\": 144115188075855873") || !strings.Contains(pretty, "\n  \"RoomInfo\": {") {
		t.Errorf("pretty body does not keep the number beyond 2^53 exactly, or is not indented:\n%s", pretty)
	}
	if raw != string(body) {
		t.Errorf("exact bytes differ from what was sent:\n got %q\nwant %q", raw, body)
	}
}

func TestBrowserFilters(t *testing.T) {
	ctx := tab(t)
	srv := startConsole(t, receiver.Config{})
	openConsole(t, ctx, srv)
	send(t, srv, "", webhook.URLOptions{}, webhook.CommandCreateRoom, createBody("room_alpha", "alpha"))
	send(t, srv, "", webhook.URLOptions{SDKAppID: 1400999999}, webhook.CommandCreateRoom, createBody("room_beta", "beta"))
	send(t, srv, "", webhook.URLOptions{}, webhook.CommandDestroyRoom, []byte(`{"CallbackCommand":"Live.CallbackAfterDestroyRoom","Operator_Account":"@TIM#SYSTEM","RoomId":"room_gamma","EventType":"DestroyBySystem","EventTime":1703589922780,`+
		`"RoomInfo":{"RoomId":"room_gamma","RoomName":"gamma","RoomType":"Live","Owner_Account":"host_1","IsSeatEnabled":true,"TakeSeatMode":"ApplyToTake","MaxMemberCount":1000,"MaxSeatCount":9,`+
		`"CustomInfo":"","IsMessageDisabled":false,"CoverURL":"","ActivityStatus":0,"IsPublicVisible":true,"ViewCount":12,"BackgroundURL":"","IsUnlimitedRoomEnabled":false}}`))
	do(t, ctx, 5*time.Second, "waiting for three rows", chromedp.WaitVisible(css(`#tbody tr[data-seq="3"]`)))
	if v := get(t, ctx, "reading row 3", chromedp.Text(css(`#tbody tr[data-seq="3"] .c-verdict`))); v != "OK" {
		t.Fatalf("the destroy is %q, want OK: the test's body is wrong", v)
	}
	rows := func(what string) string {
		t.Helper()
		return get(t, ctx, what, chromedp.Evaluate[string](`[...document.querySelectorAll("#tbody tr")].map(r => r.dataset.seq).join(",")`))
	}
	set := func(id, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.value = %q; e.dispatchEvent(new Event(e.tagName === "SELECT" ? "change" : "input")); })()`, id, value))
	}
	for _, tc := range []struct {
		id, value, want string
	}{
		{"f-verdict", "refused", "2"},
		{"f-verdict", "ok", "3,1"},
		{"f-verdict", "", "3,2,1"},
		{"f-room", "alp", "1"},
		{"f-room", "", "3,2,1"},
		{"f-command", "Live.CallbackAfterDestroyRoom", "3"},
		{"f-command", "", "3,2,1"},
		{"f-text", "tim#system", "3"},
		{"f-text", "not this app", "2"},
		{"f-text", "", "3,2,1"},
	} {
		do(t, ctx, 5*time.Second, "setting "+tc.id, set(tc.id, tc.value))
		if got := rows(tc.id); got != tc.want {
			t.Errorf("%s = %q shows rows %s, want %s", tc.id, tc.value, got, tc.want)
		}
	}
	// A delivery that arrives while a filter is set shows only if it matches.
	do(t, ctx, 5*time.Second, "filtering refused", set("f-verdict", "refused"))
	send(t, srv, "", webhook.URLOptions{}, webhook.CommandCreateRoom, createBody("room_delta", "delta"))
	send(t, srv, "", webhook.URLOptions{SDKAppID: 1400999999}, webhook.CommandCreateRoom, createBody("room_eps", "eps"))
	do(t, ctx, 5*time.Second, "waiting for the new refused row", chromedp.WaitVisible(css(`#tbody tr[data-seq="5"]`)))
	if got := rows("refused rows"); got != "5,2" {
		t.Errorf("with the refused filter set, new deliveries show rows %s, want 5,2", got)
	}
}

func TestBrowserHostileValuesStayText(t *testing.T) {
	ctx := tab(t)
	srv := startConsole(t, receiver.Config{})
	openConsole(t, ctx, srv)
	const hostile = `<img src=x onerror=window.pwned=1>`
	name := hostile + `<script>window.pwned=2</script>`
	send(t, srv, "", webhook.URLOptions{}, webhook.CommandCreateRoom, createBody(hostile, name))
	do(t, ctx, 5*time.Second, "opening the hostile delivery",
		chromedp.WaitVisible(css(`#tbody tr[data-seq="1"]`)),
		chromedp.Click(css(`#tbody tr[data-seq="1"]`)),
		chromedp.WaitVisible(css(`#detail .body-pretty`)))
	room := get(t, ctx, "reading the room cell", chromedp.Text(css(`#tbody tr[data-seq="1"] .c-room`)))
	detail := get(t, ctx, "reading the detail", chromedp.Text(css(`#detail`)))
	elems := get(t, ctx, "counting elements", chromedp.Evaluate[int](`document.querySelectorAll("img, script:not([src])").length`))
	pwned := get(t, ctx, "looking for the script's mark", chromedp.Evaluate[bool](`window.pwned !== undefined`))
	if room != hostile {
		t.Errorf("room cell shows %q, want the RoomId as text %q", room, hostile)
	}
	if !strings.Contains(detail, name) {
		t.Errorf("the detail does not show the hostile RoomName as text:\n%s", detail)
	}
	if elems != 0 || pwned {
		t.Fatalf("a value from the wire became HTML: %d img or inline script elements, script ran: %v", elems, pwned)
	}
}

func TestBrowserSendAgainReachesTheTargetSignedAfresh(t *testing.T) {
	ctx := tab(t)
	type got struct {
		query string
		body  []byte
	}
	arrived := make(chan got, 1)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case arrived <- got{r.URL.RawQuery, b}:
		default:
		}
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	defer target.Close()
	const token = "console-test-token"
	srv, _ := serveConsole(t, receiver.Config{SDKAppID: appID, Token: token}, console.Options{Addr: "127.0.0.1:0"})
	// The console asks for the token first.
	do(t, ctx, 10*time.Second, "logging in with a wrong token",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("login-token")),
		chromedp.SendKeys(chromedp.ID("login-token"), "wrong"),
		chromedp.Click(chromedp.ID("login-go")))
	loginErr := get(t, ctx, "reading the login error", chromedp.Poll[string](`document.getElementById("login-error").textContent || null`))
	if !strings.Contains(loginErr, "wrong token") {
		t.Fatalf("a wrong token says %q", loginErr)
	}
	do(t, ctx, 10*time.Second, "logging in with the token",
		chromedp.SetValue(chromedp.ID("login-token"), token),
		chromedp.Click(chromedp.ID("login-go")),
		chromedp.WaitVisible(css(`#conn[data-state="live"]`)))

	body := createBody("live_again", "again")
	if st := send(t, srv, token, webhook.URLOptions{Signing: webhook.SignBad}, webhook.CommandCreateRoom, body); st != http.StatusUnauthorized {
		t.Fatalf("a bad Sign was answered %d, want 401", st)
	}
	do(t, ctx, 10*time.Second, "sending again",
		chromedp.WaitVisible(css(`#tbody tr[data-seq="1"]`)),
		chromedp.Click(css(`#tbody tr[data-seq="1"]`)),
		chromedp.WaitVisible(css(`#detail .resend-url`)),
		chromedp.SetValue(css(`#detail .resend-url`), target.URL+"/live/webhook"),
		chromedp.Click(css(`#detail .resend-go`)),
		chromedp.WaitVisible(css(`#detail .resend-answer`)))
	answer := get(t, ctx, "reading the answer", chromedp.Text(css(`#detail .resend-answer`)))
	var g got
	select {
	case g = <-arrived:
	default:
		t.Fatal("the page says it sent again, but nothing reached the target")
	}
	if !bytes.Equal(g.body, body) {
		t.Errorf("the target got %q, want the body as recorded %q", g.body, body)
	}
	// Signed afresh: a receiver with the same token accepts what the target got.
	rv, _ := receiver.New(receiver.Config{SDKAppID: appID, Token: token})
	rec := httptest.NewRecorder()
	rv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webhook?"+g.query, bytes.NewReader(g.body)))
	if rec.Code != http.StatusOK {
		t.Errorf("what was sent again is not signed afresh: a receiver with the token answers %d %s (query %s)", rec.Code, rec.Body, g.query)
	}
	if !strings.Contains(answer, "200 OK/0") {
		t.Errorf("the page shows the target's answer as %q, want 200 OK/0", answer)
	}
}

// The page keeps the newest MaxRows and says how many it left out, both of what was kept
// before it opened and of what came while it was open.
func TestBrowserKeepsTheNewestRowsAndSaysHowManyWereLeftOut(t *testing.T) {
	ctx := tab(t)
	srv, _ := serveConsole(t, receiver.Config{SDKAppID: appID}, console.Options{Addr: "127.0.0.1:0", MaxRows: 20})
	for i := range 30 {
		send(t, srv, "", webhook.URLOptions{}, webhook.CommandCreateRoom, createBody(fmt.Sprintf("before_%d", i), "r"))
	}
	openConsole(t, ctx, srv)
	do(t, ctx, 5*time.Second, "waiting for the newest kept delivery", chromedp.WaitVisible(css(`#tbody tr[data-seq="30"]`)))
	for i := range 15 {
		send(t, srv, "", webhook.URLOptions{}, webhook.CommandCreateRoom, createBody(fmt.Sprintf("after_%d", i), "r"))
	}
	do(t, ctx, 5*time.Second, "waiting for the newest delivery", chromedp.WaitVisible(css(`#tbody tr[data-seq="45"]`)))
	rows := get(t, ctx, "counting rows", chromedp.Evaluate[string](`[...document.querySelectorAll("#tbody tr")].map(r => r.dataset.seq).join(",")`))
	var want []string
	for s := 45; s > 25; s-- {
		want = append(want, fmt.Sprint(s))
	}
	if rows != strings.Join(want, ",") {
		t.Errorf("rows %s, want the newest 20: %s", rows, strings.Join(want, ","))
	}
	notice := get(t, ctx, "reading the notice", chromedp.Text(css(`#notice`)))
	if !strings.Contains(notice, "25 older left out (the page keeps the newest 20)") {
		t.Errorf("notice %q does not say 25 were left out", notice)
	}
}

// Grouped by room, a room's deliveries read as its life, with an admin change that came
// before its room's creation, the creation whose EventTime is earlier than that admin
// change's, and a creation delivered twice marked.
func TestBrowserGroupsARoomsLife(t *testing.T) {
	ctx := tab(t)
	srv := startConsole(t, receiver.Config{})
	openConsole(t, ctx, srv)
	admin := []byte(`{"CallbackCommand":"Live.CallbackAfterModifyAdmin","RoomId":"live_g","EventTime":1703589923000,"Operator_Account":"user3","Admin_Account":["mod_1"],"opType":"add"}`)
	if st := send(t, srv, "", webhook.URLOptions{}, webhook.CommandModifyAdmin, admin); st != http.StatusOK {
		t.Fatalf("the admin change was answered %d: the test's body is wrong", st)
	}
	send(t, srv, "", webhook.URLOptions{}, webhook.CommandCreateRoom, createBody("live_g", "g"))
	send(t, srv, "", webhook.URLOptions{}, webhook.CommandCreateRoom, createBody("live_g", "g"))
	send(t, srv, "", webhook.URLOptions{}, webhook.CommandCreateRoom, createBody("live_other", "o"))
	do(t, ctx, 5*time.Second, "grouping by room",
		chromedp.WaitVisible(css(`#tbody tr[data-seq="4"]`)),
		chromedp.Click(chromedp.ID("f-group")),
		chromedp.WaitVisible(css(`#tbody tr.group`)))
	groups := get(t, ctx, "reading the groups", chromedp.Evaluate[string](`[...document.querySelectorAll("#tbody tr.group")].map(r => r.textContent).join(" | ")`))
	if want := "room live_other created | room live_g created → 1 admin change (3 marked)"; groups != want {
		t.Errorf("groups %q, want %q", groups, want)
	}
	marks := get(t, ctx, "reading the marks", chromedp.Evaluate[string](`[...document.querySelectorAll('#tbody tr.row')].map(r => r.dataset.seq + ":" + r.querySelector(".c-room").textContent).join(" | ")`))
	if want := "4: | 1:before its room's creation (out of order) | 2:EventTime earlier than the event before | 3:created again (a redelivery?)"; marks != want {
		t.Errorf("rows %q, want %q", marks, want)
	}
}
