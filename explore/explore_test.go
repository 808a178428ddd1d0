package explore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/explore"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/scenarios/runner"
	"github.com/livehook/livehook/webhook"
)

const (
	appID = 1400000001
	token = "explore-test-token"
	// testTimeout is a deadline well past any answer on a busy machine under -race; the
	// receivers here are wrong in what they answer, not in when.
	testTimeout = 10 * time.Second
)

func reference(t *testing.T, tok string) http.Handler {
	t.Helper()
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	return rv
}

func start(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/webhook"
}

// exploreAt explores target with a budget of requests, or LIVEHOOK_EXPLORE_BUDGET's when set
// (bench/explore.sh runs these tests with 5000, the figure).
func exploreAt(target, tok string, seed int64, budget int) (*explore.Result, error) {
	if n, err := strconv.Atoi(os.Getenv("LIVEHOOK_EXPLORE_BUDGET")); err == nil && n > 0 {
		budget = n
	}
	return explore.Explore(context.Background(), explore.Config{
		Endpoint: webhook.Endpoint{URL: target, SDKAppID: appID, Token: tok},
		Seed:     seed, Budget: budget, Timeout: testTimeout, MaxFindings: 1, ShrinkRuns: 200,
	})
}

// exploreAll runs n explorations at once and returns their results: they spend their time
// waiting on the receivers (and on the second a RoomId waits before it is created again), so
// they go together rather than two at a time as parallel subtests would on two cores.
func exploreAll(t *testing.T, n int, one func(i int) (*explore.Result, error)) []*explore.Result {
	t.Helper()
	out := make([]*explore.Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = one(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// runReproducer runs a finding's reproducer through runner.Run, as `livehook run FILE` does.
func runReproducer(t *testing.T, res *explore.Result, target, tok string) *report.Report {
	t.Helper()
	var b bytes.Buffer
	if err := res.WriteFile(&b); err != nil {
		t.Fatal(err)
	}
	f, err := scenarios.Parse("reproducer.yaml", &b)
	if err != nil {
		t.Fatalf("the reproducer does not parse: %v\n%s", err, b.String())
	}
	rep, err := runner.Run(context.Background(), []*scenarios.File{f}, runner.Config{
		Endpoint: webhook.Endpoint{URL: target, SDKAppID: appID, Token: tok}, Seed: 99, Timeout: testTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func roomIDOf(body []byte) string {
	ev, err := webhook.Decode(body)
	if err != nil {
		return ""
	}
	return ev.Room()
}

// refusing refuses a webhook when refuse says why, as an app's database or router would, and
// passes the rest to the reference receiver.
func refusing(refuse func(r *http.Request, body []byte) string) func(t *testing.T, tok string) http.Handler {
	return func(t *testing.T, tok string) http.Handler {
		rv := reference(t, tok)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if why := refuse(r, body); why != "" {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":`+strconv.Quote(why)+`,"ErrorCode":1}`)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			rv.ServeHTTP(w, r)
		})
	}
}

func sign(tok, t string) string { s := sha256.Sum256([]byte(tok + t)); return hex.EncodeToString(s[:]) }

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// checking wraps the reference receiver without a token, which checks no Sign, with the
// app's own check of the query.
func checking(ok func(q map[string][]string) bool) func(t *testing.T, tok string) http.Handler {
	return func(t *testing.T, _ string) http.Handler {
		rv := reference(t, "")
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if q.Get("SdkAppid") != "" && q.Get("SdkAppid") != strconv.Itoa(appID) {
				rv.ServeHTTP(w, r)
				return
			}
			if !ok(q) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"bad Sign","ErrorCode":401}`)
				return
			}
			rv.ServeHTTP(w, r)
		})
	}
}

func fresh(q map[string][]string) bool {
	t, err := strconv.ParseInt(first(q["RequestTime"]), 10, 64)
	return err == nil && time.Since(time.Unix(t, 0)).Abs() <= 60*time.Second
}

// brokenReceivers are receivers broken in each class of defect the contract once missed, two
// or more per class, the way production receivers break.
var brokenReceivers = []struct {
	class, name string
	token       bool
	make        func(t *testing.T, tok string) http.Handler
}{
	{"limits", "a RoomId column of 32 bytes", false, refusing(func(_ *http.Request, body []byte) string {
		if len(roomIDOf(body)) > 32 {
			return "Data too long for column 'room_id'"
		}
		return ""
	})},
	{"limits", "a router that takes only [A-Za-z0-9_-] in a RoomId", false, func() func(*testing.T, string) http.Handler {
		plain := regexp.MustCompile(`^[A-Za-z0-9_-]*$`)
		return refusing(func(_ *http.Request, body []byte) string {
			if !plain.MatchString(roomIDOf(body)) {
				return "no route"
			}
			return ""
		})
	}()},
	{"limits", "a MySQL utf8 (three-byte) column for the RoomName", false, refusing(func(_ *http.Request, body []byte) string {
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
	})},
	{"limits", "room for three admins", false, func(t *testing.T, tok string) http.Handler {
		var mu sync.Mutex
		admins := map[string]map[string]bool{}
		return refusing(func(_ *http.Request, body []byte) string {
			ev, err := webhook.Decode(body)
			m, ok := ev.(*webhook.ModifyAdmin)
			if err != nil || !ok {
				return ""
			}
			mu.Lock()
			defer mu.Unlock()
			set := admins[m.RoomId]
			if set == nil {
				set = map[string]bool{}
				admins[m.RoomId] = set
			}
			for _, a := range m.AdminAccount {
				if m.OpType == "add" {
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
		})(t, tok)
	}},
	{"identity", "a tombstone that refuses a RoomId created again", false, func(t *testing.T, tok string) http.Handler {
		var mu sync.Mutex
		destroyed := map[string]bool{}
		return refusing(func(r *http.Request, body []byte) string {
			mu.Lock()
			defer mu.Unlock()
			id := roomIDOf(body)
			switch webhook.Command(r.URL.Query().Get("CallbackCommand")) {
			case webhook.CommandDestroyRoom:
				destroyed[id] = true
			case webhook.CommandCreateRoom:
				if destroyed[id] {
					return "room " + id + " was destroyed"
				}
			}
			return ""
		})(t, tok)
	}},
	{"identity", "a unique key on the RoomId that a destroy never frees", false, func(t *testing.T, tok string) http.Handler {
		var mu sync.Mutex
		rooms := map[string]string{}
		return refusing(func(r *http.Request, body []byte) string {
			if webhook.Command(r.URL.Query().Get("CallbackCommand")) != webhook.CommandCreateRoom {
				return ""
			}
			mu.Lock()
			defer mu.Unlock()
			id := roomIDOf(body)
			if first, ok := rooms[id]; ok && first != string(body) {
				return "Duplicate entry '" + id + "' for key 'room_id'"
			}
			rooms[id] = string(body)
			return ""
		})(t, tok)
	}},
	{"identity", "a unique key on the RoomId in a case-insensitive collation", false, func(t *testing.T, tok string) http.Handler {
		var mu sync.Mutex
		live := map[string]string{} // strings.ToLower(RoomId) → the RoomId of the live row
		return refusing(func(r *http.Request, body []byte) string {
			mu.Lock()
			defer mu.Unlock()
			id := roomIDOf(body)
			key := strings.ToLower(id)
			switch webhook.Command(r.URL.Query().Get("CallbackCommand")) {
			case webhook.CommandCreateRoom:
				if held, ok := live[key]; ok && held != id {
					return "Duplicate entry '" + id + "' for key 'rooms.room_id'"
				}
				live[key] = id
			case webhook.CommandDestroyRoom:
				delete(live, key)
			}
			return ""
		})(t, tok)
	}},
	{"identity", "rooms keyed by strings.ToLower, so one room's changes land on the other", false, func(t *testing.T, tok string) http.Handler {
		var mu sync.Mutex
		rows := map[string]string{} // strings.ToLower(RoomId) → the RoomId of the row
		return refusing(func(r *http.Request, body []byte) string {
			mu.Lock()
			defer mu.Unlock()
			id := roomIDOf(body)
			key := strings.ToLower(id)
			switch cmd := webhook.Command(r.URL.Query().Get("CallbackCommand")); cmd {
			case webhook.CommandCreateRoom:
				rows[key] = id
			case webhook.CommandModifyAdmin, webhook.CommandDestroyRoom:
				if row, ok := rows[key]; ok && row != id {
					return "room " + id + ": the row found is room " + row
				}
				if cmd == webhook.CommandDestroyRoom {
					delete(rows, key)
				}
			}
			return ""
		})(t, tok)
	}},
	{"overlap", "a room lock that answers 409 while held", false, locking(func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusConflict)
		_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"room is being updated","ErrorCode":409}`)
	})},
	{"overlap", "an in-progress marker that takes the second delivery for a failure", false, locking(func(w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"event in progress","ErrorCode":1}`)
	})},
	{"near-miss", "a Sign compared by its first 16 digits", true, checking(func(q map[string][]string) bool {
		got := first(q["Sign"])
		return fresh(q) && len(got) >= 16 && got[:16] == sign(token, first(q["RequestTime"]))[:16]
	})},
	{"near-miss", "a Sign checked for its shape, or as upper case", true, func() func(*testing.T, string) http.Handler {
		hex64 := regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
		return checking(func(q map[string][]string) bool {
			got := first(q["Sign"])
			return fresh(q) && hex64.MatchString(got) && (got == sign(token, first(q["RequestTime"])) || strings.ToUpper(got) == got)
		})
	}()},
	{"near-miss", "an SdkAppid checked only when there is one", false, func(t *testing.T, tok string) http.Handler {
		rv := reference(t, tok)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if !q.Has("SdkAppid") && !q.Has("SdkAppId") {
				q.Set("SdkAppid", strconv.Itoa(appID)) // "no app named: must be ours"
				r.URL.RawQuery = q.Encode()
			}
			rv.ServeHTTP(w, r)
		})
	}},
}

// reproducerShows holds, for some broken receivers, what their reproducer must show.
var reproducerShows = map[string]func(reproducer string) bool{
	"a unique key on the RoomId in a case-insensitive collation":              twoRoomIDsDifferingInCase,
	"rooms keyed by strings.ToLower, so one room's changes land on the other": twoRoomIDsDifferingInCase,
}

// twoRoomIDsDifferingInCase reports whether a reproducer creates two rooms whose RoomIds differ
// only in case.
func twoRoomIDsDifferingInCase(reproducer string) bool {
	var ids []string
	for _, m := range regexp.MustCompile(`(?m)RoomId: (.+)$`).FindAllStringSubmatch(reproducer, -1) {
		ids = append(ids, strings.Trim(m[1], `"'`))
	}
	for i, a := range ids {
		for _, b := range ids[i+1:] {
			if a != b && strings.EqualFold(a, b) {
				return true
			}
		}
	}
	return false
}

// locking locks a room while a webhook of it is handled; a second webhook of the same room
// meanwhile is answered by busy.
func locking(busy func(w http.ResponseWriter)) func(t *testing.T, tok string) http.Handler {
	return func(t *testing.T, tok string) http.Handler {
		rv := reference(t, tok)
		var mu sync.Mutex
		held := map[string]bool{}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			id := roomIDOf(body)
			mu.Lock()
			taken := held[id]
			held[id] = true
			mu.Unlock()
			if taken {
				busy(w)
				return
			}
			defer func() { mu.Lock(); delete(held, id); mu.Unlock() }()
			// The work that holds the lock: long enough for a second delivery to arrive.
			tm := time.NewTimer(20 * time.Millisecond)
			<-tm.C
			r.Body = io.NopCloser(bytes.NewReader(body))
			rv.ServeHTTP(w, r)
		})
	}
}

// Each broken receiver is found within a small budget, with a reproducer of at most 6 steps
// that fails a fresh instance of it and passes the reference receiver.
func TestExploreFindsBrokenReceivers(t *testing.T) {
	tokenOf := func(i int) string {
		if brokenReceivers[i].token {
			return token
		}
		return ""
	}
	targets := make([]string, len(brokenReceivers))
	for i, tc := range brokenReceivers {
		targets[i] = start(t, tc.make(t, tokenOf(i)))
	}
	results := exploreAll(t, len(brokenReceivers), func(i int) (*explore.Result, error) {
		return exploreAt(targets[i], tokenOf(i), 1, 600)
	})
	for i, tc := range brokenReceivers {
		t.Run(tc.class+": "+tc.name, func(t *testing.T) {
			g := NewWithT(t)
			tok, res := tokenOf(i), results[i]
			var out strings.Builder
			g.Expect(res.WriteText(&out, "")).To(Succeed())
			g.Expect(res.Findings).To(HaveLen(1), "found within the budget:\n%s", out.String())
			f := res.Findings[0]
			g.Expect(f.Steps).To(BeNumerically("<=", 6), "shrunk:\n%s", out.String())
			g.Expect(f.Reproduced).To(Equal(f.Verified), "the shrunk case holds:\n%s", out.String())
			g.Expect(len(f.Curl)).To(BeNumerically(">=", f.Webhooks), "a curl line per webhook sent")
			for _, c := range f.Curl {
				g.Expect(c).To(HavePrefix("curl -sS -X POST '" + strings.TrimSuffix(res.Target, "/webhook")))
			}

			if check := reproducerShows[tc.name]; check != nil {
				var b bytes.Buffer
				g.Expect(res.WriteFile(&b)).To(Succeed())
				g.Expect(check(b.String())).To(BeTrue(), "the reproducer shows the cause:\n%s", b.String())
			}
			broken := runReproducer(t, res, start(t, tc.make(t, tok)), tok)
			g.Expect(broken.Failed).To(Equal(1), "the reproducer fails a fresh broken receiver:\n%s", out.String())
			correct := runReproducer(t, res, start(t, reference(t, tok)), tok)
			g.Expect(correct.Failed).To(Equal(0), "and passes the reference receiver:\n%s\n%v", out.String(), correct.Scenarios)
			t.Logf("%s", out.String())
		})
	}
}

// A target that refuses everything (a wrong path) is found at once, and the report leads with
// the cause, as livehook run's does; its refusals of the probes count for nothing.
func TestExploreSaysWhenTheTargetRefusesEverything(t *testing.T) {
	g := NewWithT(t)
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "404 page not found\n")
	})
	res, err := exploreAt(start(t, notFound), token, 3, 60)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Findings).To(HaveLen(1))
	g.Expect(res.Findings[0].Steps).To(Equal(1))
	g.Expect(res.Acknowledged).To(BeZero())
	var out strings.Builder
	g.Expect(res.WriteText(&out, "")).To(Succeed())
	g.Expect(out.String()).To(MatchRegexp(`seed 3, budget \d+ requests\n\n.*the target refused every webhook \(all HTTP 404\): is the path right\?`))
}

// --duration bounds the exploration whatever the budget; the case in flight is cut short and
// counts for nothing, so a correct receiver is not failed by the deadline.
func TestExploreStopsAtItsDuration(t *testing.T) {
	g := NewWithT(t)
	res, err := explore.Explore(context.Background(), explore.Config{
		Endpoint: webhook.Endpoint{URL: start(t, reference(t, token)), SDKAppID: appID, Token: token},
		Seed:     4, Budget: 1 << 30, Duration: 300 * time.Millisecond, Timeout: testTimeout,
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Stopped).To(Equal("duration"))
	g.Expect(res.Findings).To(BeEmpty())
	g.Expect(res.Cases).To(BeNumerically(">=", 1))
}
