package main

import (
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

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/scenarios/runner"
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

	// Await, not Deliveries: the app's state can follow a webhook before the mock has recorded
	// its acknowledgement.
	_, err := live.Await(t.Context(), 4)
	g.Expect(err).NotTo(HaveOccurred())
	st, _ := live.Deliveries()
	g.Expect(st).To(Equal(mockserver.Stats{Fired: 4, Acknowledged: 4}))
}

// The app's directory is the Live backend's get_room_list, paged through; renaming and muting go
// through update_room_info, and the app's copy follows the update webhook.
func TestListAndUpdateThroughTheLiveAPI(t *testing.T) {
	g := NewWithT(t)
	live, app := setUp(t)
	var want []string
	for i := range 23 { // more than a page of 20
		id := fmt.Sprintf("live_%02d", i)
		want = append(want, id)
		status, _ := do(t, "POST", app.URL+"/rooms", fmt.Sprintf(`{"id":%q,"name":"show %d","owner":"host_%d"}`, id, i, i))
		g.Expect(status).To(Equal(http.StatusCreated))
	}
	resp, err := http.Get(app.URL + "/rooms")
	g.Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	var listed []ListedRoom
	g.Expect(json.NewDecoder(resp.Body).Decode(&listed)).To(Succeed())
	var ids []string
	for _, r := range listed {
		ids = append(ids, r.RoomId)
	}
	g.Expect(ids).To(Equal(want), "every room once, across two pages")

	g.Eventually(func() int { s, _ := do(t, "GET", app.URL+"/rooms/live_07", ""); return s }).Should(Equal(200))
	status, _ := do(t, "PATCH", app.URL+"/rooms/live_07", `{"name":"late show","mute":true}`)
	g.Expect(status).To(Equal(200))
	g.Eventually(func() map[string]any { _, r := do(t, "GET", app.URL+"/rooms/live_07", ""); return r }).Should(And(
		HaveKeyWithValue("RoomName", "late show"), HaveKeyWithValue("Muted", true)))
	status, body := do(t, "PATCH", app.URL+"/rooms/nope", `{"name":"x"}`)
	g.Expect(status).To(Equal(http.StatusBadGateway))
	g.Expect(body["error"]).To(ContainSubstring("100004"))

	// Registering again (a restart) finds the configuration and updates it.
	a := NewApp(Config{SDKAppID: webhook.DefaultSDKAppID, SecretKey: key, Admin: "administrator", LiveAPI: live.URL, Token: token})
	g.Expect(a.RegisterCallback(t.Context(), app.URL+"/live/webhook")).To(Succeed())
	_, err = live.Await(t.Context(), 24)
	g.Expect(err).NotTo(HaveOccurred())
	st, ds := live.Deliveries()
	g.Expect(st.Failed).To(BeZero(), "%+v", ds)
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
	rep, err := runner.Run(ctx, []*scenarios.File{f, extra}, runner.Config{
		Endpoint: webhook.Endpoint{URL: app.URL + "/live/webhook", SDKAppID: webhook.DefaultSDKAppID, Token: token}, Seed: 1, Timeout: contractDeadline, Parallel: 4})
	g.Expect(err).NotTo(HaveOccurred())
	for _, s := range rep.Scenarios {
		g.Expect(s.Status).To(Equal(report.StatusPassed), "%s: %s", s.Name, s.Failure)
	}
}

// idempotency reads idempotency.yaml with the app's API at api, as
// `livehook run idempotency.yaml --var app=URL` does.
func idempotency(t *testing.T, api string) *scenarios.File {
	t.Helper()
	f, err := scenarios.ReadFile("idempotency.yaml", scenarios.WithVars(map[string]string{"app": api}))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The app stays right when webhooks come twice and out of order, as its own API shows; a naive
// app that applies every webhook as it comes is caught by the same checks.
func TestAppIsIdempotentAndOrderTolerant(t *testing.T) {
	g := NewWithT(t)
	_, app := setUp(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run := func(target, api string) *report.Report {
		rep, err := runner.Run(ctx, []*scenarios.File{idempotency(t, api)}, runner.Config{
			Endpoint: webhook.Endpoint{URL: target + "/live/webhook", SDKAppID: webhook.DefaultSDKAppID, Token: token}, Seed: 1, Timeout: contractDeadline})
		g.Expect(err).NotTo(HaveOccurred())
		return rep
	}
	rep := run(app.URL, app.URL)
	for _, s := range rep.Scenarios {
		g.Expect(s.Status).To(Equal(report.StatusPassed), "%s: %s", s.Name, s.Failure)
	}

	naive := httptest.NewServer(naiveApp())
	defer naive.Close()
	rep = run(naive.URL, naive.URL)
	g.Expect(rep.Failed).To(Equal(3), "the naive app fails every check")
	g.Expect(rep.Scenarios[0].Failure).To(ContainSubstring(`Admins is ["mod_once","mod_once"], expected ["mod_once"]`))
	g.Expect(rep.Scenarios[1].Failure).To(ContainSubstring(`Admins is [], expected ["early_mod"]`))
	g.Expect(rep.Scenarios[2].Failure).To(ContainSubstring("expected HTTP status 404, got 200"))
}

// naiveApp applies each webhook as it comes: a second creation or admin change is applied
// again, a change before its room's creation is lost, a late creation brings a room back.
func naiveApp() http.Handler {
	var mu sync.Mutex
	rooms := map[string]*Room{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /live/webhook", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := webhook.Decode(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		switch e := ev.(type) {
		case *webhook.CreateRoom:
			rooms[e.RoomInfo.RoomId] = &Room{RoomId: e.RoomInfo.RoomId, RoomName: e.RoomInfo.RoomName, Admins: []string{}}
		case *webhook.ModifyAdmin:
			if rm := rooms[e.RoomId]; rm != nil && e.OpType == webhook.OpTypeAdd {
				rm.Admins = append(rm.Admins, e.AdminAccount...)
			}
		case *webhook.DestroyRoom:
			delete(rooms, e.RoomId)
		}
		mu.Unlock()
		_, _ = w.Write(webhook.Acknowledgement)
	})
	mux.HandleFunc("GET /rooms/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		rm := rooms[r.PathValue("id")]
		if rm == nil {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(rm)
	})
	return mux
}

// The app acknowledges the webhooks it has no use for (a gift about to be sent, a member
// entering, a command added after it was written) and keeps no room for them; a malformed
// webhook of a command it handles is still refused.
func TestAppAcknowledgesWhatItDoesNotHandle(t *testing.T) {
	g := NewWithT(t)
	_, app := setUp(t)
	f, err := scenarios.Parse("family.yaml", strings.NewReader(`
vars: {api: "`+app.URL+`"}
scenarios:
  - name: commands the app has no use for are acknowledged
    steps:
      - send: {command: Live.CallbackBeforeSendGift, body: '{"CallbackCommand":"Live.CallbackBeforeSendGift","Operator_Account":"a","RoomId":"gift_room","GiftWater":{"From_Account":"a","To_Account":["b"],"Time":1703589922,"GiftId":"g","Count":1,"Coins":1}}'}
      - send: {command: Live.CallbackAfterCreateRoomReachingThreshold, body: '{"CallbackCommand":"Live.CallbackAfterCreateRoomReachingThreshold","Operator_Account":"a","EventTime":1739966441121,"CurRoomCount":7,"MaxRoomCount":10}'}
      - send: {command: Live.CallbackAfterSomethingNew, body: '{"CallbackCommand":"Live.CallbackAfterSomethingNew","RoomId":"new_room"}'}
      - check: {url: "${vars.api}/rooms/gift_room", status: 404}
      - check: {url: "${vars.api}/rooms/new_room", status: 404}
  - name: a malformed webhook the app handles is refused
    steps:
      - send: {command: Live.CallbackAfterModifyAdmin, body: '{"CallbackCommand":"Live.CallbackAfterModifyAdmin","RoomId":5}'}
        expect: rejected
`))
	g.Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := runner.Run(ctx, []*scenarios.File{f}, runner.Config{
		Endpoint: webhook.Endpoint{URL: app.URL + "/live/webhook", SDKAppID: webhook.DefaultSDKAppID, Token: token}, Seed: 1, Timeout: contractDeadline})
	g.Expect(err).NotTo(HaveOccurred())
	for _, s := range rep.Scenarios {
		g.Expect(s.Status).To(Equal(report.StatusPassed), "%s: %s", s.Name, s.Failure)
	}
}
