package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/webhook"
)

const (
	key   = "example-key"
	token = "example-token"
)

// setUp starts the mock Live backend and the app, and has the app register its callback.
func setUp(t *testing.T) (*mockserver.Server, *httptest.Server) {
	t.Helper()
	live, err := mockserver.NewServer(mockserver.Config{SDKAppID: webhook.DefaultSDKAppID, SecretKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(live.Close)
	app := NewApp(Config{SDKAppID: webhook.DefaultSDKAppID, SecretKey: key, Admin: "administrator", LiveAPI: live.URL, Token: token})
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(srv.Close)
	if err := app.RegisterCallback(context.Background(), srv.URL+"/live/webhook"); err != nil {
		t.Fatal(err)
	}
	return live, srv
}

func do(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// The whole loop: the app calls the REST API, the mock fires the webhooks, the app's state follows.
func TestRESTToWebhookLoop(t *testing.T) {
	g := NewWithT(t)
	live, app := setUp(t)
	room := func() (int, map[string]any) { return do(t, "GET", app.URL+"/rooms/live_1", "") }

	status, _ := do(t, "POST", app.URL+"/rooms", `{"id":"live_1","name":"evening show","owner":"host_1"}`)
	g.Expect(status).To(Equal(http.StatusCreated))
	g.Eventually(func() int { s, _ := room(); return s }).Should(Equal(200))
	_, r := room()
	g.Expect(r).To(HaveKeyWithValue("Owner", "host_1"))

	status, _ = do(t, "POST", app.URL+"/rooms/live_1/admins", `{"add":["mod_1","mod_2"]}`)
	g.Expect(status).To(Equal(200))
	g.Eventually(func() any { _, r := room(); return r["Admins"] }).Should(ConsistOf("mod_1", "mod_2"))
	do(t, "POST", app.URL+"/rooms/live_1/admins", `{"remove":["mod_1"]}`)
	g.Eventually(func() any { _, r := room(); return r["Admins"] }).Should(ConsistOf("mod_2"))

	// The Live backend refuses a sixth admin; the app passes the error on.
	status, body := do(t, "POST", app.URL+"/rooms/live_1/admins", `{"add":["a","b","c","d","e"]}`)
	g.Expect(status).To(Equal(http.StatusBadGateway))
	g.Expect(body["error"]).To(ContainSubstring("100020"))

	status, _ = do(t, "DELETE", app.URL+"/rooms/live_1", "")
	g.Expect(status).To(Equal(200))
	g.Eventually(func() int { s, _ := room(); return s }).Should(Equal(404))

	st, _ := live.Deliveries()
	g.Expect(st).To(Equal(mockserver.Stats{Fired: 4, Acknowledged: 4}))
}

// The example app honours the built-in contract, and livehook's check step sees its state.
func TestAppHonoursTheContract(t *testing.T) {
	g := NewWithT(t)
	_, app := setUp(t)
	f, err := scenarios.ReadFile("../../scenarios.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	extra, err := scenarios.Parse("synced.yaml", strings.NewReader(`
vars: {api: "`+app.URL+`"}
scenarios:
  - name: the app keeps rooms in sync with the webhooks
    steps:
      - create_room: {as: room, RoomInfo: {RoomName: "synced room"}}
      - check: {url: "${vars.api}/rooms/${room.RoomId}", json: {RoomName: synced room, Owner: "${room.Owner_Account}"}}
      - modify_admin: {room: room, op: add, accounts: [mod_9]}
      - check: {url: "${vars.api}/rooms/${room.RoomId}", json: {Admins: [mod_9]}}
      - destroy_room: {room: room}
      - check: {url: "${vars.api}/rooms/${room.RoomId}", status: 404}
`))
	g.Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := scenarios.Run(ctx, []*scenarios.File{f, extra}, scenarios.Config{
		Endpoint: webhook.Endpoint{URL: app.URL + "/live/webhook", SDKAppID: webhook.DefaultSDKAppID, Token: token}, Seed: 1, Parallel: 4})
	g.Expect(err).NotTo(HaveOccurred())
	for _, s := range rep.Scenarios {
		g.Expect(s.Status).To(Equal(scenarios.StatusPassed), "%s: %s", s.Name, s.Failure)
	}
}
