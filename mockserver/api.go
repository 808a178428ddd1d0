package mockserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/livehook/livehook/usersig"
)

// Error codes of the Live backend's REST API: the common ones of the IM REST gateway (60000 to
// 79999) and the Live APIs' own (100000 and up).
const (
	CodeInternal        = 100001
	CodeBadParameter    = 100002
	CodeRoomExists      = 100003
	CodeNoRoom          = 100004
	CodeRoomExistsOwner = 100010
	CodeCreatedTwice    = 100012
	// CodeTooFrequent is 100012 as the gift pages name it: more calls than the API's rate (the
	// console's table: RATE_LIMITED).
	CodeTooFrequent   = CodeCreatedTwice
	CodeTooManyAdmins = 100020
	// The codes of the vendor console's error table (TUILiveKit_Manager) for the limits of
	// categories and room metadata.
	CodeTooManyCategories     = 100009
	CodeTooManyMetadataKeys   = 100500
	CodeMetadataValueTooLarge = 100501
	CodeMetadataTooLarge      = 100502
	CodeNoMetadataKeys        = 100503
	CodeMetadataKeyTooLarge   = 100504

	CodeCallbackExists   = 100300
	CodeNoCallback       = 100301
	CodeHTTPParse        = 60002
	CodeJSONParse        = 60003
	CodeBadSDKAppID      = 60006
	CodeRateLimited      = 60007
	CodeNoResource       = 60009
	CodeNotAdmin         = 60010
	CodeNoSDKAppID       = 60012
	CodeBadURLParams     = 60025
	CodeUserSigExpired   = 70001
	CodeUserSigEmpty     = 70002
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

// call is one REST call: who made it, from where, for which app.
type call struct {
	// ctx is the request's: a call that waits on the app (a "before" callback) ends with it.
	ctx        context.Context
	identifier string
	ip         string
	app        *app
}

// handler serves one API: it decodes body, changes or reads the app's state, and returns the
// answer's Response (nil for none).
type handler func(c call, body []byte) (any, *apiError)

// api is a REST API the mock serves.
type api struct {
	name string
	// rate is the vendor's documented limit of calls per second.
	rate int
	// rateCode is the code of a call beyond the rate: CodeRateLimited, the gateway's, unless the
	// API's page names another (the gift pages: CodeTooFrequent).
	rateCode int
	fn       handler
}

// APIs lists the REST APIs the mock backend serves, by path.
func APIs() []string {
	var out []string
	for p := range (&Server{}).apis() {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func (s *Server) apis() map[string]api {
	m := map[string]api{}
	add := func(prefix, name string, rate int, fn handler) {
		m[prefix+name] = api{name: name, rate: rate, rateCode: CodeRateLimited, fn: fn}
	}
	add(EnginePrefix, "create_room", 200, s.createRoom)
	add(EnginePrefix, "destroy_room", 200, s.destroyRoom)
	add(EnginePrefix, "get_room_info", 200, s.getRoomInfo)
	add(EnginePrefix, "update_room_info", 200, s.updateRoomInfo)
	add(EnginePrefix, "get_room_list", 10, s.getRoomList)
	add(EnginePrefix, "get_room_stats", 100, s.getRoomStats)
	// get_room_statistic is the name the vendor's console calls get_room_stats by.
	add(EnginePrefix, "get_room_statistic", 100, s.getRoomStats)
	add(EnginePrefix, "change_room_owner", 200, s.changeRoomOwner)
	add(EnginePrefix, "set_room_metadata", 200, s.setRoomMetadata)
	add(EnginePrefix, "get_room_metadata", 200, s.getRoomMetadata)
	add(EnginePrefix, "del_room_metadata", 200, s.delRoomMetadata)
	add(EnginePrefix, "modify_admin", 200, s.modifyAdmin)
	add(EnginePrefix, "get_admin_list", 200, s.getAdminList)
	add(ConfigPrefix, "set_callback", 200, s.setCallback)
	add(ConfigPrefix, "update_callback", 200, s.updateCallback)
	add(ConfigPrefix, "get_callback", 200, s.getCallback)
	add(ConfigPrefix, "set_callback_token", 200, s.setCallbackToken)
	// The gift catalogue's pages allow 1 call/s and name 100012 for a call beyond it.
	addGift := func(name string, fn handler) {
		m[EnginePrefix+name] = api{name: name, rate: 1, rateCode: CodeTooFrequent, fn: fn}
	}
	s.liveAPIs(add, addGift) // members, moderation, seats, messages, gifts (members.go, seats.go, gifts.go)
	return m
}

// Handler returns the mock backend's HTTP handler, for use without the server's listener. Paths
// are matched exactly, never cleaned or redirected. Every API-level outcome is HTTP 200 with the
// error in the body, as at the vendor.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case DeliveriesPath:
			s.serveDeliveries(w, r)
		case RoomsPath:
			s.serveRooms(w, r)
		default:
			s.serveAPI(w, r)
		}
	})
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	c, name, resp, aerr := s.handle(w, r)
	if s.cfg.Logf != nil {
		verdict := "OK"
		if aerr != nil {
			verdict = fmt.Sprintf("FAIL %d %s", aerr.code, aerr.info)
		}
		s.logf("REST %s by %q from %s: %s", name, c.identifier, c.ip, verdict)
	}
	writeEnvelope(w, reqID, resp, aerr)
}

// handle runs the gateway's checks in the vendor's order (resource, method and body, app, URL
// parameters, UserSig, administrator, rate) and then the API.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) (call, string, any, *apiError) {
	c := call{ctx: r.Context()}
	c.ip, _, _ = net.SplitHostPort(r.RemoteAddr)
	a, ok := s.api[r.URL.Path]
	if !ok {
		return c, strconv.Quote(r.URL.Path), nil, fail(CodeNoResource, "no API at %s: the REST API is %s", r.URL.Path, strings.Join(APIs(), ", "))
	}
	if r.Method != http.MethodPost {
		return c, a.name, nil, fail(CodeHTTPParse, "method %s is not allowed: the REST API takes POST", r.Method)
	}
	buf := bodies.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 { // a rare large body's buffer is not kept
			buf.Reset()
			bodies.Put(buf)
		}
	}()
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	body := buf.Bytes() // the APIs decode it and keep none of it
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return c, a.name, nil, fail(CodeHTTPParse, "body is over %d bytes", MaxBodyBytes)
		}
		return c, a.name, nil, fail(CodeHTTPParse, "reading the body: %v", err)
	}
	c, aerr := s.authenticate(r, c)
	if aerr == nil {
		aerr = s.limit(c.app, a)
	}
	if aerr != nil {
		return c, a.name, nil, aerr
	}
	if !json.Valid(body) {
		return c, a.name, nil, fail(CodeJSONParse, "body is not JSON")
	}
	resp, aerr := a.fn(c, body)
	return c, a.name, resp, aerr
}

func writeEnvelope(w http.ResponseWriter, reqID string, resp any, aerr *apiError) {
	var b []byte
	if aerr == nil {
		// The common answer, written out directly: it is on every call's path.
		b = make([]byte, 0, 128)
		b = append(b, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","RequestId":`...)
		b = strconv.AppendQuote(b, reqID)
		if resp != nil {
			r, err := json.Marshal(resp)
			_, top := resp.(topLevel)
			switch {
			case err != nil:
				aerr = fail(CodeInternal, "encoding the answer: %v", err)
			case top && len(r) > 2: // a Chat API's fields go beside ActionStatus
				b = append(append(b, ','), r[1:len(r)-1]...)
			case !top:
				b = append(append(b, `,"Response":`...), r...)
			}
		}
		b = append(b, '}')
	}
	if aerr != nil {
		b, _ = json.Marshal(Envelope{ActionStatus: "FAIL", ErrorCode: aerr.code, ErrorInfo: aerr.info, RequestId: reqID})
	}
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// topLevel marks an answer whose fields go at the top level of the body, beside ActionStatus,
// as the Chat (IM) APIs answer, rather than in Response as the Live APIs do.
type topLevel interface{ topLevel() }

// jsonContentType is shared by every answer and never modified.
var jsonContentType = []string{"application/json; charset=utf-8"}

// bodies are the buffers REST bodies are read into.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

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

// authenticate checks the query: sdkappid, identifier, usersig, random, contenttype. Parameter
// names and values are case-sensitive, as the vendor's RESTful API overview says.
func (s *Server) authenticate(r *http.Request, c call) (call, *apiError) {
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return c, fail(CodeHTTPParse, "the query does not parse: %v", err)
	}
	c.identifier = q.get("identifier")
	raw := q.get("sdkappid")
	if raw == "" {
		return c, fail(CodeNoSDKAppID, "query parameter sdkappid is missing: every call names its app, e.g. ?sdkappid=%d", s.cfg.SDKAppID)
	}
	appid, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		return c, fail(CodeBadSDKAppID, "query parameter sdkappid is %q, want an app's SDKAppID, e.g. %d", raw, s.cfg.SDKAppID)
	}
	if c.app = s.apps[appid]; c.app == nil {
		return c, fail(CodeBadSDKAppID, "sdkappid %d is not an app of this backend", appid)
	}
	if q.twice != "" {
		return c, fail(CodeBadURLParams, "query parameter %s is given twice: give it once", q.twice)
	}
	switch ct, rnd := q.get("contenttype"), q.get("random"); {
	case c.identifier == "":
		return c, fail(CodeBadURLParams, "query parameter identifier is missing: the app administrator the UserSig is for, e.g. %s", s.cfg.Admins[0])
	case ct != "json":
		return c, fail(CodeBadURLParams, "query parameter contenttype is %q, want json", ct)
	case rnd == "":
		return c, fail(CodeBadURLParams, "query parameter random is missing: a random 32-bit unsigned number")
	case !isUint32(rnd):
		return c, fail(CodeBadURLParams, "query parameter random is %q, want a 32-bit unsigned number", rnd)
	}
	if s.cfg.SkipUserSig {
		return c, nil
	}
	sig := q.get("usersig")
	if sig == "" {
		return c, fail(CodeUserSigEmpty, "query parameter usersig is missing or empty: sign the identifier with the app's secret key (TLSSigAPIv2)")
	}
	if err := s.verifySig(c.app, sig, c.identifier); err != nil {
		return c, fail(usersig.Code(err), "%v", err)
	}
	if !s.admins[c.identifier] {
		return c, fail(CodeNotAdmin, "identifier %q is not an app administrator (this backend's: %s)", c.identifier, strings.Join(s.cfg.Admins, ", "))
	}
	return c, nil
}

// gatewayParams are the query parameters the gateway reads.
var gatewayParams = [...]string{"sdkappid", "identifier", "usersig", "random", "contenttype"}

// query holds the gateway's parameters of a call, and the first one given twice.
type query struct {
	values [len(gatewayParams)]string
	twice  string
}

func (q *query) get(name string) string {
	for i, p := range gatewayParams {
		if p == name {
			return q.values[i]
		}
	}
	return ""
}

// parseQuery reads the gateway's parameters from a raw query as url.ParseQuery would, keeping
// only those five: it is on every call's path, and the others are ignored anyway.
func parseQuery(raw string) (query, error) {
	var q query
	var seen [len(gatewayParams)]bool
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if strings.Contains(pair, ";") {
			return q, fmt.Errorf("invalid semicolon separator in query")
		}
		k, v, _ := strings.Cut(pair, "=")
		if strings.ContainsAny(k, "%+") {
			var err error
			if k, err = url.QueryUnescape(k); err != nil {
				return q, err
			}
		}
		if strings.ContainsAny(v, "%+") {
			var err error
			if v, err = url.QueryUnescape(v); err != nil {
				return q, err
			}
		}
		for i, p := range gatewayParams {
			if p != k {
				continue
			}
			if seen[i] && q.twice == "" {
				q.twice = p
			}
			if !seen[i] {
				q.values[i], seen[i] = v, true
			}
		}
	}
	return q, nil
}

func isUint32(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// sigKey is a verified UserSig, with the app and identifier it was verified for.
type sigKey struct {
	app             uint64
	identifier, sig string
}

// maxVerifiedSigs bounds the cache of verified UserSigs.
const maxVerifiedSigs = 1024

// verifySig checks a UserSig. An app sends the same UserSig with call after call until it
// expires, so a verified one is remembered (with its app and identifier) until its expiry.
func (s *Server) verifySig(a *app, sig, identifier string) error {
	now := s.cfg.Now()
	key := sigKey{a.SDKAppID, identifier, sig}
	s.sigMu.Lock()
	exp, ok := s.verified[key]
	s.sigMu.Unlock()
	if ok && !usersig.Expired(exp, now) {
		return nil
	}
	expiry, err := usersig.VerifyExpiry(sig, a.SecretKey, a.SDKAppID, identifier, now)
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

// limit counts a call against its API's rate in its app.
func (s *Server) limit(a *app, api api) *apiError {
	limit := 0
	if s.cfg.VendorRateLimits {
		limit = api.rate
	}
	if s.cfg.RateLimit > 0 && (limit == 0 || s.cfg.RateLimit < limit) {
		limit = s.cfg.RateLimit
	}
	if limit == 0 {
		return nil
	}
	now := s.cfg.Now().Unix()
	a.mu.Lock()
	defer a.mu.Unlock()
	w := a.rate[api.name]
	if w == nil {
		w = &rateWindow{}
		a.rate[api.name] = w
	}
	if w.second != now {
		w.second, w.calls = now, 0
	}
	w.calls++
	if w.calls > limit {
		return fail(api.rateCode, "more than %d calls to %s in a second", limit, api.name)
	}
	return nil
}
