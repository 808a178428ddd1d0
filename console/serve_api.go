package console

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/usersig"
)

// DefaultMaxRooms is how many rooms of each app the serve console shows, the first in
// get_room_list's order.
const DefaultMaxRooms = 200

// callUserSigLife is how long a UserSig the console makes for its calls is valid.
const callUserSigLife = 5 * time.Minute

// mockState is what the serve page reads every second: the mock's state and what the page
// needs to call the REST API.
type mockState struct {
	mockserver.Inspection
	MaxRooms int `json:"max_rooms"`
	// Admin is the identifier the console's calls are made as; SkipUserSig that the mock
	// checks no UserSig (so that a curl line needs none).
	Admin       string   `json:"admin"`
	SkipUserSig bool     `json:"skip_usersig"`
	APIs        []string `json:"apis"`
}

// callableAPIs are the REST APIs the console's form may call: the room APIs under
// EnginePrefix. The callback configuration is shown, not changed, from the console.
func callableAPIs() []string {
	var out []string
	for _, p := range mockserver.APIs() {
		if name, ok := strings.CutPrefix(p, mockserver.EnginePrefix); ok {
			out = append(out, name)
		}
	}
	return out
}

func (c *Mock) serveState(w http.ResponseWriter, r *http.Request) {
	cfg := c.m.Config()
	writeJSON(w, http.StatusOK, mockState{Inspection: c.m.Inspect(c.maxRooms()), MaxRooms: c.maxRooms(),
		Admin: cfg.Admins[0], SkipUserSig: cfg.SkipUserSig, APIs: c.apis})
}

func (c *Mock) maxRooms() int {
	if c.opt.MaxRooms > 0 {
		return c.opt.MaxRooms
	}
	return DefaultMaxRooms
}

// callResult is what the page shows of a call: the request as it went (the UserSig left out:
// it is a credential) and the envelope the mock answered.
type callResult struct {
	Method   string `json:"method"`
	URL      string `json:"url"`
	Body     string `json:"body"`
	Status   int    `json:"status"`
	Envelope string `json:"envelope"`
	TookNS   int64  `json:"took_ns"`
}

// serveCall calls one of the mock's room APIs as its first administrator, with a UserSig the
// console makes, through the mock's own handler: the same path, checks and
// answer as a call from outside. It is a POST carrying the console's header (isConsole), so a
// GET never changes anything.
func (c *Mock) serveCall(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SDKAppID uint64 `json:"sdkappid"`
		API      string `json:"api"`
		Body     string `json:"body"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	cfg := c.m.Config()
	if !slices.Contains(c.apis, req.API) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("api %q is not one the console calls: it calls %s", req.API, strings.Join(c.apis, ", "))})
		return
	}
	if req.SDKAppID == 0 {
		req.SDKAppID = cfg.SDKAppID
	}
	key := ""
	if req.SDKAppID == cfg.SDKAppID {
		key = cfg.SecretKey
	}
	for _, a := range cfg.Apps {
		if a.SDKAppID == req.SDKAppID {
			key = a.SecretKey
		}
	}
	if key == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("sdkappid %d is not an app of this mock", req.SDKAppID)})
		return
	}
	admin := cfg.Admins[0]
	sig, err := c.userSig(key, req.SDKAppID, admin)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": fmt.Sprintf("making a UserSig: %v", err)})
		return
	}
	random := strconv.FormatUint(uint64(rand.Uint32()), 10)
	q := func(sig string) string {
		return "sdkappid=" + strconv.FormatUint(req.SDKAppID, 10) + "&identifier=" + url.QueryEscape(admin) +
			"&usersig=" + sig + "&random=" + random + "&contenttype=json"
	}
	path := mockserver.EnginePrefix + req.API
	call, err := http.NewRequestWithContext(r.Context(), http.MethodPost, path+"?"+q(url.QueryEscape(sig)), strings.NewReader(req.Body))
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	call.Host, call.RemoteAddr = r.Host, r.RemoteAddr
	call.Header.Set("Content-Type", "application/json")
	rec := &captured{header: http.Header{}}
	start := time.Now()
	c.next.ServeHTTP(rec, call)
	shown := "USERSIG"
	if cfg.SkipUserSig {
		shown = "(not checked)"
	}
	writeJSON(w, http.StatusOK, callResult{Method: http.MethodPost, URL: path + "?" + q(shown), Body: req.Body,
		Status: rec.status(), Envelope: rec.body.String(), TookNS: int64(time.Since(start))})
}

// userSig is a UserSig for admin of the app, made afresh once the last one is half-way to its
// expiry: as an app does, the console sends the same one call after call, so that the mock's
// cache of verified UserSigs is not filled with one per call.
func (c *Mock) userSig(key string, appID uint64, admin string) (string, error) {
	c.sigMu.Lock()
	defer c.sigMu.Unlock()
	now := time.Now()
	if s, ok := c.sigs[appID]; ok && now.Sub(s.made) < callUserSigLife/2 {
		return s.sig, nil
	}
	sig, err := usersig.Gen(key, appID, admin, callUserSigLife, now)
	if err != nil {
		return "", err
	}
	if c.sigs == nil {
		c.sigs = map[uint64]madeSig{}
	}
	c.sigs[appID] = madeSig{sig, now}
	return sig, nil
}

type madeSig struct {
	sig  string
	made time.Time
}

// captured keeps a handler's answer, within the bound of a REST answer the page shows.
type captured struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

// maxCallAnswer bounds the answer the page is shown; the mock's answers are far smaller.
const maxCallAnswer = 1 << 20

func (c *captured) Header() http.Header { return c.header }

func (c *captured) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
}

func (c *captured) Write(b []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	if room := maxCallAnswer - c.body.Len(); room < len(b) {
		c.body.Write(b[:max(room, 0)])
		return len(b), nil
	}
	return c.body.Write(b)
}

func (c *captured) status() int {
	if c.code == 0 {
		return http.StatusOK
	}
	return c.code
}
