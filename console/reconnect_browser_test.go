package console_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/livehook/livehook/console"
	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

// cutListener lets a test drop every connection a server holds and hold back new ones: while
// it is cut, the connections the browser makes wait, unaccepted, until Restore.
type cutListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
	gate  chan struct{} // closed while connections are let through
	done  chan struct{}
	once  sync.Once
}

func newCutListener(t *testing.T) *cutListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &cutListener{Listener: ln, gate: make(chan struct{}), done: make(chan struct{})}
	close(l.gate)
	return l
}

func (l *cutListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	gate := l.gate
	l.mu.Unlock()
	select {
	case <-gate:
	case <-l.done:
		c.Close()
		return nil, net.ErrClosed
	}
	l.mu.Lock()
	l.conns = append(l.conns, c)
	l.mu.Unlock()
	return c, nil
}

func (l *cutListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// Cut drops every connection and holds back new ones.
func (l *cutListener) Cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gate = make(chan struct{})
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
}

// Restore lets connections through again.
func (l *cutListener) Restore() {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.gate)
}

// rowSeqs are the rows' numbers, top to bottom.
const rowSeqs = `[...document.querySelectorAll("#tbody tr.row")].map(r => r.dataset.seq).join(",")`

func seqsDown(from, to int) string {
	var s []string
	for i := from; i >= to; i-- {
		s = append(s, fmt.Sprint(i))
	}
	return strings.Join(s, ",")
}

// The receive page, its stream dropped, reconnects by itself and resumes after the last
// delivery it had (Last-Event-ID): the deliveries answered while it was away appear once, none
// is repeated, none is missing.
func TestBrowserReceiveReconnectsWithoutDuplicatesOrGaps(t *testing.T) {
	ctx := tab(t)
	rv, err := receiver.New(receiver.Config{SDKAppID: appID})
	if err != nil {
		t.Fatal(err)
	}
	c, err := console.New(rv, console.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	ln := newCutListener(t)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: c}}
	srv.Start()
	defer srv.Close()
	defer c.Close()
	deliver := func(i int) {
		t.Helper()
		rec := httptest.NewRecorder()
		rv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, webhookTarget("", webhook.URLOptions{}), strings.NewReader(string(createBody(fmt.Sprintf("live_%d", i), "r")))))
		if rec.Code != http.StatusOK {
			t.Fatalf("delivery %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	do(t, ctx, 10*time.Second, "loading the console", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(`#conn[data-state="live"]`)))
	for i := 1; i <= 3; i++ {
		deliver(i)
	}
	do(t, ctx, 5*time.Second, "waiting for 3 rows", chromedp.WaitVisible(css(`#tbody tr[data-seq="3"]`)))

	ln.Cut()
	do(t, ctx, 5*time.Second, "waiting for the page to see the stream drop", chromedp.WaitVisible(css(`#conn[data-state="down"]`)))
	for i := 4; i <= 6; i++ {
		deliver(i) // straight to the receiver: the page cannot see these until it reconnects
	}
	waitKept(t, c, "6")
	ln.Restore()
	do(t, ctx, 10*time.Second, "waiting for the page to reconnect and catch up",
		chromedp.WaitVisible(css(`#conn[data-state="live"]`)),
		chromedp.WaitVisible(css(`#tbody tr[data-seq="6"]`)))
	deliver(7)
	do(t, ctx, 5*time.Second, "waiting for a delivery after the reconnection", chromedp.WaitVisible(css(`#tbody tr[data-seq="7"]`)))
	if got := get(t, ctx, "reading the rows", chromedp.Evaluate[string](rowSeqs)); got != seqsDown(7, 1) {
		t.Errorf("rows after the reconnection %s, want each delivery once: %s", got, seqsDown(7, 1))
	}
}

// The serve page does the same with the webhooks the mock fired.
func TestBrowserServeReconnectsWithoutDuplicatesOrGaps(t *testing.T) {
	ctx := tab(t)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(webhook.Acknowledgement) }))
	defer app.Close()
	m, err := mockserver.NewUnstartedServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true, CallbackURL: app.URL + "/hook"})
	if err != nil {
		t.Fatal(err)
	}
	m.Listener.Close()
	ln := newCutListener(t)
	m.Listener = ln
	m.Wrap(func(h http.Handler) http.Handler {
		c, err := console.NewMock(m, h, console.Options{Addr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	})
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// REST calls go to the mock's handler, not through the listener the page's stream uses.
	create := func(i int) {
		t.Helper()
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, mockserver.EnginePrefix+"create_room?sdkappid=1400000001&identifier=administrator&random=1&contenttype=json",
			strings.NewReader(fmt.Sprintf(`{"RoomInfo":{"RoomId":"live_%d","RoomType":"Live"}}`, i))))
		if !strings.Contains(rec.Body.String(), `"ActionStatus":"OK"`) {
			t.Fatalf("create_room %d: %s", i, rec.Body)
		}
	}
	awaitFired := func(n int) {
		t.Helper()
		actx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := m.Await(actx, n); err != nil {
			t.Fatalf("waiting for %d webhooks: %v", n, err)
		}
	}
	do(t, ctx, 10*time.Second, "loading the console", chromedp.Navigate(m.URL+"/"), chromedp.WaitVisible(css(`#conn[data-state="live"]`)))
	for i := 1; i <= 3; i++ {
		create(i)
	}
	do(t, ctx, 5*time.Second, "waiting for 3 rows", chromedp.WaitVisible(css(`#tbody tr[data-seq="3"]`)))

	ln.Cut()
	do(t, ctx, 5*time.Second, "waiting for the page to see the stream drop", chromedp.WaitVisible(css(`#conn[data-state="down"]`)))
	for i := 4; i <= 6; i++ {
		create(i)
	}
	awaitFired(6)
	ln.Restore()
	do(t, ctx, 10*time.Second, "waiting for the page to reconnect and catch up",
		chromedp.WaitVisible(css(`#conn[data-state="live"]`)),
		chromedp.WaitVisible(css(`#tbody tr[data-seq="6"]`)))
	create(7)
	do(t, ctx, 5*time.Second, "waiting for a webhook after the reconnection", chromedp.WaitVisible(css(`#tbody tr[data-seq="7"]`)))
	if got := get(t, ctx, "reading the rows", chromedp.Evaluate[string](rowSeqs)); got != seqsDown(7, 1) {
		t.Errorf("rows after the reconnection %s, want each webhook once: %s", got, seqsDown(7, 1))
	}
}
