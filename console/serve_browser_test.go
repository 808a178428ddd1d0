package console_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/livehook/livehook/console"
	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

// startMock starts the mock Live backend with its console, firing at an app that acknowledges
// creations and refuses admin changes.
func startMock(t *testing.T) *mockserver.Server {
	t.Helper()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if strings.Contains(r.URL.RawQuery, "ModifyAdmin") {
			_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"no admins here","ErrorCode":1}`)
			return
		}
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	t.Cleanup(app.Close)
	m, err := mockserver.NewUnstartedServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true, CallbackURL: app.URL + "/live/webhook"})
	if err != nil {
		t.Fatal(err)
	}
	m.Wrap(func(h http.Handler) http.Handler {
		c, err := console.NewMock(m, h, console.Options{Addr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	})
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func rest(t *testing.T, m *mockserver.Server, api, body string) {
	t.Helper()
	resp, err := http.Post(m.URL+"/v4/live_engine_http_srv/"+api+"?sdkappid=1400000001&identifier=administrator&random=1&contenttype=json", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"ActionStatus":"OK"`) {
		t.Fatalf("%s: %s", api, b)
	}
}

// The serve view shows a room created through REST, and the webhooks it fired with their
// outcomes, as they happen.
func TestBrowserServeShowsRoomsAndWebhooks(t *testing.T) {
	ctx := tab(t)
	m := startMock(t)
	do(t, ctx, 10*time.Second, "loading the serve console",
		chromedp.Navigate(m.URL+"/"),
		chromedp.WaitVisible(css(`#conn[data-state="live"]`)),
		chromedp.WaitVisible(css(`#rooms-empty`)))
	rest(t, m, "create_room", `{"RoomInfo":{"RoomId":"live_rest","RoomType":"Live","RoomName":"<b>evening</b> show"}}`)
	do(t, ctx, 2*time.Second, "waiting for the room and its webhook",
		chromedp.WaitVisible(css(`#rooms-body tr[data-room="live_rest"]`)),
		chromedp.WaitVisible(css(`#tbody tr[data-seq="1"]`)))
	name := get(t, ctx, "reading the room's name", chromedp.Text(css(`#rooms-body tr[data-room="live_rest"] .r-name`)))
	if name != "<b>evening</b> show" {
		t.Errorf("room name %q, want it as text", name)
	}
	rest(t, m, "modify_admin", `{"RoomId":"live_rest","OpType":"add","Admin_Account":["mod_1"]}`)
	do(t, ctx, 2*time.Second, "waiting for the admin webhook", chromedp.WaitVisible(css(`#tbody tr[data-seq="2"]`)))
	created := get(t, ctx, "reading the creation's outcome", chromedp.Text(css(`#tbody tr[data-seq="1"] .c-verdict`)))
	admin := get(t, ctx, "reading the admin change's outcome", chromedp.Text(css(`#tbody tr[data-seq="2"] .c-verdict`)))
	if created != "acknowledged" || !strings.HasPrefix(admin, "failed") {
		t.Errorf("outcomes %q and %q, want acknowledged and failed", created, admin)
	}
	do(t, ctx, 5*time.Second, "opening the webhook",
		chromedp.Click(css(`#tbody tr[data-seq="1"]`)),
		chromedp.WaitVisible(css(`#detail .body-pretty`)))
	body := get(t, ctx, "reading its body", chromedp.TextContent(css(`#detail .body-raw`)))
	if !strings.Contains(body, `"RoomId":"live_rest"`) {
		t.Errorf("the webhook's body %q does not name the room", body)
	}
	if n := get(t, ctx, "counting b elements", chromedp.Evaluate[int](`document.querySelectorAll("b").length`)); n != 0 {
		t.Errorf("the room's name became HTML: %d b elements", n)
	}
}
