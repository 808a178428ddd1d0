package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/livehook/livehook/console"
	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/usersig"
	"github.com/livehook/livehook/webhook"
)

// startMock starts the mock Live backend with its console, firing at an app that acknowledges
// creations and refuses admin changes.
func startMock(t *testing.T) *mockserver.Server {
	t.Helper()
	return startMockWith(t, mockserver.Config{SkipUserSig: true}, console.Options{})
}

// startMockWith is startMock with cfg (its SDKAppID and callback set here) and the console's
// options.
func startMockWith(t *testing.T, cfg mockserver.Config, opt console.Options) *mockserver.Server {
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
	cfg.SDKAppID = appID
	if cfg.CallbackURL == "" {
		cfg.CallbackURL = app.URL + "/live/webhook"
	}
	m, err := mockserver.NewUnstartedServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	opt.Addr = "127.0.0.1:0"
	m.Wrap(func(h http.Handler) http.Handler {
		c, err := console.NewMock(m, h, opt)
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
	name := get(t, ctx, "reading the room's name", liveText(`#rooms-body tr[data-room="live_rest"] .r-name`))
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

// openServe loads the serve console and waits until its stream is live and its state read.
func openServe(t *testing.T, ctx context.Context, m *mockserver.Server) {
	t.Helper()
	do(t, ctx, 10*time.Second, "loading the serve console",
		chromedp.Navigate(m.URL+"/"),
		chromedp.WaitVisible(css(`#conn[data-state="live"]`)),
		chromedp.WaitReady(css(`#call-api option[value="create_room"]`)))
}

// callForm sends the form with api and body and returns the verdict the page shows.
func callForm(t *testing.T, ctx context.Context, api, body string) string {
	t.Helper()
	do(t, ctx, 5*time.Second, "calling "+api+" from the form",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("call-result").replaceChildren()`),
		chromedp.SetValue(chromedp.ID("call-api"), api),
		chromedp.SetValue(chromedp.ID("call-body"), body),
		chromedp.Click(chromedp.ID("call-go")),
		chromedp.WaitVisible(css(`#call-result .call-verdict`)))
	return get(t, ctx, "reading the verdict", chromedp.Text(css(`#call-result .call-verdict`)))
}

// A room created with the form, through the mock's own API with a UserSig the console made
// (the mock checks UserSigs here), appears in the list with its info; the page shows the
// request without the UserSig and the envelope answered; a refused call shows its code; the
// room's buttons change its admins and destroy it; and its hostile RoomName stays text.
func TestBrowserServeFormCreatesARoom(t *testing.T) {
	ctx := tab(t)
	m := startMockWith(t, mockserver.Config{}, console.Options{})
	openServe(t, ctx, m)
	const hostile = `<img src=x onerror=window.pwned=1>`
	body := `{"RoomInfo":{"RoomId":"live_form","RoomType":"Live","RoomName":"` + hostile + `","MaxMemberCount":300}}`
	if v := callForm(t, ctx, "create_room", body); v != "OK" {
		t.Fatalf("create_room from the form: %q", v)
	}
	req := get(t, ctx, "reading the request", chromedp.Text(css(`#call-result .call-request`)))
	env := get(t, ctx, "reading the envelope", chromedp.Text(css(`#call-result .call-envelope`)))
	if !strings.HasPrefix(req, "POST /v4/live_engine_http_srv/create_room?sdkappid=1400000001&identifier=administrator&usersig=USERSIG&random=") ||
		!strings.Contains(req, `"RoomId":"live_form"`) {
		t.Errorf("the request shown is %q", req)
	}
	if !strings.Contains(env, `"ActionStatus": "OK"`) || !strings.Contains(env, `"RoomId": "live_form"`) {
		t.Errorf("the envelope shown is %q", env)
	}
	get(t, ctx, "waiting for the room in the list and opening it", liveClick(`#rooms-body tr[data-room="live_form"]`))
	get(t, ctx, "opening the room's info", liveClick(`#detail .room-info-box summary`))
	do(t, ctx, 5*time.Second, "waiting for the room's info", chromedp.WaitVisible(css(`#detail .room-info`)))
	name := get(t, ctx, "reading the room's name", liveText(`#rooms-body tr[data-room="live_form"] .r-name`))
	info := get(t, ctx, "reading the room's info", liveText(`#detail .room-info`))
	if name != hostile || !strings.Contains(info, "RoomName\t"+hostile) || !strings.Contains(info, "MaxMemberCount\t300") {
		t.Errorf("room name %q, info %q: want the RoomName as text and MaxMemberCount 300", name, info)
	}
	if v := callForm(t, ctx, "create_room", body); !strings.HasPrefix(v, "FAIL 1000") {
		t.Errorf("creating the room again shows %q, want the mock's refusal", v)
	}

	// The room's own buttons fill the form in for it.
	do(t, ctx, 5*time.Second, "adding an admin with the room's button",
		chromedp.Click(css(`#detail .act-modify_admin`)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("call-result").replaceChildren()`),
		chromedp.Click(chromedp.ID("call-go")),
		chromedp.WaitVisible(css(`#call-result .call-verdict`)))
	admins := get(t, ctx, "waiting for the admin in the detail", chromedp.Poll[string](`(() => { const e = document.querySelector("#detail .room-admins"); return e && e.textContent === "mod_1" ? e.textContent : null })()`))
	if admins != "mod_1" {
		t.Errorf("admins %q", admins)
	}
	do(t, ctx, 5*time.Second, "destroying the room with its button",
		chromedp.Click(css(`#detail .act-destroy_room`)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("call-result").replaceChildren()`),
		chromedp.Click(chromedp.ID("call-go")),
		chromedp.WaitVisible(css(`#call-result .call-verdict`)),
		chromedp.WaitVisible(css(`#rooms-empty`)))
	gone := get(t, ctx, "reading the detail", liveText(`#detail`))
	if !strings.Contains(gone, "no longer exists") {
		t.Errorf("after the destroy the detail says %q", gone)
	}
	// The webhooks the calls fired: create, admin, destroy.
	do(t, ctx, 5*time.Second, "waiting for the destroy's webhook", chromedp.WaitVisible(css(`#tbody tr[data-seq="3"]`)))
	cmds := get(t, ctx, "reading the webhooks", chromedp.Evaluate[string](`[...document.querySelectorAll("#tbody tr")].map(r => r.querySelector(".c-command").textContent).join(",")`))
	if cmds != "DestroyRoom,ModifyAdmin,CreateRoom" {
		t.Errorf("webhooks fired %q, want DestroyRoom,ModifyAdmin,CreateRoom", cmds)
	}
	elems := get(t, ctx, "counting elements", chromedp.Evaluate[int](`document.querySelectorAll("img, script:not([src])").length`))
	pwned := get(t, ctx, "looking for the script's mark", chromedp.Evaluate[bool](`window.pwned !== undefined`))
	if elems != 0 || pwned {
		t.Fatalf("a value from the wire became HTML: %d img or inline script elements, script ran: %v", elems, pwned)
	}
}

// The serve page renders the room list and the open room's detail anew as the mock's state
// comes in (every tick under --activity): a node the driver found may be replaced before it
// clicks or reads it. liveText and liveClick find and act in one step in the page, waiting,
// bounded, until there is such an element (and, for liveText, until it has text).

// liveText reads the text of the element sel selects.
func liveText(sel string) chromedp.Action[string] {
	return chromedp.Poll[string](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText : null })()`, sel))
}

// liveClick clicks the element sel selects.
func liveClick(sel string) chromedp.Action[bool] {
	return chromedp.Poll[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return null; e.click(); return true })()`, sel))
}

// With --activity, the rooms are listed most viewed first, and an open room's statistics go
// on changing while its metadata is shown; the callback configuration is shown.
func TestBrowserServeShowsStatisticsMetadataAndCallback(t *testing.T) {
	ctx := tab(t)
	m := startMockWith(t, mockserver.Config{SkipUserSig: true, ActivityRate: 200, ActivityTick: 20 * time.Millisecond, Retries: 2, Token: "cb-token-secret"}, console.Options{})
	for i := range 6 {
		rest(t, m, "create_room", fmt.Sprintf(`{"RoomInfo":{"RoomId":"live_%d","RoomType":"Live"}}`, i))
	}
	rest(t, m, "set_room_metadata", `{"RoomId":"live_3","Metadata":[{"Key":"topic","Value":"<i>music</i>"}]}`)
	openServe(t, ctx, m)
	// The activity re-sorts the list every tick, replacing its rows: the row is found and clicked
	// in one step in the page, not found by the driver and clicked after it may be gone.
	get(t, ctx, "opening room live_3", liveClick(`#rooms-body tr[data-room="live_3"]`))
	do(t, ctx, 5*time.Second, "waiting for room live_3's detail", chromedp.WaitVisible(css(`#detail .room-stats`)))
	meta := get(t, ctx, "reading the metadata", liveText(`#detail .room-meta`))
	if meta != "topic\t<i>music</i>" {
		t.Errorf("metadata %q, want topic and its value as text", meta)
	}
	first := get(t, ctx, "reading the statistics", liveText(`#detail .room-stats`))
	if !strings.Contains(first, "TotalViewers") || !strings.Contains(first, "TotalMsgCount") {
		t.Errorf("statistics %q", first)
	}
	changed := get(t, ctx, "waiting for the statistics to change", chromedp.Poll[bool](fmt.Sprintf(`document.querySelector("#detail .room-stats").innerText !== %q || null`, first)))
	if !changed {
		t.Error("the statistics never changed")
	}
	views := get(t, ctx, "reading the list's order", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#rooms-body tr.room")].map(r => r.querySelector(".r-views").textContent + " " + r.dataset.room)`))
	if len(views) != 6 {
		t.Fatalf("rows %v, want 6 rooms", views)
	}
	for i := 1; i < len(views); i++ {
		var pv, v int
		var pid, id string
		fmt.Sscan(views[i-1], &pv, &pid)
		fmt.Sscan(views[i], &v, &id)
		if pv < v || pv == v && pid > id {
			t.Errorf("rooms not in get_room_list's order (most viewed first, then RoomId): %v", views)
			break
		}
	}
	cb := get(t, ctx, "reading the callback", liveText(`#callback`))
	for _, want := range []string{"URL\t" + m.Config().CallbackURL, "CreateRoom", "DestroyRoom", "signed\tyes", "2 retries"} {
		if !strings.Contains(cb, want) {
			t.Errorf("the callback section %q does not say %q", cb, want)
		}
	}
	if strings.Contains(get(t, ctx, "reading the page", chromedp.Text(css(`body`))), "cb-token-secret") {
		t.Error("the page shows the callback token")
	}
	if n := get(t, ctx, "counting i elements", chromedp.Evaluate[int](`document.querySelectorAll("i").length`)); n != 0 {
		t.Errorf("the metadata became HTML: %d i elements", n)
	}
}

// A webhook whose first attempt timed out and whose retry was acknowledged says so, in the
// row and in its detail, beside one that failed every attempt.
func TestBrowserServeShowsRetries(t *testing.T) {
	ctx := tab(t)
	var mu sync.Mutex
	seen := map[string]int{}
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen[string(b)]++
		n := seen[string(b)]
		mu.Unlock()
		if n == 1 || strings.Contains(string(b), "live_never") {
			<-r.Context().Done() // no answer: the mock's deadline passes and it tries again
			return
		}
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	t.Cleanup(app.Close)
	m := startMockWith(t, mockserver.Config{SkipUserSig: true, CallbackURL: app.URL + "/hook", Timeout: time.Second,
		Retries: 2, RetryBackoff: 10 * time.Millisecond, Commands: []webhook.Command{webhook.CommandCreateRoom}}, console.Options{})
	openServe(t, ctx, m)
	rest(t, m, "create_room", `{"RoomInfo":{"RoomId":"live_retry","RoomType":"Live"}}`)
	rest(t, m, "create_room", `{"RoomInfo":{"RoomId":"live_never","RoomType":"Live"}}`)
	do(t, ctx, 15*time.Second, "waiting for both webhooks", chromedp.WaitVisible(css(`#tbody tr[data-seq="1"]`)), chromedp.WaitVisible(css(`#tbody tr[data-seq="2"]`)))
	retried := get(t, ctx, "reading the retried one", chromedp.Text(css(`#tbody tr[data-seq="1"] .c-verdict`)))
	failed := get(t, ctx, "reading the failed one", chromedp.Text(css(`#tbody tr[data-seq="2"] .c-verdict`)))
	// Acknowledged at the second attempt; at the third on a machine too busy to answer within
	// the deadline the second time: what matters is that the row says it took more than one.
	if retried != "acknowledged after 2 attempts" && retried != "acknowledged after 3 attempts" {
		t.Errorf("the retried webhook says %q", retried)
	}
	if !strings.HasPrefix(failed, "failed: ") || !strings.Contains(failed, "after 3 attempts") {
		t.Errorf("the webhook that never got an answer says %q", failed)
	}
	do(t, ctx, 5*time.Second, "opening the failed one", chromedp.Click(css(`#tbody tr[data-seq="2"]`)), chromedp.WaitVisible(css(`#detail .kv`)))
	detail := get(t, ctx, "reading its detail", liveText(`#detail .kv`))
	if !strings.Contains(detail, "attempts\t3 (a timed-out webhook is tried again up to 2 times)") || !strings.Contains(detail, "status\tno answer") {
		t.Errorf("detail %q", detail)
	}
}

// The empty states say what to do: the curl line creates a room when run (with a UserSig put
// in for $USERSIG, as its note says), and the webhooks' empty state says whether any will be
// fired.
func TestBrowserServeEmptyStates(t *testing.T) {
	ctx := tab(t)
	m := startMockWith(t, mockserver.Config{}, console.Options{})
	openServe(t, ctx, m)
	do(t, ctx, 5*time.Second, "waiting for the empty states", chromedp.WaitVisible(css(`#rooms-empty`)), chromedp.WaitVisible(css(`#rows-empty`)))
	line := get(t, ctx, "reading the curl line", chromedp.Text(css(`#rooms-curl`)))
	note := get(t, ctx, "reading its note", chromedp.Text(css(`#rooms-curl-note`)))
	rows := get(t, ctx, "reading the webhooks' empty state", chromedp.Text(css(`#rows-empty`)))
	if !strings.Contains(note, "$USERSIG") || !strings.Contains(note, "--print-usersig") {
		t.Errorf("the note %q does not say where $USERSIG comes from", note)
	}
	if !strings.Contains(rows, "create a room") {
		t.Errorf("the webhooks' empty state says %q", rows)
	}
	parts := regexp.MustCompile(`^curl -s -d '([^']*)' '([^']*)'$`).FindStringSubmatch(line)
	if parts == nil {
		t.Fatalf("the curl line %q is not curl -s -d 'BODY' 'URL'", line)
	}
	sig, err := usersig.Gen(mockserver.DefaultSecretKey, appID, mockserver.DefaultAdmin, time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(strings.Replace(parts[2], "$USERSIG", url.QueryEscape(sig), 1), "application/json", strings.NewReader(parts[1]))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"ActionStatus":"OK"`) {
		t.Fatalf("the curl line's call answered %s", b)
	}
	do(t, ctx, 5*time.Second, "waiting for the room of the curl line", chromedp.WaitVisible(css(`#rooms-body tr[data-room="live_1"]`)))

	m.SetCallback("")
	gone := get(t, ctx, "waiting for the callback to show as gone", chromedp.Poll[string](`(() => { const e = document.querySelector("#callback .cb-none"); return e ? e.textContent : null })()`))
	if !strings.Contains(gone, "no callback configured") || !strings.Contains(gone, "--callback") {
		t.Errorf("without a callback the page says %q", gone)
	}
}
