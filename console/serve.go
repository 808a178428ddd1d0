package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/livehook/livehook/internal/fanout"
	"github.com/livehook/livehook/mockserver"
)

// Mock is the console of the mock Live backend (livehook serve): the page at GET / for a
// browser shows the rooms in get_room_list's order (each with its info, admins, metadata and
// statistics), updating while they change, the callback configuration, every webhook the mock
// fired with what became of it, live, and a form that calls the room APIs (POST only, through
// the mock's own handler, with a UserSig made for the call). Every other request goes to the
// mock's own handler, so that no REST call changes.
type Mock struct {
	routes map[string]http.HandlerFunc // the guarded paths, made once: every REST call passes ServeHTTP
	guard
	m    *mockserver.Server
	next http.Handler
	opt  Options
	sub  *mockserver.Subscription
	apis []string // what the form may call

	sigMu sync.Mutex
	sigs  map[uint64]madeSig // the UserSig of each app's calls

	mu      sync.Mutex
	kept    []event // the newest MaxRows webhooks' events, oldest first
	n       uint64  // webhooks seen, the id of the last event
	evicted uint64
	hub     fanout.Hub[event]

	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// NewMock returns the console of m, which passes what is not the console's to next (the mock's
// handler). Beyond loopback (opt.Addr) it needs opt.Token. It starts a goroutine that Close
// stops.
func NewMock(m *mockserver.Server, next http.Handler, opt Options) (*Mock, error) {
	if opt.MaxRows <= 0 {
		opt.MaxRows = DefaultMaxRows
	}
	if opt.StreamBuffer <= 0 {
		opt.StreamBuffer = DefaultStreamBuffer
	}
	if !Loopback(opt.Addr) && opt.Token == "" {
		return nil, ErrNeedsToken
	}
	c := &Mock{guard: newGuard(opt.Token), m: m, next: next, opt: opt, apis: callableAPIs(), done: make(chan struct{})}
	c.sub = m.Subscribe(4096)
	c.wg.Go(func() {
		for d := range c.sub.C() {
			c.add(d)
		}
	})
	c.routes = map[string]http.HandlerFunc{
		Prefix + "events":    c.serveEvents,
		Prefix + "api/state": c.serveState,
		Prefix + "api/call":  c.serveCall,
	}
	return c, nil
}

// add keeps the webhook's event and hands it to the streams, under one lock with subscribe.
func (c *Mock) add(d mockserver.Delivery) {
	// The body goes as a string, so that the page shows its exact bytes.
	data, err := json.Marshal(struct {
		mockserver.Delivery
		Body string `json:"body"`
	}{d, string(d.Body)})
	if err != nil {
		return // cannot happen: every field encodes
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	ev := event{seq: c.n, data: data}
	c.kept = append(c.kept, ev)
	if over := len(c.kept) - c.opt.MaxRows; over > 0 {
		c.evicted += uint64(over)
		n := copy(c.kept, c.kept[over:])
		clear(c.kept[n:])
		c.kept = c.kept[:n]
	}
	c.hub.Publish(ev)
}

// Close ends the console's streams and stops its goroutine; safe to call more than once.
func (c *Mock) Close() error {
	c.closeOnce.Do(func() {
		close(c.done)
		c.sub.Close()
		c.wg.Wait()
		c.hub.Close()
	})
	return nil
}

// NeedsToken reports whether the console asks for a token.
func (c *Mock) NeedsToken() bool { return c.token != "" }

// StreamDrops is how many webhooks the page's event streams left out, over all of them,
// because a browser did not read fast enough.
func (c *Mock) StreamDrops() uint64 { return c.hub.Dropped() }

// ServeHTTP serves the console's requests and passes every other to the mock.
func (c *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.guard.route(w, r, c.next, "assets/serve.html", c.routes)
}

// mockHello is the first event of the mock console's stream.
type mockHello struct {
	MaxRows int    `json:"max_rows"`
	LeftOut uint64 `json:"left_out"`
	Fired   uint64 `json:"fired"`
	Missed  uint64 `json:"missed"`
}

// serveEvents streams the kept webhooks newer than Last-Event-ID, then each new one as it
// ends: "hello" first, then "webhook" (id: its number in the console), and "dropped" when the
// stream fell behind.
func (c *Mock) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc, after := startStream(w, r)
	c.mu.Lock()
	i := len(c.kept)
	for i > 0 && c.kept[i-1].seq > after {
		i--
	}
	kept := append([]event(nil), c.kept[i:]...)
	sub := c.hub.Subscribe(c.opt.StreamBuffer)
	hello := mockHello{MaxRows: c.opt.MaxRows, LeftOut: c.evicted, Fired: c.n, Missed: c.sub.Dropped()}
	c.mu.Unlock()
	defer sub.Close()
	if after > 0 {
		hello.LeftOut = 0
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := newSSE(w, rc)
	s.putJSON("hello", hello)
	for _, ev := range kept {
		s.put("webhook", ev.seq, ev.data)
	}
	if !s.flush() {
		return
	}
	s.pump(r, c.done, sub, "webhook")
}

// sse writes one event stream: events put together go in one write.
type sse struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	buf bytes.Buffer
}

// reconnectAfter is how long a browser waits to reconnect a stream that dropped (the SSE
// retry field; browsers default to a few seconds): it then resumes after the last event it
// had, by Last-Event-ID.
const reconnectAfter = time.Second

func newSSE(w http.ResponseWriter, rc *http.ResponseController) *sse {
	s := &sse{w: w, rc: rc}
	s.buf.WriteString("retry: " + strconv.FormatInt(reconnectAfter.Milliseconds(), 10) + "\n\n")
	return s
}

func (s *sse) put(event string, id uint64, data []byte) {
	s.buf.WriteString("event: ")
	s.buf.WriteString(event)
	if id > 0 {
		s.buf.WriteString("\nid: ")
		s.buf.WriteString(strconv.FormatUint(id, 10))
	}
	s.buf.WriteString("\ndata: ")
	s.buf.Write(data) // one line: JSON escapes the newlines in strings
	s.buf.WriteString("\n\n")
}

func (s *sse) putJSON(event string, v any) {
	data, _ := json.Marshal(v) // cannot fail: counts and strings
	s.put(event, 0, data)
}

func (s *sse) flush() bool {
	_ = s.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	_, err := s.w.Write(s.buf.Bytes())
	s.buf.Reset()
	return err == nil && s.rc.Flush() == nil
}

// pump writes each event of sub as it comes, those waiting together, with a keep-alive when
// idle, until the browser goes, the console closes, or a write fails.
func (s *sse) pump(r *http.Request, done <-chan struct{}, sub *fanout.Sub[event], name string) {
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	var dropped uint64
	for {
		select {
		case <-r.Context().Done():
			return
		case <-done:
			return
		case <-tick.C:
			s.buf.WriteString(": keep-alive\n\n")
			if !s.flush() {
				return
			}
		case ev, ok := <-sub.C():
			if !ok {
				return // the console closed
			}
			for ok {
				if n := sub.Dropped(); n != dropped {
					dropped = n
					s.putJSON("dropped", map[string]uint64{"dropped": n})
				}
				s.put(name, ev.seq, ev.data)
				if s.buf.Len() > maxBatchBytes {
					break
				}
				select {
				case ev, ok = <-sub.C():
				default:
					ok = false
				}
			}
			if !s.flush() {
				return
			}
		}
	}
}
