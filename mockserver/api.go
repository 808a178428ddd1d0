package mockserver

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/usersig"
	"github.com/livehook/livehook/webhook"
)

// Error codes of the Live backend's REST API.
const (
	CodeInternal         = 100001
	CodeBadParameter     = 100002
	CodeRoomExists       = 100003
	CodeNoRoom           = 100004
	CodeRoomExistsOwner  = 100010
	CodeCreatedTwice     = 100012
	CodeTooManyAdmins    = 100020
	CodeHTTPParse        = 60002
	CodeJSONParse        = 60003
	CodeBadSDKAppID      = 60006
	CodeRateLimited      = 60007
	CodeUserSigExpired   = 70001
	CodeUserSigParse     = 70003
	CodeUserSigWrongKey  = 70009
	CodeIdentifierDiffer = 70013
	CodeSDKAppIDDiffer   = 70014
)

// API paths.
const (
	EnginePrefix = "/v4/live_engine_http_srv/"
	ConfigPrefix = "/v4/live_config/"
)

// Envelope is the body of every REST answer.
type Envelope struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorCode    int    `json:"ErrorCode"`
	ErrorInfo    string `json:"ErrorInfo"`
	RequestId    string `json:"RequestId"`
	Response     any    `json:"Response,omitempty"`
}

// apiError is a FAIL answer.
type apiError struct {
	code int
	info string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.code, e.info) }

func fail(code int, format string, args ...any) *apiError {
	return &apiError{code, fmt.Sprintf(format, args...)}
}

// caller is who called, from the query and the connection.
type caller struct {
	identifier string
	ip         string
}

// Handler returns the mock backend's HTTP handler, for use without the server's listener. Paths
// are matched exactly, never cleaned or redirected.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == DeliveriesPath:
			s.serveDeliveries(w, r)
		case p == RoomsPath:
			s.serveRooms(w, r)
		case strings.HasPrefix(p, EnginePrefix) || strings.HasPrefix(p, ConfigPrefix):
			s.serveAPI(w, r)
		default:
			writeEnvelope(w, http.StatusNotFound, newRequestID(), nil, fail(CodeHTTPParse,
				"no API at %s: the REST API is under %s{create_room, destroy_room, get_room_info, modify_admin, get_admin_list} and %s{set_callback, set_callback_token}",
				p, EnginePrefix, ConfigPrefix))
		}
	})
}

type handlerFunc func(c caller, body []byte) (any, *apiError)

func (s *Server) apis() map[string]handlerFunc {
	return map[string]handlerFunc{
		EnginePrefix + "create_room":        s.createRoom,
		EnginePrefix + "destroy_room":       s.destroyRoom,
		EnginePrefix + "get_room_info":      s.getRoomInfo,
		EnginePrefix + "modify_admin":       s.modifyAdmin,
		EnginePrefix + "get_admin_list":     s.getAdminList,
		ConfigPrefix + "set_callback":       s.setCallback,
		ConfigPrefix + "set_callback_token": s.setCallbackToken,
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	api, ok := s.api[r.URL.Path]
	name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, EnginePrefix), ConfigPrefix)
	if !ok {
		writeEnvelope(w, http.StatusNotFound, reqID, nil, fail(CodeHTTPParse, "unknown API %q", name))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeEnvelope(w, http.StatusMethodNotAllowed, reqID, nil, fail(CodeHTTPParse, "method %s is not allowed: the REST API takes POST", r.Method))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeEnvelope(w, http.StatusRequestEntityTooLarge, reqID, nil, fail(CodeHTTPParse, "body is over %d bytes", MaxBodyBytes))
			return
		}
		writeEnvelope(w, http.StatusBadRequest, reqID, nil, fail(CodeHTTPParse, "reading the body: %v", err))
		return
	}
	c, aerr := s.authenticate(r)
	var resp any
	if aerr == nil {
		aerr = s.limit(name)
	}
	if aerr == nil {
		if !json.Valid(body) {
			aerr = fail(CodeJSONParse, "body is not JSON")
		} else {
			resp, aerr = api(c, body)
		}
	}
	verdict := "OK"
	if aerr != nil {
		verdict = fmt.Sprintf("FAIL %d %s", aerr.code, aerr.info)
	}
	s.logf("REST %s by %q from %s: %s", name, c.identifier, c.ip, verdict)
	writeEnvelope(w, http.StatusOK, reqID, resp, aerr)
}

func writeEnvelope(w http.ResponseWriter, status int, reqID string, resp any, aerr *apiError) {
	var b []byte
	if aerr == nil {
		// The common answer, written out directly: it is on every call's path.
		b = make([]byte, 0, 128)
		b = append(b, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","RequestId":`...)
		b = strconv.AppendQuote(b, reqID)
		if resp != nil {
			r, err := json.Marshal(resp)
			if err != nil {
				aerr = fail(CodeInternal, "encoding the answer: %v", err)
			} else {
				b = append(append(b, `,"Response":`...), r...)
			}
		}
		b = append(b, '}')
	}
	if aerr != nil {
		b, _ = json.Marshal(Envelope{ActionStatus: "FAIL", ErrorCode: aerr.code, ErrorInfo: aerr.info, RequestId: reqID})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// requestIDs are a random prefix, drawn once, and a counter: unique without a system call per
// request.
var (
	requestPrefix = func() string {
		var b [6]byte
		_, _ = rand.Read(b[:])
		return hex.EncodeToString(b[:]) + "-"
	}()
	requestSeq atomic.Uint64
)

func newRequestID() string {
	return requestPrefix + strconv.FormatUint(requestSeq.Add(1), 16)
}

// authenticate checks the query: sdkappid, identifier, usersig, random, contenttype.
func (s *Server) authenticate(r *http.Request) (caller, *apiError) {
	q := r.URL.Query()
	c := caller{identifier: q.Get("identifier")}
	c.ip, _, _ = net.SplitHostPort(r.RemoteAddr)
	appid, err := strconv.ParseUint(q.Get("sdkappid"), 10, 64)
	switch {
	case err != nil:
		return c, fail(CodeBadSDKAppID, "query parameter sdkappid is %q, want this app's SDKAppID", q.Get("sdkappid"))
	case appid != s.cfg.SDKAppID:
		return c, fail(CodeBadSDKAppID, "sdkappid %d is not this app's", appid)
	case c.identifier == "":
		return c, fail(CodeBadParameter, "query parameter identifier is missing: the admin account the UserSig is for")
	}
	if ct := q.Get("contenttype"); ct != "" && ct != "json" {
		return c, fail(CodeBadParameter, "query parameter contenttype is %q, want json", ct)
	}
	if rnd := q.Get("random"); rnd != "" {
		if _, err := strconv.ParseUint(rnd, 10, 32); err != nil {
			return c, fail(CodeBadParameter, "query parameter random is %q, want a 32-bit unsigned number", rnd)
		}
	}
	if s.cfg.SkipUserSig {
		return c, nil
	}
	if err := s.verifySig(q.Get("usersig"), appid, c.identifier); err != nil {
		return c, fail(usersig.Code(err), "%v", err)
	}
	return c, nil
}

// maxVerifiedSigs bounds the cache of verified UserSigs.
const maxVerifiedSigs = 1024

// verifySig checks a UserSig. An app sends the same UserSig with call after call until it
// expires, so a verified one is remembered (with its identifier) until its expiry.
func (s *Server) verifySig(sig string, appid uint64, identifier string) error {
	now := s.cfg.Now()
	key := identifier + "\x00" + sig
	s.sigMu.Lock()
	exp, ok := s.verified[key]
	s.sigMu.Unlock()
	if ok && now.Before(exp) {
		return nil
	}
	expiry, err := usersig.VerifyExpiry(sig, s.cfg.SecretKey, appid, identifier, now)
	if err != nil {
		return err
	}
	s.sigMu.Lock()
	if len(s.verified) >= maxVerifiedSigs {
		clear(s.verified)
	}
	s.verified[key] = expiry
	s.sigMu.Unlock()
	return nil
}

// rateWindow counts one API's calls in the current second.
type rateWindow struct {
	second int64
	calls  int
}

func (s *Server) limit(api string) *apiError {
	if s.cfg.RateLimit <= 0 {
		return nil
	}
	now := s.cfg.Now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.rate[api]
	if w == nil {
		w = &rateWindow{}
		s.rate[api] = w
	}
	if w.second != now {
		w.second, w.calls = now, 0
	}
	w.calls++
	if w.calls > s.cfg.RateLimit {
		return fail(CodeRateLimited, "more than %d calls to %s in a second", s.cfg.RateLimit, api)
	}
	return nil
}

// decode reads a JSON body into v; a field of the wrong type is a bad parameter.
func decode(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fail(CodeBadParameter, "%s is a JSON %s, want %s", te.Field, te.Value, te.Type)
		}
		return fail(CodeJSONParse, "body: %v", err)
	}
	return nil
}

// liveRoom is a room the mock backend holds: the room model, and when it last saw a call.
type liveRoom struct {
	*room.Room
	lastCall time.Time
}

// roomInfoRequest is create_room's RoomInfo: pointers tell a field left out from a zero value.
type roomInfoRequest struct {
	RoomId                 *string `json:"RoomId"`
	RoomType               *string `json:"RoomType"`
	RoomName               *string `json:"RoomName"`
	OwnerAccount           *string `json:"Owner_Account"`
	MaxMemberCount         *int    `json:"MaxMemberCount"`
	IsMessageDisabled      *bool   `json:"IsMessageDisabled"`
	CustomInfo             *string `json:"CustomInfo"`
	IsSeatEnabled          *bool   `json:"IsSeatEnabled"`
	TakeSeatMode           *string `json:"TakeSeatMode"`
	MaxSeatCount           *int    `json:"MaxSeatCount"`
	IsPublicVisible        *bool   `json:"IsPublicVisible"`
	CoverURL               *string `json:"CoverURL"`
	Category               []int   `json:"Category"`
	ActivityStatus         *int    `json:"ActivityStatus"`
	IsUnlimitedRoomEnabled *bool   `json:"IsUnlimitedRoomEnabled"`
	BackgroundURL          *string `json:"BackgroundURL"`
}

func (s *Server) createRoom(c caller, body []byte) (any, *apiError) {
	var req struct {
		RoomInfo *roomInfoRequest `json:"RoomInfo"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	ri := req.RoomInfo
	switch {
	case ri == nil:
		return nil, fail(CodeBadParameter, "RoomInfo is missing")
	case ri.RoomId == nil || *ri.RoomId == "":
		return nil, fail(CodeBadParameter, "RoomInfo.RoomId is missing")
	case ri.RoomType == nil || *ri.RoomType != webhook.RoomTypeLive:
		return nil, fail(CodeBadParameter, "RoomInfo.RoomType must be %q", webhook.RoomTypeLive)
	}
	now := s.cfg.Now()
	info := webhook.RoomInfo{
		RoomId: *ri.RoomId, RoomName: *ri.RoomId, RoomType: webhook.RoomTypeLive,
		OwnerAccount: webhook.Account{ID: c.identifier}, MaxMemberCount: 300,
		TakeSeatMode: webhook.TakeSeatModeNone, CreateTime: now.Unix(), Category: ri.Category,
	}
	setp(&info.RoomName, ri.RoomName)
	if ri.OwnerAccount != nil {
		info.OwnerAccount.ID = *ri.OwnerAccount
	}
	setp(&info.MaxMemberCount, ri.MaxMemberCount)
	setp(&info.IsMessageDisabled, ri.IsMessageDisabled)
	setp(&info.CustomInfo, ri.CustomInfo)
	setp(&info.IsSeatEnabled, ri.IsSeatEnabled)
	if info.IsSeatEnabled {
		info.TakeSeatMode, info.MaxSeatCount = webhook.TakeSeatModeApplyToTake, 8
	}
	setp(&info.TakeSeatMode, ri.TakeSeatMode)
	setp(&info.MaxSeatCount, ri.MaxSeatCount)
	setp(&info.IsPublicVisible, ri.IsPublicVisible)
	setp(&info.CoverURL, ri.CoverURL)
	if info.Category == nil {
		info.Category = []int{}
	}

	r, msg, err := room.Create(info, c.identifier, webhook.Meta{ClientIP: c.ip, OptPlatform: webhook.PlatformRESTAPI}, now)
	if err != nil {
		return nil, fail(CodeBadParameter, "%v", err)
	}
	setp(&r.ActivityStatus, ri.ActivityStatus)
	setp(&r.IsUnlimitedRoomEnabled, ri.IsUnlimitedRoomEnabled)
	setp(&r.BackgroundURL, ri.BackgroundURL)

	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.rooms[info.RoomId]; ok {
		switch {
		case now.Sub(old.Created) < time.Second:
			return nil, fail(CodeCreatedTwice, "room %q was created twice within a second", info.RoomId)
		case old.Info.OwnerAccount.ID == info.OwnerAccount.ID:
			return nil, fail(CodeRoomExistsOwner, "room %q exists, with the same owner", info.RoomId)
		}
		return nil, fail(CodeRoomExists, "room %q exists", info.RoomId)
	}
	s.rooms[info.RoomId] = &liveRoom{Room: r, lastCall: now}
	s.fire(msg)
	return struct{ RoomId string }{info.RoomId}, nil
}

// roomRequest is the body of the APIs that name a room.
type roomRequest struct {
	RoomId *string `json:"RoomId"`
}

// lookup finds the room a body names; the caller holds s.mu.
func (s *Server) lookup(body []byte) (*liveRoom, *apiError) {
	var req roomRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.RoomId == nil || *req.RoomId == "" {
		return nil, fail(CodeBadParameter, "RoomId is missing")
	}
	r, ok := s.rooms[*req.RoomId]
	if !ok {
		return nil, fail(CodeNoRoom, "room %q does not exist", *req.RoomId)
	}
	r.lastCall = s.cfg.Now()
	return r, nil
}

func (s *Server) destroyRoom(c caller, body []byte) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(body)
	if err != nil {
		return nil, err
	}
	st := s.destroy(r, room.Destruction{Operator: c.identifier, Client: webhook.Meta{ClientIP: c.ip, OptPlatform: webhook.PlatformRESTAPI}})
	return struct{ Statistic webhook.Statistic }{st}, nil
}

// destroy removes a room and fires its webhook; the caller holds s.mu.
func (s *Server) destroy(r *liveRoom, d room.Destruction) webhook.Statistic {
	d.At = s.cfg.Now()
	delete(s.rooms, r.Info.RoomId)
	d.Statistic = s.gen.Statistic(d.At.Sub(r.Created), r.Info.MaxMemberCount)
	if msg, err := r.Destroy(d); err == nil {
		s.fire(msg)
	}
	return d.Statistic
}

// destroyIdle dissolves the rooms that saw no call for IdleTimeout.
func (s *Server) destroyIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	ids := make([]string, 0)
	for id, r := range s.rooms {
		if now.Sub(r.lastCall) >= s.cfg.IdleTimeout {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		r := s.rooms[id]
		s.destroy(r, room.Destruction{BySystem: true})
	}
}

func (s *Server) getRoomInfo(_ caller, body []byte) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(body)
	if err != nil {
		return nil, err
	}
	return map[string]any{"RoomInfo": r.Info}, nil
}

func (s *Server) getAdminList(_ caller, body []byte) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookup(body)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Admin_Account": append([]string{}, r.Admins...)}, nil
}

func (s *Server) modifyAdmin(c caller, body []byte) (any, *apiError) {
	var req struct {
		AdminAccount []string `json:"Admin_Account"`
		OpType       string   `json:"OpType"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.OpType != webhook.OpTypeAdd && req.OpType != webhook.OpTypeDelete {
		return nil, fail(CodeBadParameter, "OpType is %q, want add or delete", req.OpType)
	}
	if len(req.AdminAccount) == 0 {
		return nil, fail(CodeBadParameter, "Admin_Account is missing or empty")
	}
	for _, a := range req.AdminAccount {
		if err := room.ValidateUser("Admin_Account", a); err != nil {
			return nil, fail(CodeBadParameter, "%v", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, aerr := s.lookup(body)
	if aerr != nil {
		return nil, aerr
	}
	var msg webhook.Message
	var changed bool
	var err error
	if req.OpType == webhook.OpTypeAdd {
		msg, changed, err = r.AddAdmins(c.identifier, req.AdminAccount, s.cfg.Now())
	} else {
		msg, changed, err = r.RemoveAdmins(c.identifier, req.AdminAccount, s.cfg.Now(), false)
	}
	switch {
	case errors.Is(err, room.ErrTooManyAdmins):
		return nil, fail(CodeTooManyAdmins, "%v", err)
	case err != nil:
		return nil, fail(CodeBadParameter, "%v", err)
	case changed:
		s.fire(msg)
	}
	return nil, nil
}

func (s *Server) setCallback(_ caller, body []byte) (any, *apiError) {
	var req struct {
		URL      *string  `json:"Url"`
		Commands []string `json:"CallbackCommandList"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.URL == nil {
		return nil, fail(CodeBadParameter, "Url is missing")
	}
	if *req.URL != "" {
		u, err := url.Parse(*req.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fail(CodeBadParameter, "Url %q is not an http or https URL", *req.URL)
		}
	}
	cmds := make([]webhook.Command, 0, len(req.Commands))
	for _, c := range req.Commands {
		if !webhook.Command(c).Known() {
			return nil, fail(CodeBadParameter, "CallbackCommandList holds %q, not one of the room webhooks", c)
		}
		cmds = append(cmds, webhook.Command(c))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callback.url = *req.URL
	s.callback.commands = map[webhook.Command]bool{}
	for _, c := range cmds {
		s.callback.commands[c] = true
	}
	return nil, nil
}

func (s *Server) setCallbackToken(_ caller, body []byte) (any, *apiError) {
	var req struct {
		Token         string `json:"Token"`
		IsTokenEnable *bool  `json:"IsTokenEnable"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	enable := req.IsTokenEnable == nil || *req.IsTokenEnable
	if enable && (req.Token == "" || len(req.Token) > webhook.MaxTokenLength) {
		return nil, fail(CodeBadParameter, "Token must be 1 to %d characters", webhook.MaxTokenLength)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callback.token = ""
	if enable {
		s.callback.token = req.Token
	}
	return nil, nil
}

// fire queues the webhook for a change; the caller holds s.mu, which keeps a room's webhooks in
// the order of its changes.
func (s *Server) fire(msg webhook.Message) {
	ev, meta := msg.Event, msg.Meta
	cb := s.callback
	if cb.url == "" || !cb.commands[ev.Command()] {
		return
	}
	body, err := webhook.Encode(ev)
	if err != nil {
		s.logf("mockserver: encode %s: %v", ev.Command(), err)
		return
	}
	s.dispatch.enqueue(job{
		seq: s.log.fire(), cmd: ev.Command(), room: ev.Room(), meta: meta, body: body, fired: time.Now(),
		endpoint: webhook.Endpoint{URL: cb.url, SDKAppID: s.cfg.SDKAppID, Token: cb.token},
	})
}

func (s *Server) serveDeliveries(w http.ResponseWriter, r *http.Request) {
	st, d := s.Deliveries()
	writeJSON(w, map[string]any{"stats": st, "deliveries": d})
}

func (s *Server) serveRooms(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := make([]map[string]any, 0, len(s.rooms))
	for _, rm := range s.rooms {
		out = append(out, map[string]any{"RoomInfo": rm.Info, "Admin_Account": append([]string{}, rm.Admins...)})
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b map[string]any) int {
		return strings.Compare(a["RoomInfo"].(webhook.RoomInfo).RoomId, b["RoomInfo"].(webhook.RoomInfo).RoomId)
	})
	writeJSON(w, map[string]any{"rooms": out})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func setp[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
