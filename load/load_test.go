package load_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/load"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

const appID = webhook.DefaultSDKAppID

// reference is the reference receiver on loopback; it checks every request's protocol.
func reference(t *testing.T, token string) (*receiver.Receiver, string) {
	t.Helper()
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, Token: token, LogSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rv)
	t.Cleanup(srv.Close)
	return rv, srv.URL + "/hook"
}

func run(t *testing.T, cfg load.Config) *load.Report {
	t.Helper()
	if cfg.Endpoint.SDKAppID == 0 {
		cfg.Endpoint.SDKAppID = appID
	}
	rep, err := load.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func sum[K comparable](m map[K]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func TestOpenModelSendsValidSignedTraffic(t *testing.T) {
	g := NewWithT(t)
	rv, url := reference(t, "tok")
	rep := run(t, load.Config{Endpoint: webhook.Endpoint{URL: url, Token: "tok"}, Model: load.Open, Rate: 400, Count: 300, Seed: 1})
	g.Expect(rep.Sent).To(Equal(int64(300)))
	g.Expect(sum(rep.Outcomes)).To(Equal(rep.Sent), "sent = the sum of the outcome classes")
	g.Expect(rep.Outcomes).To(Equal(map[webhook.Outcome]int64{webhook.Acknowledged: 300}), "%+v", rep.Errors)
	accepted, rejected := rv.Counts()
	g.Expect(accepted).To(Equal(uint64(300)))
	g.Expect(rejected).To(BeZero())
	g.Expect(rep.Commands).To(HaveKey("CreateRoom"))
	g.Expect(rep.Commands).To(HaveKey("ModifyAdmin"))
	g.Expect(rep.Commands).To(HaveKey("DestroyRoom"))
	g.Expect(rep.Commands[load.All].Sent).To(Equal(int64(300)))
	g.Expect(rep.Commands[load.All].Latency.Count).To(Equal(int64(300)))
}

func TestClosedModelAndRoomsTraffic(t *testing.T) {
	g := NewWithT(t)
	rv, url := reference(t, "")
	rep := run(t, load.Config{Endpoint: webhook.Endpoint{URL: url}, Model: load.Closed, Concurrency: 4, Count: 500})
	g.Expect(rep.Sent).To(Equal(int64(500)))
	g.Expect(rep.Outcomes[webhook.Acknowledged]).To(Equal(int64(500)), "%+v", rep.Errors)

	rep = run(t, load.Config{Endpoint: webhook.Endpoint{URL: url}, Model: load.Open, Traffic: load.Rooms, Speedup: 3600, RoomRate: 2, Duration: 2 * time.Second, Seed: 3})
	g.Expect(rep.Sent).To(BeNumerically(">", 100))
	// Those in flight at the run's end are cut off: the receiver may have taken them or not.
	acked := rep.Outcomes[webhook.Acknowledged]
	g.Expect(acked+rep.Outcomes[webhook.CutOff]).To(Equal(rep.Sent), "%+v", rep.Errors)
	accepted, rejected := rv.Counts()
	g.Expect(rejected).To(BeZero())
	g.Expect(int64(accepted)).To(And(BeNumerically(">=", 500+acked), BeNumerically("<=", 500+rep.Sent)))
}

// The coordinated-omission point: a receiver that stalls for a second holds up the requests due
// meanwhile; measured from their schedule they show the stall, measured from when they went
// they would not.
func TestAStallShowsInTheP99(t *testing.T) {
	g := NewWithT(t)
	var n atomic.Int64
	var stall sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if n.Add(1) == 50 {
			stall.Do(func() { time.Sleep(time.Second) }) // the receiver's stall, not a synchronisation
		}
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	defer srv.Close()
	rep := run(t, load.Config{Endpoint: webhook.Endpoint{URL: srv.URL}, Model: load.Open, Rate: 100, Duration: 3 * time.Second, Workers: 1})
	g.Expect(sum(rep.Outcomes)).To(Equal(rep.Sent))
	g.Expect(rep.Commands[load.All].Latency.P99).To(BeNumerically(">=", 500*time.Millisecond), "the stall shows in the p99")
	g.Expect(rep.Service.P99).To(BeNumerically("<", rep.Commands[load.All].Latency.P99), "service time alone hides it")
	g.Expect(rep.Lag.P99).To(BeNumerically(">=", 500*time.Millisecond))
}

func TestInterruptAccountsForEverything(t *testing.T) {
	g := NewWithT(t)
	_, url := reference(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	rep, err := load.Run(ctx, load.Config{Endpoint: webhook.Endpoint{URL: url, SDKAppID: appID}, Model: load.Open, Rate: 200, Duration: time.Minute,
		Progress: func(p load.Progress) { once.Do(cancel) }})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rep.Interrupted).To(BeTrue())
	g.Expect(rep.Duration).To(BeNumerically("<", 30*time.Second))
	g.Expect(rep.Sent).To(BeNumerically(">", 0))
	g.Expect(sum(rep.Outcomes)).To(Equal(rep.Sent))
}

func TestShardsMergeExactly(t *testing.T) {
	g := NewWithT(t)
	_, url := reference(t, "")
	var reports []*load.Report
	for i := range 3 {
		rep := run(t, load.Config{Endpoint: webhook.Endpoint{URL: url}, Model: load.Open, Rate: 300, Count: 300, Seed: 9, Shard: load.Shard{Index: i, Count: 3}})
		g.Expect(rep.Sent).To(Equal(int64(100)))
		var b bytes.Buffer
		g.Expect(rep.WriteJSON(&b)).To(Succeed())
		back, err := load.ReadJSON(&b)
		g.Expect(err).NotTo(HaveOccurred())
		reports = append(reports, back)
	}
	m, err := load.Merge(reports...)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(m.Sent).To(Equal(int64(300)))
	g.Expect(m.Shards).To(Equal([]string{"0/3", "1/3", "2/3"}))
	g.Expect(m.Commands[load.All].Latency.Count).To(Equal(int64(300)))
	// The merged max is the highest of the shards' maxima: exact, not estimated.
	var hi time.Duration
	for _, r := range reports {
		hi = max(hi, r.Commands[load.All].Latency.Max)
	}
	g.Expect(m.Commands[load.All].Latency.Max).To(Equal(hi))

	_, err = load.Merge(reports[0], reports[0])
	g.Expect(err).To(MatchError(ContainSubstring("shard 0/3 is in two reports")))
	other := *reports[1]
	other.Seed = 10
	_, err = load.Merge(reports[0], &other)
	g.Expect(err).To(MatchError(ContainSubstring("of another run")))
	_, err = load.ReadJSON(bytes.NewReader([]byte(`{"commands":{"all":{"latency":{"hdr":"bm90IGEgaGlzdG9ncmFt"}}},"lag":{"hdr":""},"service":{"hdr":""}}`)))
	g.Expect(err).To(HaveOccurred())
}

func TestThresholds(t *testing.T) {
	g := NewWithT(t)
	_, url := reference(t, "")
	rep := run(t, load.Config{Endpoint: webhook.Endpoint{URL: url}, Model: load.Open, Rate: 500, Count: 200})
	parse := func(s string) load.Threshold {
		th, err := load.ParseThreshold(s)
		g.Expect(err).NotTo(HaveOccurred(), s)
		return th
	}
	g.Expect(rep.Check([]load.Threshold{parse("p99<5s"), parse("errors<0.1%"), parse("destroy:p99<=5s"), parse("errors<1")})).To(BeTrue())
	g.Expect(rep.Check([]load.Threshold{parse("p50<1µs")})).To(BeFalse())
	g.Expect(rep.Thresholds[0].Actual).To(ContainSubstring("p50 = "))
	g.Expect(rep.Check([]load.Threshold{parse("rate>1000000")})).To(BeFalse())
	for _, bad := range []string{"p99", "p99<fast", "errors<lots", "p42<1s", "teleport:p99<1s", "create:rate>1"} {
		_, err := load.ParseThreshold(bad)
		g.Expect(err).To(HaveOccurred(), bad)
	}
}

func TestConfigErrors(t *testing.T) {
	g := NewWithT(t)
	for _, cfg := range []load.Config{
		{Endpoint: webhook.Endpoint{URL: "http://h", SDKAppID: 1}, Traffic: load.Rooms, RoomRate: -1},
		{Endpoint: webhook.Endpoint{URL: "http://h", SDKAppID: 1}, Rate: 1, Timeout: -time.Second},
		{Endpoint: webhook.Endpoint{URL: "http://h", SDKAppID: 1}, Rate: 1, Workers: -1},
		{Endpoint: webhook.Endpoint{URL: "http://h", SDKAppID: 1}, Model: load.Closed, Concurrency: -3},
		{Endpoint: webhook.Endpoint{URL: "http://h", SDKAppID: 1}, Rate: math.NaN()},
		{Endpoint: webhook.Endpoint{URL: "http://h", SDKAppID: 1}, Rate: 1, RampTo: math.Inf(1), Duration: time.Second},
		{Endpoint: webhook.Endpoint{URL: "x", SDKAppID: 1}, Rate: 1},
		{Endpoint: webhook.Endpoint{URL: "http://h", SDKAppID: 1}, Rate: 0},
		{Endpoint: webhook.Endpoint{URL: "http://h", SDKAppID: 1}, Rate: 1, Shard: load.Shard{Index: 3, Count: 2}},
		{Endpoint: webhook.Endpoint{URL: "http://h", SDKAppID: 1}, Model: load.Closed, Traffic: load.Rooms},
		{Endpoint: webhook.Endpoint{URL: "http://h", SDKAppID: 1}, Rate: 1, Weights: load.Weights{Modify: 1}},
	} {
		rep, err := load.Run(context.Background(), cfg)
		var cerr *load.ConfigError
		g.Expect(errors.As(err, &cerr)).To(BeTrue(), "%+v: a configuration error, not data: %v", cfg, err)
		g.Expect(rep).To(BeNil())
	}
	_, err := load.Run(context.Background(), load.Config{Endpoint: webhook.Endpoint{URL: "http://h", SDKAppID: 1}, Traffic: load.Rooms, RoomRate: -1})
	g.Expect(err).To(MatchError("rooms traffic: rate is -1 rooms/s: want a positive number"))
	_, err = load.ParseShard("2/2")
	g.Expect(err).To(HaveOccurred())
	s, err := load.ParseShard("1/4")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(s).To(Equal(load.Shard{Index: 1, Count: 4}))
	w, err := load.ParseWeights("create=1,modify=0,destroy=3")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(w).To(Equal(load.Weights{Create: 1, Destroy: 3}))
	_, err = load.ParseWeights("create=x")
	g.Expect(err).To(HaveOccurred())
}

// stalling is a receiver that answers nothing until the sender gives up; arrived tells of each
// request as it comes.
func stalling(t *testing.T) (url string, arrived <-chan struct{}) {
	t.Helper()
	ch := make(chan struct{}, 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case ch <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hook", ch
}

// The duration bounds the run: the requests in flight at its end are cut off, and those still
// waiting for a sender are not sent but counted. Before, each one waiting went out after the end
// and held the run up for a timeout of its own (50 s here).
func TestDurationBoundsAStalledRun(t *testing.T) {
	g := NewWithT(t)
	url, _ := stalling(t)
	cfg := load.Config{Endpoint: webhook.Endpoint{URL: url}, Model: load.Open, Rate: 100, Duration: time.Second, Workers: 1, Timeout: 500 * time.Millisecond}
	rep := run(t, cfg)
	g.Expect(rep.Sent+rep.Unsent).To(Equal(int64(100)), "every request due is either sent or counted as not sent")
	g.Expect(rep.Unsent).To(BeNumerically(">", 0))
	// The second request times out at about the run's end: which comes first is a race.
	g.Expect(rep.Outcomes[webhook.Timeout] + rep.Outcomes[webhook.CutOff]).To(Equal(rep.Sent))
	g.Expect(rep.Outcomes[webhook.Timeout]).To(BeNumerically(">=", 1))
	g.Expect(rep.Duration).To(BeNumerically("<", 10*time.Second), "the duration and one deadline, not a deadline per request due")
	var b bytes.Buffer
	g.Expect(rep.WriteText(&b)).To(Succeed())
	g.Expect(b.String()).To(ContainSubstring(fmt.Sprintf("Not sent: %d more were due before the end", rep.Unsent)))

	rooms := run(t, load.Config{Endpoint: webhook.Endpoint{URL: url}, Model: load.Open, Traffic: load.Rooms, Speedup: 3600, Duration: time.Second, Workers: 1, Timeout: 500 * time.Millisecond})
	g.Expect(rooms.Unsent).To(BeNumerically(">", 0))
	g.Expect(rooms.Duration).To(BeNumerically("<", 10*time.Second))

	closed := run(t, load.Config{Endpoint: webhook.Endpoint{URL: url}, Model: load.Closed, Concurrency: 2, Duration: time.Second, Timeout: 500 * time.Millisecond})
	g.Expect(closed.Sent).To(BeNumerically(">=", 2))
	g.Expect(closed.Duration).To(BeNumerically("<", 10*time.Second))
}

// The duration bounds the run's wall time even when the deadline of each request is far longer
// (load --duration 3s --timeout 1m took 62.6 s against a stalling target): the requests in flight
// at the end are canceled then and counted as cut off, neither acknowledged nor errors, and every
// request sent is in the figures. Each model, each traffic and delivery conditions alike.
func TestTheDurationCutsOffTheRequestsInFlight(t *testing.T) {
	url, _ := stalling(t)
	ep := webhook.Endpoint{URL: url}
	cond, err := delivery.Parse("duplicate=50%,delay=10ms")
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]load.Config{
		"open":     {Model: load.Open, Rate: 50, Workers: 4},
		"closed":   {Model: load.Closed, Concurrency: 3},
		"rooms":    {Model: load.Open, Traffic: load.Rooms, Speedup: 3600, Workers: 2},
		"delivery": {Model: load.Closed, Concurrency: 2, Delivery: cond},
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			cfg.Endpoint, cfg.Duration, cfg.Timeout = ep, 300*time.Millisecond, 30*time.Second
			rep := run(t, cfg)
			g.Expect(rep.Duration).To(BeNumerically("<", 10*time.Second), "the duration, not the requests' deadline")
			g.Expect(rep.Sent).To(BeNumerically(">=", 1))
			g.Expect(rep.Outcomes).To(Equal(map[webhook.Outcome]int64{webhook.CutOff: rep.Sent}), "every request sent, cut off")
			all := rep.Commands[load.All]
			g.Expect(all.Sent).To(Equal(rep.Sent))
			g.Expect(all.Judged()).To(BeZero())
			g.Expect(all.Errors()).To(BeZero(), "a request cut off before its deadline is no error")
			g.Expect(all.Latency.Count).To(BeZero(), "nor has it a latency")
			g.Expect(rep.Check(load.DefaultThresholds())).To(BeFalse(), "a run that acknowledged nothing fails")
			var b bytes.Buffer
			g.Expect(rep.WriteText(&b)).To(Succeed())
			g.Expect(b.String()).To(ContainSubstring("Cut off: " + plural(rep.Sent, "request") + " still waiting for an answer when the run's duration ended"))
			g.Expect(b.String()).To(MatchRegexp(`it took the connections, but %d webhooks? timed out or (was|were) cut off`, rep.Sent))
			b.Reset()
			g.Expect(rep.WriteHTML(&b)).To(Succeed())
			g.Expect(b.String()).To(ContainSubstring("Cut off: " + plural(rep.Sent, "request") + " still waiting"))
		})
	}
}

// A correct receiver's run ends at its duration with the few requests in flight then cut off,
// not counted against it: the default thresholds pass.
func TestACutOffIsNoError(t *testing.T) {
	g := NewWithT(t)
	_, url := reference(t, "")
	rep := run(t, load.Config{Endpoint: webhook.Endpoint{URL: url, SDKAppID: appID}, Model: load.Closed, Concurrency: 4, Duration: 300 * time.Millisecond})
	g.Expect(rep.Outcomes[webhook.Acknowledged] + rep.Outcomes[webhook.CutOff]).To(Equal(rep.Sent))
	g.Expect(rep.ErrorRate(load.All)).To(BeZero())
	g.Expect(rep.Check(load.DefaultThresholds())).To(BeTrue())
}

// A second interrupt (Abort) abandons the requests in flight, which are counted as canceled.
func TestAbortAbandonsTheRequestsInFlight(t *testing.T) {
	g := NewWithT(t)
	url, arrived := stalling(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	abort := make(chan struct{})
	go func() {
		<-arrived
		cancel()
		close(abort)
	}()
	rep, err := load.Run(ctx, load.Config{Endpoint: webhook.Endpoint{URL: url, SDKAppID: appID}, Model: load.Closed, Concurrency: 3,
		Duration: time.Hour, Timeout: time.Hour, Abort: abort})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rep.Interrupted).To(BeTrue())
	g.Expect(rep.Sent).To(BeNumerically(">=", 1))
	g.Expect(rep.Outcomes).To(Equal(map[webhook.Outcome]int64{webhook.Canceled: rep.Sent}))
	g.Expect(rep.Unsent).To(BeZero(), "an interrupted run waited for nothing more")
}

// Seed 0 picks a seed, and the report gives the one used.
func TestSeedZeroIsReportedAsTheSeedUsed(t *testing.T) {
	g := NewWithT(t)
	_, url := reference(t, "")
	rep := run(t, load.Config{Endpoint: webhook.Endpoint{URL: url}, Model: load.Open, Rate: 500, Count: 5})
	g.Expect(rep.Seed).NotTo(BeZero())
}

func TestDefaultThresholds(t *testing.T) {
	g := NewWithT(t)
	ok := &load.Report{Sent: 1000, Commands: map[string]*load.CommandStats{load.All: {Sent: 1000, Outcomes: map[webhook.Outcome]int64{webhook.Acknowledged: 990, webhook.Timeout: 10}}}}
	g.Expect(ok.Check(load.DefaultThresholds())).To(BeTrue(), "1%% not acknowledged is within the default")
	g.Expect(ok.Thresholds[0].Default).To(BeTrue())
	bad := &load.Report{Sent: 1000, Commands: map[string]*load.CommandStats{load.All: {Sent: 1000, Outcomes: map[webhook.Outcome]int64{webhook.Acknowledged: 989, webhook.BadStatus: 11}}}}
	g.Expect(bad.Check(load.DefaultThresholds())).To(BeFalse(), "over 1%% is not")
	none := &load.Report{}
	g.Expect(none.Check(load.DefaultThresholds())).To(BeFalse(), "a run that acknowledged nothing fails")
	th, err := load.ParseThreshold("acknowledged>=1000")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(bad.Check([]load.Threshold{th})).To(BeFalse())
	_, err = load.ParseThreshold("acknowledged>1.5")
	g.Expect(err).To(MatchError(ContainSubstring("acknowledged takes a count")))
}

// Reports written before BadStatus was named bad_status still read, under the new name.
func TestOldOutcomeNamesRead(t *testing.T) {
	g := NewWithT(t)
	_, url := reference(t, "")
	rep := run(t, load.Config{Endpoint: webhook.Endpoint{URL: url}, Model: load.Open, Rate: 500, Count: 4})
	var b bytes.Buffer
	g.Expect(rep.WriteJSON(&b)).To(Succeed())
	old := strings.Replace(b.String(), `"outcomes": {`, `"outcomes": {"status": 2, `, 1)
	back, err := load.ReadJSON(strings.NewReader(old))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(back.Outcomes).To(HaveKeyWithValue(webhook.BadStatus, int64(2)))
	g.Expect(back.Outcomes).To(Equal(map[webhook.Outcome]int64{webhook.Acknowledged: rep.Outcomes[webhook.Acknowledged], webhook.BadStatus: 2}), "no outcome under the old name")
}

// Under delivery conditions a load run redelivers events (a second request with the same body,
// signed afresh or with the same URL), holds webhooks back behind their room's next one, and
// signs off the clock; every request is still counted, and the receiver sees what was counted.
func TestDeliveryConditions(t *testing.T) {
	g := NewWithT(t)
	var mu sync.Mutex
	bodies := map[string]int{}
	var createdAfter, requestTimes []int64
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, Token: "tok", LogSize: -1, MaxSkew: time.Hour})
	g.Expect(err).NotTo(HaveOccurred())
	created := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		if ev, err := webhook.Decode(b); err == nil {
			mu.Lock()
			bodies[string(b)]++
			if _, ok := ev.(*webhook.CreateRoom); ok {
				created[ev.Room()] = true
			} else if !created[ev.Room()] {
				createdAfter = append(createdAfter, 1)
			}
			rt, _ := strconv.ParseInt(r.URL.Query().Get("RequestTime"), 10, 64)
			requestTimes = append(requestTimes, rt-time.Now().Unix())
			mu.Unlock()
		}
		rv.ServeHTTP(w, r)
	}))
	defer srv.Close()
	rep := run(t, load.Config{Endpoint: webhook.Endpoint{URL: srv.URL, Token: "tok"}, Model: load.Closed, Concurrency: 4, Count: 2000, Seed: 5,
		Delivery: delivery.Conditions{Duplicate: 0.1, Reorder: 0.2, Skew: 5 * time.Minute}})
	g.Expect(rep.Delivery).To(Equal("duplicate=10%,reorder=20%,skew=+5m0s"))
	g.Expect(rep.Redelivered).To(BeNumerically("~", 200, 80))
	g.Expect(rep.Reordered).To(BeNumerically(">", 50))
	g.Expect(rep.Sent).To(Equal(2000+rep.Redelivered-rep.Unsent), "a redelivery is a request of its own")
	g.Expect(rep.Outcomes[webhook.Acknowledged]).To(Equal(rep.Sent), "%+v", rep.Errors)
	accepted, rejected := rv.Counts()
	g.Expect(int64(accepted)+int64(rejected)).To(Equal(rep.Sent), "every request sent is counted")
	twice := 0
	for _, n := range bodies {
		if n > 1 {
			twice++
		}
	}
	g.Expect(int64(twice)).To(BeNumerically(">=", rep.Redelivered*9/10), "the same event arrives twice")
	g.Expect(createdAfter).NotTo(BeEmpty(), "changes arrive before their room's creation")
	for _, d := range requestTimes {
		g.Expect(d).To(BeNumerically("~", 300, 2), "RequestTime is 5 minutes ahead")
	}

	_, err = load.Run(context.Background(), load.Config{Endpoint: webhook.Endpoint{URL: srv.URL, SDKAppID: appID}, Delivery: delivery.Conditions{Concurrency: 8}})
	g.Expect(err).To(MatchError(ContainSubstring("concurrency does not apply to load runs")))
}

// plural is how the reports count: "1 request was", "2 requests were".
func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word + " was"
	}
	return fmt.Sprintf("%d %ss were", n, word)
}

// The model and the traffic read back from a report by name, and unknown names are refused.
func TestModelText(t *testing.T) {
	g := NewWithT(t)
	for _, m := range []load.Model{load.Open, load.Closed} {
		b, err := m.MarshalText()
		g.Expect(err).NotTo(HaveOccurred())
		var back load.Model
		g.Expect(back.UnmarshalText(b)).To(Succeed())
		g.Expect(back).To(Equal(m))
	}
	g.Expect(load.Open.String()).To(Equal("open"))
	var m load.Model
	g.Expect(m.UnmarshalText([]byte("ajar"))).To(MatchError(`unknown model "ajar": want open or closed`))
	_, err := load.Model(7).MarshalText()
	g.Expect(err).To(HaveOccurred())

	for _, tr := range []load.TrafficKind{load.Mix, load.Rooms} {
		b, err := tr.MarshalText()
		g.Expect(err).NotTo(HaveOccurred())
		var back load.TrafficKind
		g.Expect(back.UnmarshalText(b)).To(Succeed())
		g.Expect(back).To(Equal(tr))
	}
	g.Expect(load.Rooms.String()).To(Equal("rooms"))
	var tr load.TrafficKind
	g.Expect(tr.UnmarshalText([]byte("jam"))).To(MatchError(`unknown traffic "jam": want mix or rooms`))
	g.Expect(load.Config{Endpoint: webhook.Endpoint{URL: "http://127.0.0.1:1/h", SDKAppID: 1}, Rate: 1, Traffic: 9}.Validate()).To(MatchError(ContainSubstring("traffic 9: want Mix or Rooms")))
}

// A field of one model or traffic set for another is refused by the configuration itself, not
// only by the CLI, and each such field is named; the defaults are no choice and pass.
func TestConfigRefusesFieldsOfAnotherRun(t *testing.T) {
	g := NewWithT(t)
	ep := webhook.Endpoint{URL: "http://127.0.0.1:1/hook", SDKAppID: 1}
	for _, tc := range []struct {
		cfg   load.Config
		field string
		msg   string
	}{
		{load.Config{Endpoint: ep, Model: load.Closed, Rate: 5}, "rate", "rate applies only to the open model's flat mix, and this run is the closed model with the flat mix"},
		{load.Config{Endpoint: ep, Model: load.Closed, RampTo: 50, Duration: time.Second}, "ramp-to", "ramp-to applies only to the open model's flat mix"},
		{load.Config{Endpoint: ep, Model: load.Open, Traffic: load.Rooms, Rate: 5}, "rate", "rate applies only to the open model's flat mix, and this run is the open model with the rooms traffic"},
		{load.Config{Endpoint: ep, Model: load.Closed, Workers: 8}, "workers", "workers applies only to the open model"},
		{load.Config{Endpoint: ep, Model: load.Open, Rate: 5, Concurrency: 3}, "concurrency", "concurrency applies only to the closed model, and this run is the open model"},
		{load.Config{Endpoint: ep, Traffic: load.Rooms, Weights: load.Weights{Create: 1}}, "weights", "weights applies only to the flat mix"},
		{load.Config{Endpoint: ep, Rate: 5, Speedup: 5}, "speedup", "speedup applies only to the rooms traffic, and this run is the open model with the flat mix"},
		{load.Config{Endpoint: ep, Rate: 5, RoomRate: 2}, "room-rate", "room-rate applies only to the rooms traffic"},
	} {
		err := tc.cfg.Validate()
		var se *load.ScopeError
		g.Expect(errors.As(err, &se)).To(BeTrue(), "%+v: %v", tc.cfg, err)
		g.Expect(se.Field).To(Equal(tc.field))
		g.Expect(err).To(MatchError(ContainSubstring(tc.msg)))
		rep, err := load.Run(context.Background(), tc.cfg)
		g.Expect(err).To(MatchError(ContainSubstring(tc.msg)), "Run refuses it too")
		g.Expect(rep).To(BeNil())
	}
	for _, ok := range []load.Config{
		{Endpoint: ep, Model: load.Open, Rate: 5, RampTo: 10, Duration: time.Second, Workers: 2, Weights: load.DefaultWeights},
		{Endpoint: ep, Model: load.Closed, Concurrency: 3},
		{Endpoint: ep, Model: load.Open, Traffic: load.Rooms, Speedup: 60, RoomRate: 1, Workers: 4},
	} {
		g.Expect(ok.Validate()).To(Succeed(), "%+v", ok)
	}
}

// The outcomes are typed, and the JSON still names them: the same strings as before.
func TestReportJSONNamesTheOutcomes(t *testing.T) {
	g := NewWithT(t)
	rep := &load.Report{Model: load.Closed, Sent: 3, Outcomes: map[webhook.Outcome]int64{webhook.Acknowledged: 1, webhook.BadStatus: 1, webhook.CutOff: 1}}
	var b bytes.Buffer
	g.Expect(rep.WriteJSON(&b)).To(Succeed())
	g.Expect(b.String()).To(ContainSubstring(`"model": "closed"`))
	g.Expect(b.String()).To(ContainSubstring(`"acknowledged": 1`))
	g.Expect(b.String()).To(ContainSubstring(`"bad_status": 1`))
	g.Expect(b.String()).To(ContainSubstring(`"cut_off": 1`))
	var back struct {
		Outcomes map[webhook.Outcome]int64 `json:"outcomes"`
	}
	g.Expect(json.Unmarshal(b.Bytes(), &back)).To(Succeed())
	g.Expect(back.Outcomes).To(Equal(rep.Outcomes))
	g.Expect(json.Unmarshal([]byte(`{"outcomes":{"lost":1}}`), &back)).To(MatchError(ContainSubstring(`unknown outcome "lost"`)))
}
