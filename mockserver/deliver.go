package mockserver

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"github.com/livehook/livehook/webhook"
)

// Delivery is what became of one webhook the mock backend fired.
type Delivery struct {
	Seq     uint64 `json:"seq"`
	Command string `json:"command"`
	RoomId  string `json:"room_id"`
	URL     string `json:"url"`
	// Body is the webhook's body.
	Body json.RawMessage `json:"body"`
	// Fired is when the REST call fired it; Done when its last attempt ended.
	Fired time.Time `json:"fired"`
	Done  time.Time `json:"done"`
	// Delay is from firing to the answer: the wait in the queue plus the receiver's latency.
	Delay    time.Duration `json:"delay_ns"`
	Attempts int           `json:"attempts"`
	// Acknowledged reports an answer of HTTP 200 with OK/0.
	Acknowledged bool   `json:"acknowledged"`
	Outcome      string `json:"outcome"`
	Status       int    `json:"status,omitempty"`
	Error        string `json:"error,omitempty"`
}

// job is a webhook waiting for its delivery.
type job struct {
	seq      uint64
	cmd      webhook.Command
	room     string
	endpoint webhook.Endpoint
	meta     webhook.Meta
	body     []byte
	fired    time.Time
}

// dispatcher delivers webhooks on a fixed set of workers; a room's webhooks always go through
// the same worker, so they arrive in the order they were fired.
type dispatcher struct {
	s      *Server
	queues []chan job
	wg     sync.WaitGroup
}

func newDispatcher(s *Server, workers int) *dispatcher {
	d := &dispatcher{s: s, queues: make([]chan job, workers)}
	for i := range d.queues {
		q := make(chan job, 1024)
		d.queues[i] = q
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			for j := range q {
				d.s.log.record(d.deliver(j))
			}
		}()
	}
	return d
}

// enqueue queues a webhook; the caller holds s.mu, so webhooks enter the queues in the order of
// the state changes that fired them.
func (d *dispatcher) enqueue(j job) {
	h := fnv.New32a()
	h.Write([]byte(j.room))
	d.queues[h.Sum32()%uint32(len(d.queues))] <- j
}

// close delivers what is queued and waits for the workers.
func (d *dispatcher) close() {
	for _, q := range d.queues {
		close(q)
	}
	d.wg.Wait()
}

func (d *dispatcher) deliver(j job) Delivery {
	s := d.s
	out := Delivery{Seq: j.seq, Command: string(j.cmd), RoomId: j.room, Body: j.body, Fired: j.fired}
	for {
		out.Attempts++
		// Signed when sent, so that RequestTime is fresh on a retry too.
		url := j.endpoint.RequestURL(j.cmd, j.meta, webhook.URLOptions{Now: s.cfg.Now()})
		res := s.client.Do(context.Background(), webhook.Request{Command: j.cmd, URL: url, Body: j.body})
		out.URL, out.Outcome, out.Status = url, res.Outcome.String(), res.Answer.Status
		out.Acknowledged = res.Outcome == webhook.Acknowledged
		out.Error = ""
		if res.Err != nil {
			out.Error = res.Err.Error()
		}
		if res.Outcome != webhook.Timeout || out.Attempts > s.cfg.Retries {
			break
		}
		t := time.NewTimer(s.cfg.RetryBackoff)
		<-t.C
	}
	out.Done = time.Now()
	out.Delay = out.Done.Sub(j.fired)
	verdict := "acknowledged"
	if !out.Acknowledged {
		verdict = out.Outcome + ": " + out.Error
	}
	s.logf("webhook #%d %s %s -> %s (%s)", out.Seq, j.cmd.Short(), j.room, verdict, out.Delay.Round(time.Microsecond))
	return out
}

// deliveryLog keeps the newest deliveries and counts them all.
type deliveryLog struct {
	mu           sync.Mutex
	size         int
	ring         []Delivery
	next         int
	fired        uint64
	acknowledged uint64
	failed       uint64
	changed      chan struct{} // closed and replaced at every delivery
}

func (l *deliveryLog) init(size int) {
	l.size = size
	l.changed = make(chan struct{})
}

func (l *deliveryLog) fire() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fired++
	return l.fired
}

func (l *deliveryLog) record(d Delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d.Acknowledged {
		l.acknowledged++
	} else {
		l.failed++
	}
	if l.size > 0 {
		if len(l.ring) < l.size {
			l.ring = append(l.ring, d)
		} else {
			l.ring[l.next] = d
		}
		l.next = (l.next + 1) % l.size
	}
	close(l.changed)
	l.changed = make(chan struct{})
}

// Stats counts the webhooks fired and what became of them.
type Stats struct {
	Fired        uint64 `json:"fired"`
	Acknowledged uint64 `json:"acknowledged"`
	Failed       uint64 `json:"failed"`
	// Pending are fired and not yet acknowledged nor failed.
	Pending uint64 `json:"pending"`
}

func (l *deliveryLog) snapshot() (Stats, []Delivery, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := Stats{Fired: l.fired, Acknowledged: l.acknowledged, Failed: l.failed}
	st.Pending = st.Fired - st.Acknowledged - st.Failed
	out := make([]Delivery, 0, len(l.ring))
	if len(l.ring) == l.size {
		out = append(out, l.ring[l.next:]...)
		out = append(out, l.ring[:l.next]...)
	} else {
		out = append(out, l.ring...)
	}
	slices.SortFunc(out, func(a, b Delivery) int { return int(a.Seq) - int(b.Seq) })
	return st, out, l.changed
}

// Deliveries returns the logged deliveries in the order they were fired, and the counts.
func (s *Server) Deliveries() (Stats, []Delivery) {
	st, d, _ := s.log.snapshot()
	return st, d
}

// Await waits until at least n webhooks have been delivered (acknowledged or failed) and returns
// the log, or returns ctx's error with the log so far.
func (s *Server) Await(ctx context.Context, n int) ([]Delivery, error) {
	for {
		st, d, changed := s.log.snapshot()
		if st.Acknowledged+st.Failed >= uint64(n) {
			return d, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return d, ctx.Err()
		}
	}
}
