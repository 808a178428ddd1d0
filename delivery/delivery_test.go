package delivery_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

func TestParseRoundTrip(t *testing.T) {
	g := NewWithT(t)
	c, err := delivery.Parse("concurrency=32, duplicate=1.5%,reorder=0.1,delay=20ms,jitter=5ms,skew=-75s,retry=same-url")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c).To(Equal(delivery.Conditions{Concurrency: 32, Duplicate: 0.015, Reorder: 0.1, Delay: 20 * time.Millisecond,
		Jitter: 5 * time.Millisecond, Skew: -75 * time.Second, SameURL: true}))
	again, err := delivery.Parse(c.String())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(again).To(Equal(c))
	g.Expect(delivery.Conditions{}.String()).To(Equal("none"))
	plus, err := delivery.Parse("skew=+62s")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(plus.Skew).To(Equal(62 * time.Second))
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		"duplicate=150%":           "from 0% to 100%",
		"duplicate=often":          "want a share such as 1%",
		"concurrency=0x10":         "want a whole number",
		"concurrency=-1":           "concurrency is -1",
		"delay=-5ms":               "negative",
		"delay=5":                  "want a duration",
		"skew=48h":                 "at most 24h0m0s either way",
		"retry=twice":              "fresh-sign or same-url",
		"reorder=1%,reorder=2%":    "given twice",
		"dupilcate=1%":             `unknown delivery condition "dupilcate"`,
		"duplicate":                "want key=value",
		"concurrency=99999":        "want 1 to 4096",
		"jitter=2m":                "jitter is 2m0s",
		"duplicate=NaN%":           "want a share",
		"reorder=1%,,duplicate=1%": "want key=value",
	} {
		_, err := delivery.Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", in, err, want)
		}
	}
}

// items makes n rooms of create, two admin changes and a destroy, interleaved room by room.
func items(rooms int) []*delivery.Item {
	var out []*delivery.Item
	cmds := []webhook.Command{webhook.CommandCreateRoom, webhook.CommandModifyAdmin, webhook.CommandModifyAdmin, webhook.CommandDestroyRoom}
	for step, cmd := range cmds {
		for r := range rooms {
			room := fmt.Sprintf("room_%d", r)
			body := fmt.Sprintf(`{"room":%q,"step":%d}`, room, step)
			out = append(out, &delivery.Item{Room: room, Command: cmd, Body: []byte(body), Tag: step,
				URL: func(now time.Time, skew time.Duration) string { return "" }})
		}
	}
	return out
}

func plan(c delivery.Conditions, seed int64, its []*delivery.Item) []delivery.Delivery {
	p := delivery.NewPlanner(c, seed)
	var out []delivery.Delivery
	for _, it := range its {
		out = append(out, p.Add(it)...)
	}
	return append(out, p.Flush()...)
}

func describe(ds []delivery.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s/%v/%d/%s/%v/%v", d.Item.Room, d.Item.Tag, d.Attempt, d.Overtook, d.Overtaken, d.Wait))
	}
	return out
}

func TestPlanIsReproducible(t *testing.T) {
	g := NewWithT(t)
	c := delivery.Conditions{Duplicate: 0.3, Reorder: 0.3, Delay: time.Millisecond, Jitter: time.Millisecond}
	its := items(50)
	a, b := plan(c, 7, its), plan(c, 7, its)
	g.Expect(describe(a)).To(Equal(describe(b)), "same seed, same schedule")
	g.Expect(describe(plan(c, 8, its))).NotTo(Equal(describe(a)), "another seed, another schedule")
}

func TestPlanKeepsEveryItemAndTheRules(t *testing.T) {
	g := NewWithT(t)
	its := items(50) // a room's next webhook comes 50 items later, within the planner's window
	ds := plan(delivery.Conditions{Duplicate: 0.1, Reorder: 0.2}, 1, its)
	seen := map[*delivery.Item]int{}
	dups, reordered := 0, 0
	for i, d := range ds {
		seen[d.Item]++
		if d.Attempt == 2 {
			dups++
			g.Expect(ds[i-1].Item).To(BeIdenticalTo(d.Item), "a redelivery follows its first delivery")
		}
		if d.Overtook != "" {
			reordered++
			g.Expect(d.Item.Command).NotTo(Equal(webhook.CommandCreateRoom))
		}
		if d.Overtaken {
			g.Expect(d.Item.Command).NotTo(Equal(webhook.CommandDestroyRoom), "a destroy is never held back")
		}
	}
	for _, it := range its {
		g.Expect(seen[it]).To(BeNumerically(">=", 1), "every item is delivered")
		g.Expect(seen[it]).To(BeNumerically("<=", 2))
	}
	g.Expect(len(ds)).To(Equal(len(its) + dups))
	// 200 items, 10% of them redelivered, 20% of the 150 that may be held: wide bounds, a fixed seed.
	g.Expect(dups).To(BeNumerically("~", 20, 12))
	g.Expect(reordered).To(BeNumerically("~", 30, 18))
}

func TestPlanWithoutConditionsIsTheInput(t *testing.T) {
	g := NewWithT(t)
	its := items(5)
	ds := plan(delivery.Conditions{}, 1, its)
	g.Expect(ds).To(HaveLen(len(its)))
	for i, d := range ds {
		g.Expect(d.Item).To(BeIdenticalTo(its[i]))
		g.Expect(d.Condition(0)).To(BeEmpty())
	}
}

func TestPlanReleasesAHeldItemAfterItsWindow(t *testing.T) {
	g := NewWithT(t)
	p := delivery.NewPlanner(delivery.Conditions{Reorder: 1}, 1)
	p.Window = 3
	lone := &delivery.Item{Room: "quiet", Command: webhook.CommandCreateRoom}
	g.Expect(p.Add(lone)).To(BeEmpty(), "held back for the room's next webhook")
	var got []delivery.Delivery
	for i := range 4 {
		got = append(got, p.Add(&delivery.Item{Room: fmt.Sprintf("busy%d", i), Command: webhook.CommandDestroyRoom})...)
	}
	g.Expect(got).To(ContainElement(HaveField("Item", BeIdenticalTo(lone))), "released in order once the window passed")
}

func TestConditionNamesWhatWasDone(t *testing.T) {
	g := NewWithT(t)
	mod := &delivery.Item{Command: webhook.CommandModifyAdmin}
	g.Expect(delivery.Delivery{Item: mod, Attempt: 2}.Condition(0)).To(Equal("second delivery of the same event (a retry)"))
	g.Expect(delivery.Delivery{Item: mod, Attempt: 1, Overtook: webhook.CommandCreateRoom}.Condition(31)).
		To(Equal("an admin change sent before its room's creation (reordered), while 31 other webhooks were in flight"))
	g.Expect(delivery.Delivery{Item: mod, Attempt: 1, Skew: 62 * time.Second}.Condition(0)).To(Equal("RequestTime +1m2s off the receiver's clock"))
}

// recorder is a receiver that records what arrives per room and how many requests were in flight.
type recorder struct {
	mu       sync.Mutex
	byRoom   map[string][]string
	urls     []string
	flight   atomic.Int64
	maxSeen  atomic.Int64
	gate     chan struct{} // closed once enough requests are in flight at once
	gateOnce sync.Once
	want     int64
}

func newRecorder(want int) *recorder {
	return &recorder{byRoom: map[string][]string{}, gate: make(chan struct{}), want: int64(want)}
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	n := r.flight.Add(1)
	defer r.flight.Add(-1)
	for m := r.maxSeen.Load(); n > m && !r.maxSeen.CompareAndSwap(m, n); m = r.maxSeen.Load() {
	}
	if n >= r.want {
		r.gateOnce.Do(func() { close(r.gate) })
	}
	// Hold each request until enough are in flight at once (or a bound passes): proof of concurrency.
	t := time.NewTimer(2 * time.Second)
	select {
	case <-r.gate:
	case <-t.C:
	}
	t.Stop()
	b, _ := io.ReadAll(req.Body)
	var room string
	fmt.Sscanf(strings.SplitN(string(b), `"`, 5)[3], "%s", &room)
	r.mu.Lock()
	r.byRoom[room] = append(r.byRoom[room], string(b))
	r.urls = append(r.urls, req.URL.String())
	r.mu.Unlock()
	_, _ = w.Write(webhook.Acknowledgement)
}

func TestDispatcherDeliversConcurrentlyInRoomOrder(t *testing.T) {
	g := NewWithT(t)
	rec := newRecorder(8)
	srv := httptest.NewServer(rec)
	defer srv.Close()
	var mu sync.Mutex
	var outs []delivery.Record
	d, err := delivery.NewDispatcher(delivery.Config{
		Client:     sender.NewClient(sender.WithTimeout(5 * time.Second)),
		Conditions: delivery.Conditions{Concurrency: 8},
		Report: func(o delivery.Record) {
			mu.Lock()
			outs = append(outs, o)
			mu.Unlock()
		},
	})
	g.Expect(err).NotTo(HaveOccurred())
	its := items(16)
	for _, it := range its {
		it.URL = func(time.Time, time.Duration) string { return srv.URL + "/hook" }
		g.Expect(d.Enqueue(it)).To(Succeed())
	}
	d.Close()
	g.Expect(d.Enqueue(its[0])).To(MatchError(delivery.ErrClosed))
	g.Expect(outs).To(HaveLen(len(its)), "every delivery is reported once")
	for _, o := range outs {
		g.Expect(o.Result.Outcome).To(Equal(webhook.Acknowledged), "%v", o.Result.Err)
	}
	g.Expect(rec.maxSeen.Load()).To(BeNumerically(">=", 8), "8 in flight at once")
	for room, bodies := range rec.byRoom {
		g.Expect(bodies).To(HaveLen(4), room)
		for step, b := range bodies {
			g.Expect(b).To(ContainSubstring(fmt.Sprintf(`"step":%d`, step)), "room %s keeps its order", room)
		}
	}
}

func TestDispatcherRedeliversAndSigns(t *testing.T) {
	g := NewWithT(t)
	for _, same := range []bool{false, true} {
		rec := newRecorder(1)
		srv := httptest.NewServer(rec)
		clock := time.Unix(1_700_000_000, 0)
		var mu sync.Mutex
		tick := func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			clock = clock.Add(10 * time.Second)
			return clock
		}
		d, err := delivery.NewDispatcher(delivery.Config{
			Client: sender.NewClient(), Now: tick,
			Conditions: delivery.Conditions{Duplicate: 1, SameURL: same, Skew: 75 * time.Second},
		})
		g.Expect(err).NotTo(HaveOccurred())
		ep := webhook.Endpoint{URL: srv.URL, SDKAppID: 1400000001, Token: "tok"}
		it, err := delivery.NewItem(ep, webhook.Message{Event: &webhook.ModifyAdmin{RoomId: "r1", AdminAccount: []string{"a"}, OpType: "add"}}, webhook.URLOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(d.Enqueue(it)).To(Succeed())
		d.Close()
		srv.Close()
		g.Expect(rec.urls).To(HaveLen(2), "delivered twice")
		g.Expect(rec.urls[0]).To(ContainSubstring("RequestTime=1700000085"), "the first: clock + 10s, skewed +75s")
		if same {
			g.Expect(rec.urls[1]).To(Equal(rec.urls[0]), "retry=same-url resends the URL exactly")
		} else {
			g.Expect(rec.urls[1]).To(ContainSubstring("RequestTime=1700000095"), "a fresh RequestTime and Sign")
		}
	}
}

func TestShutdownIsBoundedAndLosesNothing(t *testing.T) {
	g := NewWithT(t)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // a receiver that never answers
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	var reported, other atomic.Int64
	d, err := delivery.NewDispatcher(delivery.Config{
		Client:     sender.NewClient(sender.WithTimeout(time.Hour)),
		Conditions: delivery.Conditions{Concurrency: 2},
		Report: func(o delivery.Record) {
			reported.Add(1)
			if o.Result.Outcome != webhook.Canceled {
				other.Add(1)
			}
		},
	})
	g.Expect(err).NotTo(HaveOccurred())
	its := items(10)
	for _, it := range its {
		it.URL = func(time.Time, time.Duration) string { return srv.URL }
		g.Expect(d.Enqueue(it)).To(Succeed())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	g.Expect(d.Shutdown(ctx)).To(MatchError(context.DeadlineExceeded))
	g.Expect(reported.Load()).To(BeEquivalentTo(len(its)), "every delivery reported, none lost")
	g.Expect(other.Load()).To(BeZero(), "each one canceled")
}

func TestRetriesOnTimeout(t *testing.T) {
	g := NewWithT(t)
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			<-r.Context().Done() // the first attempt stalls past the deadline
			return
		}
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	defer srv.Close()
	var out delivery.Record
	d, err := delivery.NewDispatcher(delivery.Config{
		Client: sender.NewClient(sender.WithTimeout(50 * time.Millisecond)), Retries: 2,
		Report: func(o delivery.Record) { out = o },
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(d.Enqueue(&delivery.Item{Room: "r", Command: webhook.CommandCreateRoom, URL: func(time.Time, time.Duration) string { return srv.URL }})).To(Succeed())
	d.Close()
	g.Expect(out.Tries).To(Equal(2))
	g.Expect(out.Result.Outcome).To(Equal(webhook.Acknowledged))
}

func TestAbandonReportsEveryDeliveryUnsent(t *testing.T) {
	g := NewWithT(t)
	var mu sync.Mutex
	var outs []delivery.Record
	d, err := delivery.NewDispatcher(delivery.Config{
		Client: sender.NewClient(), Burst: true, Conditions: delivery.Conditions{Reorder: 1, Concurrency: 4},
		Report: func(o delivery.Record) {
			mu.Lock()
			outs = append(outs, o)
			mu.Unlock()
		},
	})
	g.Expect(err).NotTo(HaveOccurred())
	its := items(6) // with reorder 100%, some are held back by the planner, the rest queued
	for _, it := range its {
		g.Expect(d.Enqueue(it)).To(Succeed())
	}
	d.Abandon()
	d.Close()
	g.Expect(outs).To(HaveLen(len(its)), "queued and held back alike are reported")
	for _, o := range outs {
		g.Expect(o.Sent()).To(BeFalse())
	}
}

// TryEnqueue takes an item while the dispatcher has room and refuses it, without waiting, when
// it is full or shut down; what it takes is delivered in order with what Enqueue takes.
func TestTryEnqueueNeverWaits(t *testing.T) {
	g := NewWithT(t)
	release, arrived := make(chan struct{}), make(chan struct{}, 16)
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	defer srv.Close()
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	defer open() // before srv.Close, even when an expectation fails
	d, err := delivery.NewDispatcher(delivery.Config{Client: sender.NewClient(sender.WithTimeout(time.Minute)), QueueSize: 3})
	g.Expect(err).NotTo(HaveOccurred())
	its := items(2) // two rooms, four steps each
	var room0, room1 []*delivery.Item
	for _, it := range its {
		it.URL = func(time.Time, time.Duration) string { return srv.URL }
		if it.Room == its[0].Room {
			room0 = append(room0, it)
		} else {
			room1 = append(room1, it)
		}
	}
	g.Expect(d.TryEnqueue(room0[0])).To(BeTrue())
	<-arrived // in flight: it no longer counts against the limit
	g.Expect(d.Enqueue(room0[1])).To(Succeed())
	g.Expect(d.TryEnqueue(room0[2])).To(BeTrue())
	g.Expect(d.TryEnqueue(room0[3])).To(BeTrue())
	g.Expect(d.TryEnqueue(room1[0])).To(BeFalse(), "three held besides the one in flight: the limit")
	open()
	g.Expect(d.Enqueue(room1[0])).To(Succeed(), "Enqueue waits for room instead")
	d.Close()
	g.Expect(d.TryEnqueue(room1[1])).To(BeFalse(), "shut down")
	g.Expect(got).To(HaveLen(5))
	var order []string
	for _, b := range got {
		if strings.Contains(b, its[0].Room) {
			order = append(order, b)
		}
	}
	g.Expect(order).To(HaveLen(4))
	for step, b := range order {
		g.Expect(b).To(ContainSubstring(fmt.Sprintf(`"step":%d`, step)), "in the order taken")
	}
}

// pairs answers a request only when the other delivery of the same body is in flight too (or
// after a bound, with 503): a redelivery that overlaps its first attempt gets OK, one sent
// after the first was answered does not.
type pairs struct {
	mu      sync.Mutex
	waiting map[string]chan struct{}
	ok      atomic.Int64
}

func (p *pairs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := string(body)
	p.mu.Lock()
	ch, partner := p.waiting[key]
	if partner {
		delete(p.waiting, key)
		close(ch)
	} else {
		ch = make(chan struct{})
		p.waiting[key] = ch
	}
	p.mu.Unlock()
	if !partner {
		t := time.NewTimer(5 * time.Second)
		defer t.Stop()
		select {
		case <-ch:
		case <-t.C:
			http.Error(w, "no overlapping delivery came", http.StatusServiceUnavailable)
			return
		}
	}
	p.ok.Add(1)
	_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
}

func TestOverlapSendsTheRetryWhileTheFirstIsInFlight(t *testing.T) {
	g := NewWithT(t)
	p := &pairs{waiting: map[string]chan struct{}{}}
	srv := httptest.NewServer(p)
	defer srv.Close()
	var mu sync.Mutex
	var outs []delivery.Record
	d, err := delivery.NewDispatcher(delivery.Config{
		Client: sender.NewClient(sender.WithTimeout(10 * time.Second)), Conditions: delivery.Conditions{Overlap: 1},
		Report: func(o delivery.Record) { mu.Lock(); outs = append(outs, o); mu.Unlock() },
	})
	g.Expect(err).NotTo(HaveOccurred())
	for _, it := range items(3) {
		it.URL = func(time.Time, time.Duration) string { return srv.URL }
		g.Expect(d.Enqueue(it)).To(Succeed())
	}
	d.Close()
	g.Expect(outs).To(HaveLen(24), "every webhook twice, each reported")
	for _, o := range outs {
		g.Expect(o.Result.Outcome).To(Equal(webhook.Acknowledged), "%s: %v", o.Condition(), o.Result.Err)
		g.Expect(o.Condition()).To(Or(HavePrefix("first of two deliveries of the same event in flight at once (an overlapping retry)"),
			HavePrefix("second of two deliveries of the same event in flight at once (an overlapping retry)")))
	}
	g.Expect(p.ok.Load()).To(Equal(int64(24)))
	g.Expect(p.waiting).To(BeEmpty())
}

func TestOverlapParsesAndPlans(t *testing.T) {
	g := NewWithT(t)
	c, err := delivery.Parse("overlap=25%")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.Overlap).To(Equal(0.25))
	g.Expect(c.String()).To(Equal("overlap=25%"))
	_, err = delivery.Parse("overlap=125%")
	g.Expect(err).To(MatchError(ContainSubstring("overlap")))
	ds := plan(delivery.Conditions{Overlap: 1}, 1, items(2))
	g.Expect(ds).To(HaveLen(8), "one entry a webhook: the overlapping retry goes with it")
	for _, d := range ds {
		g.Expect(d.Overlapped).To(BeTrue())
	}
}
