package runner_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/internal/golden"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/scenarios/runner"
	"github.com/livehook/livehook/webhook"
)

var recordedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// replayFile is a replay of two deliveries of one room: a pretty, escaped body with a number
// beyond 2^53 and ${...} text, and one that is not UTF-8.
func replayFile(t *testing.T, rebase bool) []byte {
	t.Helper()
	create := "{\n  \"CallbackCommand\": \"Live.CallbackAfterCreateRoom\", \"Operator_Account\": \"a\",\n  \"RoomInfo\": {\"RoomId\": \"r\\u00e9\", \"RoomName\": \"${vars.x} ${now}\", \"Owner_Account\": 144115216631667826, \"CreateTime\": 1767322945},\n  \"EventTime\": 1767322945123, \"Later\": \"tab\\there \"\n}"
	st := func(b bool) *bool { return &b }
	scs := []scenarios.ReplayScenario{{Name: "room ré", Description: "recorded 2026-01-02T03:04:05Z: 2 deliveries", Steps: []scenarios.ReplayStep{
		{Name: "#1 CreateRoom", Replay: scenarios.Replay{Query: "SdkAppid=1400000777&CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json&ClientIP=10.1.2.3&OptPlatform=iOS",
			RecordedAt: recordedAt.Format(time.RFC3339Nano), Body: scenarios.RawBody(create)}},
		{Name: "#2 ModifyAdmin", Replay: scenarios.Replay{Query: "SdkAppid=1400000777&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json",
			RecordedAt: recordedAt.Add(time.Second).Format(time.RFC3339Nano), Body: scenarios.RawBody("\xff{not json"), Probe: scenarios.Probe{SDKAppID: 1400999999, Sign: "bad"}},
			Expect: &scenarios.Expect{Outcome: scenarios.Rejected}},
	}}}
	if !rebase {
		for i := range scs[0].Steps {
			scs[0].Steps[i].Replay.Rebase = st(false)
		}
	}
	var buf bytes.Buffer
	if err := scenarios.WriteReplay(&buf, "Replay of rec.jsonl\n2 deliveries", scs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGoldenReplayFile(t *testing.T) {
	golden.Check(t, "replay.yaml", replayFile(t, true))
}

func TestReplaySendsTheRecordedBytesSignedAndRebased(t *testing.T) {
	g := NewWithT(t)
	f, err := scenarios.Parse("replay.yaml", bytes.NewReader(replayFile(t, true)))
	g.Expect(err).NotTo(HaveOccurred())
	type req struct {
		query string
		body  []byte
	}
	got := make(chan req, 10)
	target := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- req{r.URL.RawQuery, b}
		if bytes.HasPrefix(b, []byte("\xff")) {
			w.WriteHeader(400)
		}
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	now := recordedAt.Add(30 * 24 * time.Hour)
	rep := run(t, []*scenarios.File{f}, target, token, func(c *runner.Config) { c.Now = func() time.Time { return now } })
	g.Expect(rep.Scenarios[0].Status).To(Equal(report.StatusPassed), rep.Scenarios[0].Failure)

	var create, modify req
	g.Expect(got).To(Receive(&create))
	g.Expect(got).To(Receive(&modify))
	month := int64(30 * 24 * 3600)
	g.Expect(string(create.body)).To(Equal(strings.NewReplacer("1767322945123", "1769914945123", "1767322945}", "1769914945}").Replace(
		"{\n  \"CallbackCommand\": \"Live.CallbackAfterCreateRoom\", \"Operator_Account\": \"a\",\n  \"RoomInfo\": {\"RoomId\": \"r\\u00e9\", \"RoomName\": \"${vars.x} ${now}\", \"Owner_Account\": 144115216631667826, \"CreateTime\": 1767322945},\n  \"EventTime\": 1767322945123, \"Later\": \"tab\\there \"\n}")))
	g.Expect(1767322945 + month).To(Equal(int64(1769914945)))
	g.Expect(create.query).To(HavePrefix("SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json&ClientIP=10.1.2.3&OptPlatform=iOS&Sign="), "the run's SdkAppid, signed")
	g.Expect(create.query).To(ContainSubstring("&Sign=" + webhook.Sign(token, now.Unix()) + "&RequestTime="))
	g.Expect(modify.body).To(Equal([]byte("\xff{not json")))
	g.Expect(modify.query).To(HavePrefix("SdkAppid=1400999999&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json&Sign="))
	g.Expect(modify.query).NotTo(ContainSubstring(webhook.Sign(token, now.Unix())), "sign: bad")

	// rebase: false sends the times as recorded.
	f, err = scenarios.Parse("replay.yaml", bytes.NewReader(replayFile(t, false)))
	g.Expect(err).NotTo(HaveOccurred())
	run(t, []*scenarios.File{f}, target, token)
	g.Expect(got).To(Receive(&create))
	g.Expect(string(create.body)).To(ContainSubstring(`"EventTime": 1767322945123`))
	g.Expect(got).To(Receive())
}

func TestReplayStepsAreReadStrictly(t *testing.T) {
	for _, tc := range []struct{ step, msg string }{
		{`{query: "SdkAppid=1&Sign=x&RequestTime=1", body: "{}", rebase: false}`, "the query holds Sign or RequestTime: remove them"},
		{`{body: "{}", rebase: false}`, "replay: query is missing"},
		{`{query: "a=%zz", body: "{}", rebase: false}`, "replay: query does not parse"},
		{`{query: "a=b", body: "{}"}`, "rebase needs recorded_at"},
		{`{query: "a=b", body: "{}", recorded_at: yesterday}`, `recorded_at is "yesterday": want an RFC 3339 time`},
		{`{query: "a=b", body: "{}", rebase: false, omit: [EventTime]}`, "only sdkappid and sign apply"},
		{`{query: "a=b", body: {a: 1}, rebase: false}`, "want the body as a string"},
		{`{query: "a=b", body: !!binary "###", rebase: false}`, "the !!binary body is not base64"},
		{`{query: "a=b", bdy: "{}", rebase: false}`, `unknown field "bdy" (did you mean "body"?)`},
	} {
		_, err := scenarios.Parse("r.yaml", strings.NewReader("scenarios:\n  - name: r\n    steps:\n      - replay: "+tc.step+"\n"))
		NewWithT(t).Expect(err).To(MatchError(ContainSubstring(tc.msg)), tc.step)
	}
	_, err := scenarios.Parse("r.yaml", strings.NewReader("scenarios:\n  - name: r\n    steps:\n      - replay: {query: \"a=b\", body: \"${vars.nope} ${room.X}\", rebase: false}\n"))
	NewWithT(t).Expect(err).NotTo(HaveOccurred(), "a replayed body is never a template")
}

// Any body goes through the file and back byte for byte.
func FuzzReplayBodyRoundTrip(f *testing.F) {
	for _, s := range []string{"", " ", "a\n", "\n\n", "x: y", "- a", "\t\x00\x7f\u0085\u2028 ", "\xff", "${vars.x}", "#c", "'\"", "  lead\n  trail  \n", "\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var buf bytes.Buffer
		sc := []scenarios.ReplayScenario{{Name: "r", Steps: []scenarios.ReplayStep{{Replay: scenarios.Replay{Query: "a=b", Body: body, RecordedAt: "2026-01-02T03:04:05Z"}}}}}
		if err := scenarios.WriteReplay(&buf, "h", sc); err != nil {
			t.Fatal(err)
		}
		file, err := scenarios.Parse("r.yaml", &buf)
		if err != nil {
			t.Fatalf("%v\n%s", err, buf.String())
		}
		if got := file.Scenarios[0].Steps[0].Replay.Body; !bytes.Equal(got, body) {
			t.Fatalf("body %q came back as %q through\n%s", body, got, buf.String())
		}
	})
}

// Under delivery conditions a replayed webhook is signed when it goes: a redelivery gets a fresh
// RequestTime, and the scenario's skew moves it.
func TestReplayUnderDeliveryConditionsSignsWhenItGoes(t *testing.T) {
	g := NewWithT(t)
	var mu sync.Mutex
	var times []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, r.URL.Query().Get("RequestTime"))
		mu.Unlock()
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	defer srv.Close()
	f, err := scenarios.Parse("r.yaml", strings.NewReader(`
scenarios:
  - name: r
    delivery: {duplicate: 100%, skew: 90s}
    steps:
      - replay: {query: "SdkAppid=1&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json", body: "{}", rebase: false}
`))
	g.Expect(err).NotTo(HaveOccurred())
	tick := time.Unix(1_700_000_000, 0)
	rep, err := runner.Run(context.Background(), []*scenarios.File{f}, runner.Config{
		Endpoint: webhook.Endpoint{URL: srv.URL, SDKAppID: 1, Token: "t"}, Seed: 1,
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			tick = tick.Add(10 * time.Second)
			return tick
		},
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rep.Passed).To(Equal(1), "%+v", rep.Scenarios)
	g.Expect(times).To(HaveLen(2))
	g.Expect(times[0]).NotTo(Equal(times[1]), "each delivery signed when it goes")
	for _, rt := range times {
		g.Expect(strconv.ParseInt(rt, 10, 64)).To(BeNumerically(">=", int64(1_700_000_090)), "skewed 90 s ahead")
	}
}
