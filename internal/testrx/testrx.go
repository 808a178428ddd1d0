// Package testrx holds the test receivers that the contract's tests (package scenarios/runner)
// and the explorer's tests (package explore) both hold their tool to: Broken, receivers broken
// the way production receivers break, one class of defect each, which the contract must fail in
// that class's scenarios and the explorer must find; and UnusualButCorrect, middlewares that
// keep a correct receiver correct in unusual ways, which neither may fail. Both suites run the
// same receivers, so a receiver added here is held to both; the helpers they are made of
// (Refusing, Checking, Locking, Serialized, RoomIDOf, ...) are here for the suites' own
// receivers too.
//
// Every receiver here wraps a correct one, the reference receiver (package receiver), made by a
// factory the test passes, with the SDKAppID webhook.DefaultSDKAppID.
package testrx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

// AppID is the SDKAppID of the receivers here: the one Reference gives a receiver by default.
const AppID = webhook.DefaultSDKAppID

// Reference returns the reference receiver with cfg, its SDKAppID AppID when cfg names none.
func Reference(t testing.TB, cfg receiver.Config) *receiver.Receiver {
	t.Helper()
	if cfg.SDKAppID == 0 {
		cfg.SDKAppID = AppID
	}
	rv, err := receiver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rv
}

// Start serves h on 127.0.0.1 until the test ends and returns its webhook URL.
func Start(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/webhook"
}

// RoomIDOf is the room a webhook's body is about (its RoomId, at the top or in RoomInfo, as
// webhook.Event.Room says), or "" when the body does not decode.
func RoomIDOf(body []byte) string {
	ev, err := webhook.Decode(body)
	if err != nil {
		return ""
	}
	return ev.Room()
}

// ConsumeBody reads the request's body into memory. net/http watches for the client going away
// only once a handler has read the body, so a stalling test receiver reads it first.
func ConsumeBody(r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
}

// Refusing refuses a webhook when refuse says why, as an app's database or router would, with
// HTTP 500 and FAIL, and passes the rest to next.
func Refusing(next http.Handler, refuse func(r *http.Request, body []byte) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if why := refuse(r, body); why != "" {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":`+strconv.Quote(why)+`,"ErrorCode":1}`)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// Checking puts the app's own check of the query, ok, in front of next, a reference receiver
// without a token (which checks no Sign), and refuses with HTTP 401 what ok does not take. A
// webhook for another app goes to next unchecked, which refuses it, as the reference receiver
// checks the SdkAppid before the Sign.
func Checking(next http.Handler, ok func(q url.Values) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get(webhook.ParamSdkAppid) != "" && q.Get(webhook.ParamSdkAppid) != strconv.Itoa(AppID) {
			next.ServeHTTP(w, r)
			return
		}
		if !ok(q) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"bad Sign","ErrorCode":401}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Fresh reports whether the query's RequestTime is within webhook.SignWindow of the clock.
func Fresh(q url.Values) bool {
	t, err := strconv.ParseInt(q.Get(webhook.ParamRequestTime), 10, 64)
	return err == nil && time.Since(time.Unix(t, 0)).Abs() <= webhook.SignWindow
}

// Locking locks a room while a webhook of it is handled by next; a second webhook of the same
// room meanwhile is answered by busy.
func Locking(next http.Handler, busy func(w http.ResponseWriter)) http.Handler {
	var mu sync.Mutex
	held := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id := RoomIDOf(body)
		mu.Lock()
		taken := held[id]
		held[id] = true
		mu.Unlock()
		if taken {
			busy(w)
			return
		}
		defer func() { mu.Lock(); delete(held, id); mu.Unlock() }()
		// The work that holds the lock: long enough for a second delivery sent at once to arrive
		// while it is held, on a machine loaded enough to delay it by tens of milliseconds.
		tm := time.NewTimer(100 * time.Millisecond)
		<-tm.C
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// Middleware wraps a receiver.
type Middleware func(next http.Handler) http.Handler

// Serialized handles one request at a time, each taking work; a request waiting for its turn
// gives up when its sender does.
func Serialized(work time.Duration) Middleware {
	return func(next http.Handler) http.Handler {
		turn := make(chan struct{}, 1)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ConsumeBody(r) // so that the server notices when the sender gives up
			select {
			case turn <- struct{}{}:
			case <-r.Context().Done():
				return
			}
			defer func() { <-turn }()
			tm := time.NewTimer(work)
			defer tm.Stop()
			select {
			case <-tm.C:
			case <-r.Context().Done():
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// rewrite answers with what change makes of the receiver's answer.
func rewrite(change func(status int, body []byte) (int, []byte)) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			status, body := change(rec.Code, rec.Body.Bytes())
			w.WriteHeader(status)
			_, _ = w.Write(body)
		})
	}
}

// Correct is a receiver correct in an unusual way.
type Correct struct {
	Name string
	// Wrap makes it of a correct receiver.
	Wrap Middleware
}

// UnusualButCorrect are receivers correct in unusual ways, as the delivery tests of package
// scenarios have them: neither the contract nor the explorer may fail one, with a token or
// without.
var UnusualButCorrect = []Correct{
	{"the reference receiver itself", func(next http.Handler) http.Handler { return next }},
	{"queued, one webhook at a time", Serialized(time.Millisecond)},
	{"slow but in time", func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tm := time.NewTimer(30 * time.Millisecond)
			defer tm.Stop()
			<-tm.C
			next.ServeHTTP(w, r)
		})
	}},
	{"closing every connection", func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			next.ServeHTTP(w, r)
		})
	}},
	{"answering in HTTP/1.0", func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				// Said in the answer, which the test's run then fails with.
				http.Error(w, "testrx: cannot answer in HTTP/1.0: "+err.Error(), http.StatusInternalServerError)
				return
			}
			defer conn.Close()
			fmt.Fprintf(buf, "HTTP/1.0 %d %s\r\nContent-Type: application/json\r\n\r\n%s", rec.Code, http.StatusText(rec.Code), rec.Body.Bytes())
			_ = buf.Flush()
		})
	}},
	{"answering in chunks", func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			b := rec.Body.Bytes()
			w.WriteHeader(rec.Code)
			_, _ = w.Write(b[:len(b)/2])
			_ = http.NewResponseController(w).Flush()
			_, _ = w.Write(b[len(b)/2:])
		})
	}},
	{"adding fields to its acknowledgement", rewrite(func(status int, b []byte) (int, []byte) {
		if status == http.StatusOK && bytes.Equal(b, webhook.Acknowledgement) {
			b = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"req-7","Handled":true}`)
		}
		return status, b
	})},
	{"pretty-printing its answers", rewrite(func(status int, b []byte) (int, []byte) {
		var out bytes.Buffer
		if json.Indent(&out, b, "", "  ") != nil {
			return status, b
		}
		return status, append(out.Bytes(), '\n')
	})},
	{"refusing with 403 whatever the cause", rewrite(func(status int, b []byte) (int, []byte) {
		if status != http.StatusOK {
			status = http.StatusForbidden
		}
		return status, b
	})},
}

// The classes of defect the contract once missed.
const (
	// ClassLimits: values at the protocol's limits (a RoomId of 48 bytes, 5 admins, ...).
	ClassLimits = "limits"
	// ClassIdentity: a room's identity over time, and RoomIds, which are case-sensitive.
	ClassIdentity = "identity"
	// ClassOverlap: deliveries of one room in flight together.
	ClassOverlap = "overlap"
	// ClassNearMiss: authentication that is nearly right.
	ClassNearMiss = "near-miss"
)

// Broken is a receiver broken in one class of defect.
type Broken struct {
	Class, Name string
	// Token: its defect is in its check of the Sign, so it shows only with a callback token.
	Token bool
	// New makes a fresh one, with no memory of earlier webhooks, of the correct receivers
	// reference makes (with the callback token it is given, none when ""), for the callback
	// token token.
	New func(reference func(token string) http.Handler, token string) http.Handler
}

// refusing is Refusing the reference receiver for token, whenever refuse, made afresh, says why.
func refusing(refuse func() func(r *http.Request, body []byte) string) func(func(string) http.Handler, string) http.Handler {
	return func(reference func(string) http.Handler, token string) http.Handler {
		return Refusing(reference(token), refuse())
	}
}

// locking is Locking the reference receiver for token.
func locking(busy func(w http.ResponseWriter)) func(func(string) http.Handler, string) http.Handler {
	return func(reference func(string) http.Handler, token string) http.Handler {
		return Locking(reference(token), busy)
	}
}

// checking is Checking the reference receiver without a token, with ok for token.
func checking(ok func(q url.Values, token string) bool) func(func(string) http.Handler, string) http.Handler {
	return func(reference func(string) http.Handler, token string) http.Handler {
		return Checking(reference(""), func(q url.Values) bool { return ok(q, token) })
	}
}

// signOf is the Sign due for the query's RequestTime, "" when it has none.
func signOf(q url.Values, token string) string {
	t, err := strconv.ParseInt(q.Get(webhook.ParamRequestTime), 10, 64)
	if err != nil {
		return ""
	}
	return webhook.Sign(token, t)
}

var (
	plainRoomID = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)
	hex64       = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

// BrokenReceivers are receivers broken in each class of defect the contract once missed, two
// or more per class, the way production receivers break.
var BrokenReceivers = []Broken{
	{ClassLimits, "a RoomId column of 32 bytes", false, refusing(func() func(*http.Request, []byte) string {
		return func(_ *http.Request, body []byte) string {
			if len(RoomIDOf(body)) > 32 {
				return "Data too long for column 'room_id'"
			}
			return ""
		}
	})},
	{ClassLimits, "a router that takes only [A-Za-z0-9_-] in a RoomId", false, refusing(func() func(*http.Request, []byte) string {
		return func(_ *http.Request, body []byte) string {
			if !plainRoomID.MatchString(RoomIDOf(body)) {
				return "no route"
			}
			return ""
		}
	})},
	{ClassLimits, "a MySQL utf8 (three-byte) column for the RoomName", false, refusing(func() func(*http.Request, []byte) string {
		return func(_ *http.Request, body []byte) string {
			ev, err := webhook.Decode(body)
			c, ok := ev.(*webhook.CreateRoom)
			if err != nil || !ok {
				return ""
			}
			for _, r := range c.RoomInfo.RoomName {
				if utf8.RuneLen(r) == 4 {
					return "Incorrect string value for column 'room_name'"
				}
			}
			return ""
		}
	})},
	{ClassLimits, "room for three admins", false, refusing(func() func(*http.Request, []byte) string {
		var mu sync.Mutex
		admins := map[string]map[string]bool{} // an idempotent set per room, with three places
		return func(_ *http.Request, body []byte) string {
			ev, err := webhook.Decode(body)
			if err != nil {
				return ""
			}
			mu.Lock()
			defer mu.Unlock()
			if d, ok := ev.(*webhook.DestroyRoom); ok {
				delete(admins, d.Room())
			}
			m, ok := ev.(*webhook.ModifyAdmin)
			if !ok {
				return ""
			}
			set := admins[m.RoomId]
			if set == nil {
				set = map[string]bool{}
				admins[m.RoomId] = set
			}
			for _, a := range m.AdminAccount {
				if m.OpType == webhook.OpTypeAdd {
					set[a] = true
				} else {
					delete(set, a)
				}
			}
			if len(set) > 3 {
				for _, a := range m.AdminAccount {
					delete(set, a)
				}
				return "admins table full"
			}
			return ""
		}
	})},
	{ClassLimits, "an OptPlatform ENUM column written before the desktop clients", false, refusing(func() func(*http.Request, []byte) string {
		enum := []string{"RESTAPI", "Web", "Android", "iOS", "Unknown"} // no Windows, Mac or iPad
		return func(r *http.Request, _ []byte) string {
			if p := r.URL.Query().Get(webhook.ParamOptPlatform); p != "" && !slices.Contains(enum, p) {
				return "Data truncated for column 'opt_platform'"
			}
			return ""
		}
	})},
	{ClassIdentity, "a tombstone that refuses a RoomId created again", false, refusing(func() func(*http.Request, []byte) string {
		var mu sync.Mutex
		destroyed := map[string]bool{}
		return func(r *http.Request, body []byte) string {
			mu.Lock()
			defer mu.Unlock()
			id := RoomIDOf(body)
			switch webhook.Command(r.URL.Query().Get(webhook.ParamCallbackCommand)) {
			case webhook.CommandDestroyRoom:
				destroyed[id] = true
			case webhook.CommandCreateRoom:
				if destroyed[id] {
					return "room " + id + " was destroyed"
				}
			}
			return ""
		}
	})},
	{ClassIdentity, "a unique key on the RoomId that a destroy never frees", false, refusing(func() func(*http.Request, []byte) string {
		var mu sync.Mutex
		rooms := map[string]string{} // RoomId → the body that created it
		return func(r *http.Request, body []byte) string {
			if webhook.Command(r.URL.Query().Get(webhook.ParamCallbackCommand)) != webhook.CommandCreateRoom {
				return ""
			}
			mu.Lock()
			defer mu.Unlock()
			id := RoomIDOf(body)
			if first, ok := rooms[id]; ok && first != string(body) {
				return "Duplicate entry '" + id + "' for key 'room_id'" // a redelivery of the same creation is an upsert
			}
			rooms[id] = string(body)
			return ""
		}
	})},
	// RoomIds are case-sensitive: receivers that fold case in a RoomId, as a column in a
	// case-insensitive collation or a map keyed by strings.ToLower does, mistake one room for
	// another.
	{ClassIdentity, "a unique key on the RoomId in a case-insensitive collation", false, refusing(func() func(*http.Request, []byte) string {
		var mu sync.Mutex
		live := map[string]string{} // strings.ToLower(RoomId) → the RoomId of the live row
		return func(r *http.Request, body []byte) string {
			mu.Lock()
			defer mu.Unlock()
			id := RoomIDOf(body)
			key := strings.ToLower(id)
			switch webhook.Command(r.URL.Query().Get(webhook.ParamCallbackCommand)) {
			case webhook.CommandCreateRoom:
				if held, ok := live[key]; ok && held != id {
					return "Duplicate entry '" + id + "' for key 'rooms.room_id'" // a redelivery is an upsert
				}
				live[key] = id
			case webhook.CommandDestroyRoom:
				delete(live, key) // WHERE room_id = ? matches the other case's row too
			}
			return ""
		}
	})},
	{ClassIdentity, "rooms keyed by strings.ToLower, so one room's changes land on the other", false, refusing(func() func(*http.Request, []byte) string {
		var mu sync.Mutex
		rows := map[string]string{} // strings.ToLower(RoomId) → the RoomId of the row
		return func(r *http.Request, body []byte) string {
			mu.Lock()
			defer mu.Unlock()
			id := RoomIDOf(body)
			key := strings.ToLower(id)
			switch cmd := webhook.Command(r.URL.Query().Get(webhook.ParamCallbackCommand)); cmd {
			case webhook.CommandCreateRoom:
				rows[key] = id // an upsert: the other case's row is taken over
			case webhook.CommandModifyAdmin, webhook.CommandDestroyRoom:
				if row, ok := rows[key]; ok && row != id {
					return "room " + id + ": the row found is room " + row
				}
				if cmd == webhook.CommandDestroyRoom {
					delete(rows, key)
				}
			}
			return ""
		}
	})},
	// Both lock a room while a webhook of it is handled; a second webhook of the same room
	// meanwhile is a conflict.
	{ClassOverlap, "a room lock that answers 409 while held", false, locking(func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusConflict)
		_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"room is being updated","ErrorCode":409}`)
	})},
	{ClassOverlap, "an in-progress marker that takes the second delivery for a failure", false, locking(func(w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"event in progress","ErrorCode":1}`)
	})},
	{ClassNearMiss, "a Sign compared by its first 16 digits", true, checking(func(q url.Values, token string) bool {
		got, want := q.Get(webhook.ParamSign), signOf(q, token)
		return Fresh(q) && len(got) >= 16 && want != "" && got[:16] == want[:16]
	})},
	{ClassNearMiss, "a Sign checked for its shape, or as upper case", true, checking(func(q url.Values, token string) bool {
		got := q.Get(webhook.ParamSign)
		return Fresh(q) && hex64.MatchString(got) && (got == signOf(q, token) || strings.ToUpper(got) == got)
	})},
	{ClassNearMiss, "an SdkAppid checked only when there is one", false, func(reference func(string) http.Handler, token string) http.Handler {
		rv := reference(token)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if !q.Has(webhook.ParamSdkAppid) && !q.Has(webhook.ParamSdkAppIdNew) {
				q.Set(webhook.ParamSdkAppid, strconv.Itoa(AppID)) // "no app named: must be ours"
				r.URL.RawQuery = q.Encode()
			}
			rv.ServeHTTP(w, r)
		})
	}},
}
