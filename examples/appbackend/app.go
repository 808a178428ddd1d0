package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/livehook/livehook/usersig"
	"github.com/livehook/livehook/webhook"
)

// Config is the app backend's configuration.
type Config struct {
	SDKAppID uint64
	// SecretKey signs the UserSigs of the REST calls; Admin is the identifier they are for.
	SecretKey, Admin string
	// LiveAPI is the base URL of the Live backend's REST API (the mock's, in tests).
	LiveAPI string
	// Token is the callback token: webhooks without a valid Sign are refused.
	Token string
}

// Room is a room as this app knows it: only from the webhooks.
type Room struct {
	RoomId   string   `json:"RoomId"`
	RoomName string   `json:"RoomName"`
	Owner    string   `json:"Owner"`
	Admins   []string `json:"Admins"`
	// Muted is set while only the owner and admins may send messages.
	Muted bool `json:"Muted"`
}

// App is a small app backend: it creates rooms through the Live REST API and keeps its own copy
// of them up to date from the Live webhooks, which may come at once, twice, late or out of order.
type App struct {
	cfg   Config
	http  *http.Client
	mu    sync.Mutex
	rooms map[string]*record
}

// record is what the app keeps of a room, so that a webhook applied twice or out of order
// changes nothing: whether its creation and its destruction have arrived, and when each admin
// was last added or removed (the later change wins, whatever order they arrive in).
type record struct {
	room      Room
	created   bool
	destroyed bool  // a tombstone: a late creation must not bring the room back
	updated   int64 // EventTime of the newest room update applied
	admins    map[string]adminState
}

type adminState struct {
	admin bool
	at    int64 // EventTime of the change that set it
}

// NewApp returns the app.
func NewApp(cfg Config) *App {
	return &App{cfg: cfg, http: &http.Client{Timeout: 5 * time.Second}, rooms: map[string]*record{}}
}

// Handler serves the app's API and its webhook endpoint.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /live/webhook", a.webhook)
	mux.HandleFunc("POST /rooms", a.createRoom)
	mux.HandleFunc("GET /rooms", a.listRooms)
	mux.HandleFunc("PATCH /rooms/{id}", a.updateRoom)
	mux.HandleFunc("GET /rooms/{id}", a.getRoom)
	mux.HandleFunc("DELETE /rooms/{id}", a.destroyRoom)
	mux.HandleFunc("POST /rooms/{id}/admins", a.changeAdmins)
	return mux
}

// --- the webhook endpoint --------------------------------------------------------------------

func (a *App) webhook(w http.ResponseWriter, r *http.Request) {
	answer := func(status int, code int, info string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		action := "OK"
		if code != 0 {
			action = "FAIL"
		}
		_ = json.NewEncoder(w).Encode(webhook.Response{ActionStatus: action, ErrorInfo: info, ErrorCode: code})
	}
	q := r.URL.Query()
	appid := q.Get("SdkAppid")
	if appid == "" {
		appid = q.Get("SdkAppId") // the newer name
	}
	if appid != strconv.FormatUint(a.cfg.SDKAppID, 10) {
		answer(http.StatusForbidden, 1, "not this app's SdkAppid")
		return
	}
	if a.cfg.Token != "" {
		rt, err := strconv.ParseInt(q.Get("RequestTime"), 10, 64)
		if err != nil || time.Since(time.Unix(rt, 0)).Abs() > time.Minute {
			answer(http.StatusUnauthorized, 2, "RequestTime missing or stale")
			return
		}
		if subtle.ConstantTimeCompare([]byte(q.Get("Sign")), []byte(webhook.Sign(a.cfg.Token, rt))) != 1 {
			answer(http.StatusUnauthorized, 3, "bad Sign")
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		answer(http.StatusBadRequest, 4, "cannot read the body")
		return
	}
	cmd := webhook.Command(q.Get("CallbackCommand"))
	if cmd == "" {
		cmd = webhook.Command(q.Get("WebhookCommand")) // the newer name
	}
	if !cmd.Known() {
		// A command the app has no use for, or that came after it was written, is acknowledged,
		// never refused: refusing a "before" callback would block the action in the app.
		answer(http.StatusOK, 0, "")
		return
	}
	ev, err := webhook.Decode(body)
	if err != nil {
		answer(http.StatusBadRequest, 5, err.Error())
		return
	}
	a.apply(ev)
	answer(http.StatusOK, 0, "")
}

// apply keeps the app's copy of a room from a webhook. It is idempotent (a redelivered webhook
// changes nothing) and order-tolerant (an admin change or a destroy may arrive before the
// room's creation, an older admin change after a newer one), so the app acknowledges every
// webhook with OK/0 and ends in the same state whatever the order of delivery.
func (a *App) apply(ev webhook.Event) {
	switch ev.(type) {
	case *webhook.CreateRoom, *webhook.ModifyAdmin, *webhook.UpdateRoomInfo, *webhook.DestroyRoom:
	default:
		return // the member, seat, battle and gift webhooks change nothing the app keeps
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	id := ev.Room()
	rec := a.rooms[id]
	if rec == nil {
		// A tombstone of a destroyed room is kept for as long as the app runs; a production app
		// would expire it once retries can no longer arrive.
		rec = &record{room: Room{RoomId: id}, admins: map[string]adminState{}}
		a.rooms[id] = rec
	}
	switch e := ev.(type) {
	case *webhook.CreateRoom:
		rec.created = true
		rec.room.Owner = e.RoomInfo.OwnerAccount.ID
		if rec.updated == 0 {
			rec.room.RoomName = e.RoomInfo.RoomName
		}
	case *webhook.ModifyAdmin:
		if rec.destroyed {
			return // a late change of a room that is gone
		}
		for _, acc := range e.AdminAccount {
			if old, seen := rec.admins[acc]; !seen || e.EventTime >= old.at {
				rec.admins[acc] = adminState{admin: e.OpType == webhook.OpTypeAdd, at: e.EventTime}
			}
		}
	case *webhook.UpdateRoomInfo:
		// The newest update wins, whenever it arrives; a creation that comes after an update
		// does not undo it.
		if !rec.destroyed && e.EventTime >= rec.updated {
			rec.updated = e.EventTime
			rec.room.RoomName, rec.room.Muted = e.RoomInfo.RoomName, e.RoomInfo.IsMessageDisabled
		}
	case *webhook.DestroyRoom:
		rec.destroyed = true
		clear(rec.admins)
	}
}

// --- the app's own API -----------------------------------------------------------------------

// Room returns the app's copy of a room.
func (a *App) Room(id string) (Room, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	rec, ok := a.rooms[id]
	if !ok || !rec.created || rec.destroyed {
		return Room{}, false
	}
	out := rec.room
	out.Admins = []string{}
	for acc, st := range rec.admins {
		if st.admin {
			out.Admins = append(out.Admins, acc)
		}
	}
	slices.Sort(out.Admins)
	return out, true
}

func (a *App) getRoom(w http.ResponseWriter, r *http.Request) {
	out, ok := a.Room(r.PathValue("id"))
	if !ok {
		http.Error(w, `{"error":"no such room"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func (a *App) createRoom(w http.ResponseWriter, r *http.Request) {
	var req struct{ ID, Name, Owner string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ID == "" {
		http.Error(w, `{"error":"want {\"id\", \"name\", \"owner\"}"}`, http.StatusBadRequest)
		return
	}
	a.relay(w, r.Context(), "live_engine_http_srv/create_room", map[string]any{"RoomInfo": map[string]any{
		"RoomId": req.ID, "RoomType": "Live", "RoomName": req.Name, "Owner_Account": req.Owner}}, http.StatusCreated)
}

// updateRoom renames or mutes a room through update_room_info; the app's copy follows when the
// update webhook comes back.
func (a *App) updateRoom(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name *string
		Mute *bool
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || (req.Name == nil && req.Mute == nil) {
		http.Error(w, `{"error":"want {\"name\": \"...\"} and/or {\"mute\": true}"}`, http.StatusBadRequest)
		return
	}
	info := map[string]any{"RoomId": r.PathValue("id")}
	if req.Name != nil {
		info["RoomName"] = *req.Name
	}
	if req.Mute != nil {
		info["IsMessageDisabled"] = *req.Mute
	}
	a.relay(w, r.Context(), "live_engine_http_srv/update_room_info", map[string]any{"RoomInfo": info}, http.StatusOK)
}

// ListedRoom is a room as the Live backend's room list shows it.
type ListedRoom struct {
	RoomId    string `json:"RoomId"`
	RoomName  string `json:"RoomName"`
	ViewCount int    `json:"ViewCount"`
}

// ListRooms pages through the Live backend's public rooms, most viewed first.
func (a *App) ListRooms(ctx context.Context) ([]ListedRoom, error) {
	var out []ListedRoom
	next := ""
	for range 10_000 { // a bound far above any real list, should the backend never end it
		raw, err := a.Call(ctx, "live_engine_http_srv/get_room_list", map[string]any{"Next": next, "Count": 20})
		if err != nil {
			return nil, err
		}
		var page struct {
			Next     string
			RoomList []ListedRoom
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return nil, fmt.Errorf("get_room_list answer: %w", err)
		}
		out = append(out, page.RoomList...)
		if page.Next == "" {
			return out, nil
		}
		next = page.Next
	}
	return nil, fmt.Errorf("get_room_list: still not at the end after 10000 pages")
}

func (a *App) listRooms(w http.ResponseWriter, r *http.Request) {
	rooms, err := a.ListRooms(r.Context())
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	_ = json.NewEncoder(w).Encode(rooms)
}

func (a *App) destroyRoom(w http.ResponseWriter, r *http.Request) {
	a.relay(w, r.Context(), "live_engine_http_srv/destroy_room", map[string]any{"RoomId": r.PathValue("id")}, http.StatusOK)
}

func (a *App) changeAdmins(w http.ResponseWriter, r *http.Request) {
	var req struct{ Add, Remove []string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || (len(req.Add) == 0) == (len(req.Remove) == 0) {
		http.Error(w, `{"error":"want {\"add\": [...]} or {\"remove\": [...]}"}`, http.StatusBadRequest)
		return
	}
	op, accounts := "add", req.Add
	if len(req.Remove) > 0 {
		op, accounts = "delete", req.Remove
	}
	a.relay(w, r.Context(), "live_engine_http_srv/modify_admin", map[string]any{"RoomId": r.PathValue("id"), "Admin_Account": accounts, "OpType": op}, http.StatusOK)
}

// relay makes a Live REST call and answers with its outcome.
func (a *App) relay(w http.ResponseWriter, ctx context.Context, api string, body any, okStatus int) {
	resp, err := a.Call(ctx, api, body)
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	w.WriteHeader(okStatus)
	_ = json.NewEncoder(w).Encode(resp)
}

// LiveError is a FAIL answer of the Live REST API.
type LiveError struct {
	Code int
	Info string
}

func (e *LiveError) Error() string { return fmt.Sprintf("Live API error %d: %s", e.Code, e.Info) }

// Call makes one Live REST call, e.g. Call(ctx, "live_config/set_callback", body).
func (a *App) Call(ctx context.Context, api string, body any) (json.RawMessage, error) {
	sig, err := usersig.Gen(a.cfg.SecretKey, a.cfg.SDKAppID, a.cfg.Admin, time.Hour, time.Now())
	if err != nil {
		return nil, err
	}
	q := url.Values{"sdkappid": {strconv.FormatUint(a.cfg.SDKAppID, 10)}, "identifier": {a.cfg.Admin},
		"usersig": {sig}, "random": {strconv.FormatUint(uint64(rand.Uint32()), 10)}, "contenttype": {"json"}}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.LiveAPI+"/v4/"+api+"?"+q.Encode(), bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var env struct {
		ActionStatus string
		ErrorCode    int
		ErrorInfo    string
		Response     json.RawMessage
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&env); err != nil {
		return nil, fmt.Errorf("Live API %s: HTTP %d, %w", api, resp.StatusCode, err)
	}
	if env.ActionStatus != "OK" {
		return nil, &LiveError{env.ErrorCode, env.ErrorInfo}
	}
	return env.Response, nil
}

// RegisterCallback tells the Live backend where this app takes its webhooks: set_callback the
// first time, update_callback when a configuration exists already (error 100300).
func (a *App) RegisterCallback(ctx context.Context, callbackURL string) error {
	cfg := map[string]any{"Url": callbackURL, "CallbackCommandList": []string{string(webhook.CommandCreateRoom),
		string(webhook.CommandModifyAdmin), string(webhook.CommandUpdateRoomInfo), string(webhook.CommandDestroyRoom)}}
	_, err := a.Call(ctx, "live_config/set_callback", cfg)
	var le *LiveError
	if errors.As(err, &le) && le.Code == 100300 {
		_, err = a.Call(ctx, "live_config/update_callback", cfg)
	}
	if err != nil {
		return err
	}
	if a.cfg.Token == "" {
		return nil
	}
	_, err = a.Call(ctx, "live_config/set_callback_token", map[string]any{"Token": a.cfg.Token, "IsTokenEnable": true})
	return err
}
