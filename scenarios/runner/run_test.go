package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/internal/testrx"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/scenarios/runner"
	"github.com/livehook/livehook/webhook"
)

const (
	appID = webhook.DefaultSDKAppID
	token = "contract-token"
)

func contract(t *testing.T) []*scenarios.File {
	t.Helper()
	f, err := scenarios.ReadFile("../../scenarios.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return []*scenarios.File{f}
}

func reference(t *testing.T, cfg receiver.Config) *receiver.Receiver {
	t.Helper()
	return testrx.Reference(t, cfg)
}

func start(t *testing.T, h http.Handler) string {
	t.Helper()
	return testrx.Start(t, h)
}

func run(t *testing.T, files []*scenarios.File, target, tok string, mod ...func(*runner.Config)) *report.Report {
	t.Helper()
	// A deadline well past any answer on a busy machine under -race: the tests that are about
	// time set their own.
	cfg := runner.Config{Endpoint: webhook.Endpoint{URL: target, SDKAppID: appID, Token: tok}, Seed: 42, Parallel: 4, Timeout: 10 * time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	rep, err := runner.Run(context.Background(), files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func failedNames(rep *report.Report) []string {
	var out []string
	for _, s := range rep.Scenarios {
		if s.Status == report.StatusFailed {
			out = append(out, s.Name)
		}
	}
	slices.Sort(out)
	return out
}

func TestContractPassesOnTheReferenceReceiver(t *testing.T) {
	for _, tc := range []struct {
		name     string
		token    string
		parallel int
		skipped  int
	}{
		{"no token", "", 1, 11}, // six Sign and five clock-skew scenarios
		{"token", token, 1, 0},
		{"token, parallel", token, 8, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			rv := reference(t, receiver.Config{Token: tc.token})
			rep := run(t, contract(t), start(t, rv), tc.token, func(c *runner.Config) { c.Parallel = tc.parallel })
			g.Expect(failedNames(rep)).To(BeEmpty(), "%+v", rep)
			g.Expect(rep.Skipped).To(Equal(tc.skipped))
			g.Expect(rep.Passed).To(Equal(len(rep.Scenarios) - tc.skipped))
			if tc.token == "" {
				var why []string
				for _, s := range rep.Scenarios {
					why = append(why, s.SkipReason)
				}
				g.Expect(why).To(ContainElement(MatchRegexp(`^needs a callback token \(--token\): its delivery skews RequestTime \(skew=[+-]\d+s\)$`)), "a skewed scenario says why it needs a token")
				g.Expect(why).To(ContainElement(HavePrefix("needs a callback token (--token): step ")), "and so does a scenario that signs badly")
			}
			accepted, rejected := rv.Counts()
			g.Expect(int(accepted+rejected)).To(Equal(rep.Requests), "every request sent is accounted for")
		})
	}
}

// middleware turns the reference receiver into an app backend with one defect.
type middleware func(t *testing.T, next http.Handler) http.Handler

// rewriteAnswer replaces an acknowledgement by body.
func rewriteAnswer(status int, body string) middleware {
	return func(t *testing.T, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code == 200 {
				w.WriteHeader(status)
				_, _ = io.WriteString(w, body)
				return
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		})
	}
}

// refuseWhen answers FAIL when the request matches, as a defective app backend would.
func refuseWhen(match func(r *http.Request, body []byte) bool) middleware {
	return func(t *testing.T, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if match(r, body) {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"bad request","ErrorCode":400}`)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
		})
	}
}

// naiveStruct is how a hurried developer decodes the Create and Destroy webhooks.
type naiveStruct struct {
	RoomInfo struct {
		Owner string `json:"Owner_Account"`
	}
}

func TestContractCatchesFaultyReceivers(t *testing.T) {
	all := []string{}
	for _, s := range contract(t)[0].Scenarios {
		all = append(all, s.Name)
	}
	ackScenarios := slices.DeleteFunc(slices.Clone(all), func(n string) bool {
		return strings.Contains(n, "refused")
	})
	slices.Sort(ackScenarios)
	refusalScenarios := slices.DeleteFunc(slices.Clone(all), func(n string) bool { return slices.Contains(ackScenarios, n) })
	outsideWindow := []string{"a RequestTime 10 minutes ahead of the receiver's clock is refused",
		"a RequestTime 62 s ahead, just outside the window, is refused", "a RequestTime 62 s behind, just outside the window, is refused"}
	overlapping := []string{"a redelivery that overlaps its first delivery is acknowledged", "generated lifecycles with overlapping retries are acknowledged"}
	redelivered := []string{"a redelivered creation, admin change and destroy are each acknowledged",
		"a redelivery with the first delivery's exact URL is acknowledged", "generated lifecycles at once, again and out of order are acknowledged"}
	for _, tc := range []struct {
		name     string
		cfg      receiver.Config // of the reference receiver inside
		wrap     middleware
		timeout  time.Duration
		parallel int // 8 unless set
		failed   []string
		// mayFail may fail too, depending on the seeded schedule; mayDiffer: the message is
		// required of the failed ones only.
		mayFail   []string
		mayDiffer bool
		message   string
		tags      []string // the whole contract unless set
	}{
		{
			name: "does not check SdkAppid",
			cfg:  receiver.Config{Token: token},
			wrap: func(t *testing.T, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					q := r.URL.Query()
					if q.Has("SdkAppid") {
						q.Set("SdkAppid", "1400000001")
					}
					r.URL.RawQuery = q.Encode()
					next.ServeHTTP(w, r)
				})
			},
			failed:  []string{"a webhook for a foreign SdkAppid is refused"},
			message: "but it was acknowledged with OK/0",
		},
		{
			name: "does not check Sign",
			cfg:  receiver.Config{Token: ""},
			failed: append([]string{"a replayed webhook with a stale RequestTime is refused", "a webhook with a wrong Sign is refused", "a webhook without Sign is refused",
				"a Sign wrong only in its last digit is refused", "a wrong Sign of the right length in upper-case hex is refused", "a truncated Sign is refused"}, outsideWindow...),
			message: "but it was acknowledged with OK/0",
		},
		{
			name:    "does not check RequestTime",
			cfg:     receiver.Config{Token: token, MaxSkew: 100 * 365 * 24 * time.Hour},
			failed:  append([]string{"a replayed webhook with a stale RequestTime is refused"}, outsideWindow...),
			message: "but it was acknowledged with OK/0",
		},
		{
			name:    "checks RequestTime with too wide a window",
			cfg:     receiver.Config{Token: token, MaxSkew: 5 * time.Minute},
			failed:  []string{"a RequestTime 62 s ahead, just outside the window, is refused", "a RequestTime 62 s behind, just outside the window, is refused"},
			message: "off the receiver's clock: expected rejected",
		},
		{
			name: "checks RequestTime only for staleness",
			cfg:  receiver.Config{Token: token, MaxSkew: 100 * 365 * 24 * time.Hour},
			wrap: refuseWhen(func(r *http.Request, body []byte) bool {
				rt, err := strconv.ParseInt(r.URL.Query().Get("RequestTime"), 10, 64)
				return err == nil && time.Since(time.Unix(rt, 0)) > time.Minute
			}),
			failed:  []string{"a RequestTime 10 minutes ahead of the receiver's clock is refused", "a RequestTime 62 s ahead, just outside the window, is refused"},
			message: "off the receiver's clock: expected rejected",
		},
		{
			name: "refuses any RequestTime ahead of its clock",
			cfg:  receiver.Config{Token: token},
			wrap: refuseWhen(func(r *http.Request, body []byte) bool {
				rt, err := strconv.ParseInt(r.URL.Query().Get("RequestTime"), 10, 64)
				return err == nil && rt > time.Now().Unix()
			}),
			failed:  []string{"a RequestTime 45 s ahead of the receiver's clock is acknowledged"},
			message: "RequestTime +45s off the receiver's clock: expected acknowledged",
		},
		{
			name: "reads only the older SdkAppid parameter",
			cfg:  receiver.Config{Token: token},
			wrap: func(t *testing.T, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					q := r.URL.Query()
					if q.Has("SdkAppId") { // not the name it checks: treated as its own app
						q.Set("SdkAppId", strconv.Itoa(appID))
					}
					r.URL.RawQuery = q.Encode()
					next.ServeHTTP(w, r)
				})
			},
			failed:  []string{"a webhook for a foreign SdkAppid is refused under the newer parameter names too"},
			message: "but it was acknowledged with OK/0",
		},
		{
			name: "reads only the newer SdkAppId parameter",
			cfg:  receiver.Config{Token: token},
			wrap: func(t *testing.T, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					q := r.URL.Query()
					if q.Has("SdkAppid") {
						q.Set("SdkAppid", strconv.Itoa(appID))
					}
					r.URL.RawQuery = q.Encode()
					next.ServeHTTP(w, r)
				})
			},
			failed:  []string{"a webhook for a foreign SdkAppid is refused"},
			message: "but it was acknowledged with OK/0",
		},
		{
			name:     "refuses more than 20 webhooks in flight",
			cfg:      receiver.Config{Token: token},
			wrap:     underLoad(20, 20*time.Millisecond, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) }),
			parallel: 1,
			tags:     []string{"delivery", "ack"}, // a slow receiver: the webhooks alone, and those at once
			failed:   []string{"webhooks for many rooms at once are each acknowledged"},
			mayFail:  []string{"generated lifecycles at once, again and out of order are acknowledged"},
			// The last failure's own count of webhooks in flight may be any, even none: the
			// sender's count and the receiver's differ by the requests on the wire.
			message: "expected acknowledged (HTTP 200, OK/0) within 10s, got bad_status: HTTP status is 503",
		},
		{
			name: "handles one webhook at a time, 100 ms each",
			cfg:  receiver.Config{Token: token},
			// One lock around the work, as a single database writer is: each webhook in flight
			// adds 100 ms to the wait of the next, past the (here 1 s) deadline at 10.
			wrap:     serialized(100 * time.Millisecond),
			parallel: 1,
			tags:     []string{"delivery", "ack"},
			timeout:  time.Second,
			failed: []string{"webhooks for many rooms at once are each acknowledged", "generated lifecycles at once, again and out of order are acknowledged",
				"generated lifecycles with overlapping retries are acknowledged"},
			message: "other webhooks were in flight: expected",
		},
		{
			name: "fails a creation it has seen (duplicate key)",
			cfg:  receiver.Config{Token: token},
			wrap: stateful(func(st *roomState, cmd webhook.Command, room string, body []byte) (int, string) {
				if cmd == webhook.CommandCreateRoom {
					if st.created[room] {
						return 500, `{"ActionStatus":"FAIL","ErrorInfo":"Duplicate entry for key PRIMARY","ErrorCode":1062}`
					}
					st.created[room] = true
				}
				return 0, ""
			}),
			failed: append(slices.Clone(redelivered), overlapping...),
			// A room created again after its destroy is the identity class: see TestContractCatchesReceiversThatForgetNothing.
			mayFail:   []string{"a RoomId created again after its destroy is acknowledged"},
			mayDiffer: true,
			message:   "of the same event",
		},
		{
			name: "fails an event it has processed before",
			cfg:  receiver.Config{Token: token},
			wrap: stateful(func(st *roomState, cmd webhook.Command, room string, body []byte) (int, string) {
				// Keyed by the body without the URL: a retry signed afresh is the same event.
				key := string(body)
				if st.seen[key] {
					return 200, `{"ActionStatus":"FAIL","ErrorInfo":"event already processed","ErrorCode":409}`
				}
				st.seen[key] = true
				return 0, ""
			}),
			failed:  append(slices.Clone(redelivered), overlapping...),
			message: "of the same event",
		},
		{
			name: "refuses an admin change for a room it has not seen created",
			cfg:  receiver.Config{Token: token},
			wrap: stateful(func(st *roomState, cmd webhook.Command, room string, body []byte) (int, string) {
				switch cmd {
				case webhook.CommandCreateRoom:
					st.created[room] = true
				case webhook.CommandModifyAdmin:
					if !st.created[room] {
						return 200, `{"ActionStatus":"FAIL","ErrorInfo":"no such room","ErrorCode":404}`
					}
				}
				return 0, ""
			}),
			failed:    []string{"an admin change and a destroy that arrive before their room's creation are acknowledged"},
			mayFail:   []string{"generated lifecycles at once, again and out of order are acknowledged"},
			message:   "an admin change sent before its room's creation (reordered)",
			mayDiffer: true,
		},
		{
			name: "answers 404 to a destroy of a room it has not seen created",
			cfg:  receiver.Config{Token: token},
			wrap: stateful(func(st *roomState, cmd webhook.Command, room string, body []byte) (int, string) {
				switch cmd {
				case webhook.CommandCreateRoom:
					st.created[room] = true
				case webhook.CommandDestroyRoom:
					if !st.created[room] {
						return 404, `{"ActionStatus":"FAIL","ErrorInfo":"no such room","ErrorCode":404}`
					}
				}
				return 0, ""
			}),
			failed:    []string{"an admin change and a destroy that arrive before their room's creation are acknowledged"},
			mayFail:   []string{"generated lifecycles at once, again and out of order are acknowledged"},
			message:   "a destroy sent before its room's creation (reordered)",
			mayDiffer: true,
		},
		{
			name:    "answers ErrorCode as a string",
			cfg:     receiver.Config{Token: token},
			wrap:    rewriteAnswer(200, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":"0"}`),
			failed:  ackScenarios,
			message: `ErrorCode is the string "0", want the integer 0`,
		},
		{
			name:    "leaves out ErrorInfo",
			cfg:     receiver.Config{Token: token},
			wrap:    rewriteAnswer(200, `{"ActionStatus":"OK","ErrorCode":0}`),
			failed:  ackScenarios,
			message: "ErrorInfo is missing",
		},
		{
			name:    "answers plain text",
			cfg:     receiver.Config{Token: token},
			wrap:    rewriteAnswer(200, `success`),
			failed:  ackScenarios,
			message: `body is not JSON: "success"`,
		},
		{
			name:   "answers 204",
			cfg:    receiver.Config{Token: token},
			wrap:   rewriteAnswer(204, ``),
			failed: ackScenarios,
			// 204 is no acknowledgement, and a refusal to the control too: the refusals show nothing.
			mayFail:   refusalScenarios,
			mayDiffer: true,
			message:   "HTTP status is 204 No Content, want 200 OK",
		},
		{
			name: "decodes Owner_Account as a string only",
			cfg:  receiver.Config{Token: token},
			wrap: refuseWhen(func(r *http.Request, body []byte) bool {
				var v naiveStruct
				return json.Unmarshal(body, &v) != nil
			}),
			failed:  []string{"Owner_Account as a bare JSON number beyond 2^53 is accepted"},
			message: "HTTP status is 400 Bad Request",
		},
		{
			name: "refuses fields it does not know",
			cfg:  receiver.Config{Token: token},
			wrap: refuseWhen(func(r *http.Request, body []byte) bool {
				var v any
				d := json.NewDecoder(bytes.NewReader(body))
				d.DisallowUnknownFields()
				if ev, err := webhook.Decode(body); err == nil {
					switch e := ev.(type) {
					case *webhook.CreateRoom:
						v = e
						return len(e.Extra) > 0 || bytes.Contains(body, []byte("Theme"))
					case *webhook.ModifyAdmin:
						return len(e.Extra) > 0
					case *webhook.DestroyRoom:
						return len(e.Extra) > 0 || bytes.Contains(body, []byte("TotalShares"))
					}
				}
				return d.Decode(&v) != nil
			}),
			failed:  []string{"fields the receiver does not know are accepted"},
			message: "HTTP status is 400",
		},
		{
			name: "requires EventTime on creation",
			cfg:  receiver.Config{Token: token},
			wrap: refuseWhen(func(r *http.Request, body []byte) bool {
				return r.URL.Query().Get("CallbackCommand") == string(webhook.CommandCreateRoom) && !bytes.Contains(body, []byte(`"EventTime"`))
			}),
			failed:  []string{"a creation without EventTime is accepted"},
			message: "HTTP status is 400",
		},
		{
			name: "requires Statistic on destroy",
			cfg:  receiver.Config{Token: token},
			wrap: refuseWhen(func(r *http.Request, body []byte) bool {
				return bytes.Contains(body, []byte(`"DestroyBySystem"`)) && !bytes.Contains(body, []byte(`"Statistic"`))
			}),
			failed: []string{"a room dissolved by the system is acknowledged", "many generated rooms live and close", "several rooms open and close interleaved",
				"webhooks for many rooms at once are each acknowledged", "generated lifecycles at once, again and out of order are acknowledged"},
			mayFail: overlapping,
			message: "HTTP status is 400",
		},
		{
			name: "knows only the older parameter names",
			cfg:  receiver.Config{Token: token},
			wrap: refuseWhen(func(r *http.Request, body []byte) bool {
				return !r.URL.Query().Has("SdkAppid")
			}),
			failed:  []string{"the newer query parameter names are accepted"},
			message: "HTTP status is 400",
		},
		{
			name: "stalls on destroy",
			cfg:  receiver.Config{Token: token},
			wrap: func(t *testing.T, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Query().Get("CallbackCommand") == string(webhook.CommandDestroyRoom) {
						_, _ = io.Copy(io.Discard, r.Body)
						<-r.Context().Done() // answers only when the sender gives up
						return
					}
					next.ServeHTTP(w, r)
				})
			},
			timeout: 2 * time.Second, // the real deadline: fine answers never come near it, even under -race on a busy machine
			failed: []string{"Owner_Account as a bare JSON number beyond 2^53 is accepted", "a room created through the REST API is accepted",
				"a room destroyed by its owner is acknowledged", "a room dissolved by the system is acknowledged",
				"a room without seats and with an empty CustomInfo is accepted", "fields the receiver does not know are accepted",
				"full lifecycle with repeated admin changes", "many generated rooms live and close",
				"several rooms open and close interleaved", "a RequestTime 45 s ahead of the receiver's clock is acknowledged",
				"a RequestTime 45 s behind the receiver's clock is acknowledged", "a redelivered creation, admin change and destroy are each acknowledged",
				"a redelivery with the first delivery's exact URL is acknowledged",
				"an admin change and a destroy that arrive before their room's creation are acknowledged",
				"generated lifecycles at once, again and out of order are acknowledged", "webhooks for many rooms at once are each acknowledged",
				"Category at its largest is accepted", "a RoomId created again after its destroy is acknowledged", "RoomIds differing only in case are different rooms",
				"a RoomId of 48 bytes, the longest allowed, is accepted", "a RoomId of punctuation and spaces, all allowed, is accepted",
				"a RoomName of 100 bytes of 4-byte UTF-8 is accepted", "the most admins a room may have, with the longest user IDs, are accepted", platforms,
				"the largest body the documented fields make is accepted", "a redelivery that overlaps its first delivery is acknowledged",
				"generated lifecycles with overlapping retries are acknowledged",
				// A refusal must come within the deadline too.
				"a webhook for a foreign SdkAppid is refused", "a webhook with a wrong Sign is refused"},
			message: "got timeout: no complete answer within 2s",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			inner := reference(t, tc.cfg)
			var h http.Handler = inner
			if tc.wrap != nil {
				h = tc.wrap(t, inner)
			}
			rep := run(t, contract(t), start(t, h), token, func(c *runner.Config) {
				c.Parallel = 8
				if tc.parallel > 0 {
					c.Parallel = tc.parallel
				}
				if tc.timeout > 0 {
					c.Timeout = tc.timeout
				}
				c.Tags = tc.tags
			})
			got := failedNames(rep)
			for _, name := range tc.failed {
				g.Expect(got).To(ContainElement(name))
			}
			g.Expect(got).To(HaveEach(BeElementOf(append(slices.Clone(tc.failed), tc.mayFail...))))
			for _, s := range rep.Scenarios {
				if s.Status == report.StatusFailed && (!tc.mayDiffer || slices.Contains(tc.failed, s.Name)) {
					g.Expect(s.Failure).To(ContainSubstring(tc.message), s.Name)
				}
			}
			var text bytes.Buffer
			g.Expect(rep.WriteText(&text, report.TextOptions{})).To(Succeed())
			g.Expect(text.String()).To(ContainSubstring(tc.message))
			g.Expect(text.String()).To(ContainSubstring("sent:     POST "))
		})
	}
}

func TestTagsAndRepeat(t *testing.T) {
	g := NewWithT(t)
	f, err := scenarios.Parse("t.yaml", strings.NewReader(`
scenarios:
  - name: a
    tags: [x]
    repeat: 3
    steps: [{create_room: {}}]
  - name: b
    tags: [y]
    steps: [{create_room: {}}]
  - name: c
    steps: [{create_room: {}}]
`))
	g.Expect(err).NotTo(HaveOccurred())
	target := start(t, reference(t, receiver.Config{}))
	rep := run(t, []*scenarios.File{f}, target, "", func(c *runner.Config) { c.Tags = []string{"x"} })
	g.Expect(rep.Scenarios).To(HaveLen(3))
	g.Expect(rep.Scenarios[2].Title()).To(Equal("a #3"))
	g.Expect(rep.Deselected).To(Equal(2))
	rep = run(t, []*scenarios.File{f}, target, "", func(c *runner.Config) { c.Tags = []string{"!x"} })
	g.Expect(rep.Scenarios).To(HaveLen(2))
}

func TestFailFast(t *testing.T) {
	g := NewWithT(t)
	f, err := scenarios.Parse("t.yaml", strings.NewReader(`
scenarios:
  - name: fails
    steps: [{create_room: {}, expect: rejected}]
  - name: never runs
    steps: [{create_room: {}}]
`))
	g.Expect(err).NotTo(HaveOccurred())
	rep := run(t, []*scenarios.File{f}, start(t, reference(t, receiver.Config{})), "", func(c *runner.Config) {
		c.FailFast, c.Parallel = true, 1
	})
	g.Expect(rep.Failed).To(Equal(1))
	g.Expect(rep.Scenarios[1].Status).To(Equal(report.StatusSkipped))
	g.Expect(rep.Scenarios[1].SkipReason).To(ContainSubstring("--fail-fast"))
}

// The same seed and clock send the same requests, also with scenarios in parallel and webhooks
// delivered concurrently, redelivered and reordered; only the order they arrive in may vary.
func TestSameSeedSameRequests(t *testing.T) {
	g := NewWithT(t)
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	bodies := func(seed int64, parallel int) []string {
		var mu sync.Mutex
		var out []string
		target := start(t, reference(t, receiver.Config{Token: token, Now: func() time.Time { return clock }}))
		run(t, contract(t), target, token, func(c *runner.Config) {
			c.Seed, c.Parallel, c.Now = seed, parallel, func() time.Time { return clock }
			c.Observe = func(sc string, step int, x report.Exchange) {
				mu.Lock()
				_, query, _ := strings.Cut(x.URL, "?") // each run has a server, and a port, of its own
				out = append(out, fmt.Sprintf("%s/%d: %s %s", sc, step, query, x.RequestBody))
				mu.Unlock()
			}
		})
		slices.Sort(out)
		return out
	}
	first := bodies(7, 1)
	g.Expect(first).To(HaveLen(len(slices.Compact(slices.Clone(first)))+countRedeliveries(first)), "sanity")
	again := bodies(7, 4)
	for i := range min(len(first), len(again)) {
		if first[i] != again[i] {
			t.Fatalf("same seed, same requests, whatever runs in parallel; first difference:\n%s\n%s", first[i], again[i])
		}
	}
	g.Expect(again).To(Equal(first), "same seed, same requests, whatever runs in parallel")
	g.Expect(bodies(8, 4)).NotTo(Equal(first))
}

// countRedeliveries counts the requests sent twice alike (a redelivery with the same URL).
func countRedeliveries(sorted []string) int {
	n := 0
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			n++
		}
	}
	return n
}

func TestCheckStep(t *testing.T) {
	g := NewWithT(t)
	rooms := map[string]bool{}
	api := http.NewServeMux()
	api.HandleFunc("GET /rooms/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !rooms[r.PathValue("id")] {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"room": map[string]any{"id": r.PathValue("id"), "seats": 8}})
	})
	// The app backend stores created rooms and forgets destroyed ones.
	rv := reference(t, receiver.Config{OnDelivery: func(d receiver.Delivery) {
		ev, err := webhook.Decode(d.Body)
		if err != nil {
			return
		}
		rooms[ev.Room()] = ev.Command() == webhook.CommandCreateRoom
	}})
	apiURL := start(t, api)
	f, err := scenarios.Parse("t.yaml", strings.NewReader(`
vars:
  api: `+strings.TrimSuffix(apiURL, "/webhook")+`
scenarios:
  - name: synced
    steps:
      - create_room: {as: room, RoomInfo: {MaxSeatCount: 8}}
      - check: {url: "${vars.api}/rooms/${room.RoomId}", json: {room.id: "${room.RoomId}", room.seats: 8}}
      - destroy_room: {}
      - check: {url: "${vars.api}/rooms/${room.RoomId}", status: 404}
  - name: not synced
    steps:
      - create_room: {as: room, RoomInfo: {MaxSeatCount: 8}}
      - check: {url: "${vars.api}/rooms/${room.RoomId}", json: {room.seats: 9}}
`))
	g.Expect(err).NotTo(HaveOccurred())
	rep := run(t, []*scenarios.File{f}, start(t, rv), "", func(c *runner.Config) { c.Parallel = 1 })
	g.Expect(rep.Scenarios[0].Status).To(Equal(report.StatusPassed), "%+v", rep.Scenarios[0])
	g.Expect(rep.Scenarios[1].Status).To(Equal(report.StatusFailed))
	g.Expect(rep.Scenarios[1].Failure).To(ContainSubstring("room.seats is 8, expected 9"))
}

func TestRunRefusesABadEndpoint(t *testing.T) {
	_, err := runner.Run(context.Background(), contract(t), runner.Config{Endpoint: webhook.Endpoint{URL: "ftp://x", SDKAppID: 1}})
	NewWithT(t).Expect(err).To(MatchError(ContainSubstring("scheme must be http or https")))
}

func TestUnreachableTargetSaysSo(t *testing.T) {
	g := NewWithT(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/hook"
	srv.Close() // nothing listens there now
	f, err := scenarios.Parse("t.yaml", strings.NewReader("scenarios:\n  - name: s\n    steps: [{create_room: {}}]\n"))
	g.Expect(err).NotTo(HaveOccurred())
	rep := run(t, []*scenarios.File{f}, url, "")
	g.Expect(rep.Failed).To(Equal(1))
	g.Expect(rep.Scenarios[0].Failure).To(ContainSubstring("got conn_refused"))
	var b bytes.Buffer
	g.Expect(rep.WriteText(&b, report.TextOptions{})).To(Succeed())
	g.Expect(b.String()).To(HavePrefix("Nothing answered at " + url + " (connection refused): is the app backend running there"))
}

func TestSendStep(t *testing.T) {
	g := NewWithT(t)
	rv := reference(t, receiver.Config{})
	target := start(t, rv) + "?tenant=7"
	f, err := scenarios.Parse("t.yaml", strings.NewReader(`
vars:
  body: '{"CallbackCommand":"Live.CallbackAfterModifyAdmin","RoomId":"r1","EventTime":1703589922780,"Operator_Account":"a","Admin_Account":["b"],"opType":"add"}'
scenarios:
  - name: probes
    steps:
      - send: {command: Live.CallbackAfterModifyAdmin, body: "${vars.body}"}
      - send: {command: Live.CallbackAfterModifyAdmin, body: "${vars.body}", query: "SdkAppid=1400999999&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json"}
        expect: {status: 403, error_code: 4}
      - send: {command: Live.CallbackAfterModifyAdmin, body: "not json"}
        expect: rejected
`))
	g.Expect(err).NotTo(HaveOccurred())
	rep := run(t, []*scenarios.File{f}, target, "")
	g.Expect(rep.Scenarios[0].Status).To(Equal(report.StatusPassed), rep.Scenarios[0].Failure)
	log := rv.Deliveries()
	g.Expect(log).To(HaveLen(3))
	g.Expect(log[0].Query).To(HavePrefix("tenant=7&SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin"))
	g.Expect(log[1].Query).To(Equal("tenant=7&SdkAppid=1400999999&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json"))
}

// A receiver that refuses what it should take (here: it checks Sign as an HMAC) is reported with
// its own reason, the quickest way to its defect.
func TestARefusalSaysTheReceiversReason(t *testing.T) {
	g := NewWithT(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"bad sign","ErrorCode":1}`)
	}))
	defer srv.Close()
	rep := run(t, contract(t), srv.URL, token, func(c *runner.Config) { c.Tags = []string{"create"} })
	g.Expect(rep.Failed).To(Equal(3))
	for _, s := range rep.Scenarios {
		g.Expect(s.Failure).To(ContainSubstring(`ActionStatus is "FAIL", want "OK" (the receiver refused it: ErrorCode 1, "bad sign")`))
	}
}

// underLoad is a receiver that cannot take the Live backend's concurrency: every request takes
// a few milliseconds (a database write), one that finds others in flight waits contention more
// for each of them (a contended lock), and beyond limit in flight it answers with busy (an
// exhausted pool). Alone, a request is answered in time, so the defect shows only under
// concurrency.
func underLoad(limit int64, contention time.Duration, busy http.HandlerFunc) middleware {
	return func(t *testing.T, next http.Handler) http.Handler {
		var flight atomic.Int64
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			testrx.ConsumeBody(r) // so that the server notices when the sender gives up
			n := flight.Add(1)
			defer flight.Add(-1)
			if n > limit {
				_, _ = io.Copy(io.Discard, r.Body)
				busy(w, r)
				return
			}
			if wait := 3*time.Millisecond + time.Duration(n-1)*contention; wait > 0 {
				t := time.NewTimer(wait) // the time the work takes, and the contention
				select {
				case <-t.C:
				case <-r.Context().Done():
				}
				t.Stop()
			}
			next.ServeHTTP(w, r)
		})
	}
}

// serialized is testrx.Serialized as a middleware here.
func serialized(work time.Duration) middleware {
	m := testrx.Serialized(work)
	return func(_ *testing.T, next http.Handler) http.Handler { return m(next) }
}

// roomState is what a stateful receiver remembers.
type roomState struct {
	created map[string]bool
	seen    map[string]bool
}

// stateful gives the receiver inside a memory, as an app backend's database is: decide sees
// each webhook the receiver inside acknowledged and may answer otherwise (status 0: keep the
// acknowledgement). Webhooks the receiver inside refused are passed on untouched.
func stateful(decide func(st *roomState, cmd webhook.Command, room string, body []byte) (status int, answer string)) middleware {
	return func(t *testing.T, next http.Handler) http.Handler {
		var mu sync.Mutex
		st := &roomState{created: map[string]bool{}, seen: map[string]bool{}}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code == http.StatusOK && bytes.Equal(rec.Body.Bytes(), webhook.Acknowledgement) {
				if ev, err := webhook.Decode(body); err == nil {
					mu.Lock()
					status, answer := decide(st, ev.Command(), ev.Room(), body)
					mu.Unlock()
					if status != 0 {
						w.WriteHeader(status)
						_, _ = io.WriteString(w, answer)
						return
					}
				}
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		})
	}
}

// Receivers that are correct in unusual ways pass the whole contract, delivery conditions
// included, with and without a token, one scenario at a time and eight at once.
func TestContractPassesUnusualButCorrectReceivers(t *testing.T) {
	for _, tc := range testrx.UnusualButCorrect {
		for _, mode := range []struct {
			token    string
			parallel int
		}{{token, 8}, {"", 1}} {
			t.Run(fmt.Sprintf("%s, token %t, parallel %d", tc.Name, mode.token != "", mode.parallel), func(t *testing.T) {
				g := NewWithT(t)
				rv := reference(t, receiver.Config{Token: mode.token})
				rep := run(t, contract(t), start(t, tc.Wrap(rv)), mode.token, func(c *runner.Config) { c.Parallel = mode.parallel })
				g.Expect(failedNames(rep)).To(BeEmpty(), "%v", failures(rep))
				g.Expect(rep.Passed).To(BeNumerically(">=", 21))
				accepted, rejected := rv.Counts()
				g.Expect(int(accepted+rejected)).To(Equal(rep.Requests), "every request sent is accounted for")
			})
		}
	}
}

func failures(rep *report.Report) []string {
	var out []string
	for _, s := range rep.Scenarios {
		if s.Status == report.StatusFailed {
			out = append(out, s.Name+": "+s.Failure)
		}
	}
	return out
}

// A misspelt tag is refused with the closest one and the list of tags the files have, alone or
// beside a good one (before, beside a good one it was silently ignored).
func TestCheckTagsNamesTheKnownTags(t *testing.T) {
	g := NewWithT(t)
	files := contract(t)
	g.Expect(scenarios.CheckTags(files, []string{"lifecycle", "!delivery"})).To(Succeed())
	g.Expect(scenarios.CheckTags(files, nil)).To(Succeed())
	err := scenarios.CheckTags(files, []string{"lifecycle", "securty"})
	g.Expect(err).To(MatchError(HavePrefix(`no scenario has the tag "securty" (did you mean "security"?); the scenarios' tags: ack, admin, `)))
	g.Expect(err.Error()).To(ContainSubstring(", lifecycle, "))
	err = scenarios.CheckTags(files, []string{"!delivry", "zzz"})
	g.Expect(err).To(MatchError(HavePrefix(`no scenario has the tags "delivry" (did you mean "delivery"?), "zzz"; the scenarios' tags: `)))
	f, perr := scenarios.Parse("t.yaml", strings.NewReader("scenarios: [{name: s, steps: [{create_room: {}}]}]"))
	g.Expect(perr).NotTo(HaveOccurred())
	g.Expect(scenarios.CheckTags([]*scenarios.File{f}, []string{"x"})).To(MatchError(`no scenario has the tag "x"; the scenarios have no tags`))
}

// Every action of the language is one the runner runs: a step of each passes against the
// reference receiver, and an action added to the language without a case in the runner's
// dispatch fails here, not in a user's run ("livehook cannot run the action").
func TestEveryActionRuns(t *testing.T) {
	g := NewWithT(t)
	rv := reference(t, receiver.Config{})
	hook := start(t, rv)
	steps := map[string]string{
		"create_room":  `create_room: {as: r}`,
		"modify_admin": `modify_admin: {room: r, op: add, accounts: [mod_1]}`,
		"destroy_room": `destroy_room: {room: r}`,
		"wait":         `wait: 1ms`,
		"send":         `send: {command: Live.CallbackAfterSomethingNew, body: '{"CallbackCommand":"Live.CallbackAfterSomethingNew","EventTime":1}'}`,
		"generate":     `generate: {rooms: 1}`,
		"check":        `check: {url: "` + strings.TrimSuffix(hook, "/webhook") + `/webhook", status: 405}`, // the receiver takes only POST
		"replay":       `replay: {query: "SdkAppid=1&CallbackCommand=Live.CallbackAfterSomethingNew&contenttype=json", body: '{"CallbackCommand":"Live.CallbackAfterSomethingNew","EventTime":1}', rebase: false}`,
	}
	g.Expect(slices.Sorted(maps.Keys(steps))).To(Equal(slices.Sorted(slices.Values(scenarios.Actions))), "a step here for every action of the language")
	var src strings.Builder
	src.WriteString("scenarios:\n  - name: every action\n    steps:\n")
	for _, a := range scenarios.Actions {
		src.WriteString("      - " + steps[a] + "\n")
	}
	f, err := scenarios.Parse("every.yaml", strings.NewReader(src.String()))
	g.Expect(err).NotTo(HaveOccurred(), src.String())
	rep := run(t, []*scenarios.File{f}, hook, "")
	g.Expect(rep.Scenarios).To(HaveLen(1))
	for _, st := range rep.Scenarios[0].Steps {
		g.Expect(st.Failure).NotTo(ContainSubstring("cannot run"), "step %d (%s)", st.Index, st.Action)
	}
	g.Expect(rep.Failed).To(BeZero(), "%+v", rep.Scenarios[0])
}
