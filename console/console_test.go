package console_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/console"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/recording"
	"github.com/livehook/livehook/webhook"
)

func newConsole(t *testing.T, cfg receiver.Config, opt console.Options) (*receiver.Receiver, *console.Console) {
	t.Helper()
	cfg.SDKAppID = appID
	rv, err := receiver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if opt.Addr == "" {
		opt.Addr = "127.0.0.1:8080"
	}
	c, err := console.New(rv, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return rv, c
}

// do1 sends one request to h, on the loopback Host an open console wants.
func do1(h http.Handler, method, target string, body []byte, header ...string) *httptest.ResponseRecorder {
	if strings.HasPrefix(target, "/") {
		target = "http://127.0.0.1:8080" + target
	}
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func webhookTarget(token string, opt webhook.URLOptions) string {
	ep := webhook.Endpoint{URL: "http://127.0.0.1:8080/webhook", SDKAppID: appID, Token: token}
	return ep.RequestURL(webhook.CommandCreateRoom, webhook.Meta{ClientIP: "10.0.0.1", OptPlatform: "Web"}, opt)
}

// The console takes only a browser's GET / and its own paths; every webhook, on any path and
// with any Accept, still reaches the receiver.
func TestWebhooksStayWithTheReceiver(t *testing.T) {
	g := NewWithT(t)
	rv, c := newConsole(t, receiver.Config{}, console.Options{})
	body := createBody("live_1", "one")

	page := do1(c, http.MethodGet, "http://127.0.0.1:8080/", nil, "Accept", "text/html,application/xhtml+xml")
	g.Expect(page.Code).To(Equal(http.StatusOK))
	g.Expect(page.Body.String()).To(ContainSubstring("<title>livehook console</title>"))
	g.Expect(page.Header().Get("Content-Security-Policy")).To(ContainSubstring("script-src 'self'"))
	g.Expect(rv.Deliveries()).To(BeEmpty(), "the page is not a delivery")

	for _, tc := range []struct {
		method, path string
		header       []string
		want         int
	}{
		{http.MethodPost, "/", []string{"Accept", "text/html"}, http.StatusOK},
		{http.MethodPost, "/console/api/resend", nil, http.StatusOK},
		{http.MethodPost, "/console/events", []string{console.Header, "1"}, http.StatusOK},
		{http.MethodGet, "/", nil, http.StatusMethodNotAllowed},
		{http.MethodPut, "/console/api/resend", []string{console.Header, "1"}, http.StatusMethodNotAllowed},
	} {
		n := len(rv.Deliveries())
		target := tc.path + "?" + strings.SplitN(webhookTarget("", webhook.URLOptions{}), "?", 2)[1]
		rec := do1(c, tc.method, target, body, tc.header...)
		g.Expect(rec.Code).To(Equal(tc.want), "%s %s %v: %s", tc.method, tc.path, tc.header, rec.Body)
		g.Expect(rv.Deliveries()).To(HaveLen(n+1), "%s %s %v did not reach the receiver", tc.method, tc.path, tc.header)
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:8080": true, "[::1]:8080": true, "127.0.0.2:1": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:8080": false, "10.0.0.1:8080": false, "example.com:80": false,
	} {
		if got := console.Loopback(addr); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// Beyond loopback the console needs a token: the receiver's, or its own.
func TestBeyondLoopbackNeedsAToken(t *testing.T) {
	rv, err := receiver.New(receiver.Config{SDKAppID: appID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := console.New(rv, console.Options{Addr: "0.0.0.0:8080"}); !errors.Is(err, console.ErrNeedsToken) {
		t.Fatalf("beyond loopback without a token: %v, want ErrNeedsToken", err)
	}
	c, err := console.New(rv, console.Options{Addr: "0.0.0.0:8080", Token: "own"})
	if err != nil {
		t.Fatalf("with a console token: %v", err)
	}
	_ = c.Close()
	signed, _ := receiver.New(receiver.Config{SDKAppID: appID, Token: "tok"})
	c, err = console.New(signed, console.Options{Addr: ":8080"})
	if err != nil {
		t.Fatalf("with the receiver's token: %v", err)
	}
	_ = c.Close()
	open, _ := receiver.New(receiver.Config{SDKAppID: appID})
	c, err = console.New(open, console.Options{Addr: "127.0.0.1:8080"})
	if err != nil || c.NeedsToken() {
		t.Fatalf("on loopback without a token the console is open: %v, needs token %v", err, c.NeedsToken())
	}
	_ = c.Close()
}

// With a token, nothing of the data is served without it; the login sets a cookie that is.
func TestTokenGuardsTheData(t *testing.T) {
	g := NewWithT(t)
	_, c := newConsole(t, receiver.Config{}, console.Options{Addr: "0.0.0.0:8080", Token: "s3cret"})
	for _, p := range []string{"/console/events", "/console/api/recording?seq=1", "/console/api/body?seq=1", "/console/api/session"} {
		g.Expect(do1(c, http.MethodGet, p, nil).Code).To(Equal(http.StatusUnauthorized), p)
		g.Expect(do1(c, http.MethodGet, p, nil, "Authorization", "Bearer wrong").Code).To(Equal(http.StatusUnauthorized), p)
	}
	g.Expect(do1(c, http.MethodPost, "/console/api/resend", []byte(`{"seq":1}`), console.Header, "1").Code).To(Equal(http.StatusUnauthorized))
	// The page itself holds no data: it is served, and asks for the token.
	g.Expect(do1(c, http.MethodGet, "/", nil, "Accept", "text/html").Code).To(Equal(http.StatusOK))

	wrong := do1(c, http.MethodPost, "/console/api/login", []byte(`{"token":"nope"}`), console.Header, "1")
	g.Expect(wrong.Code).To(Equal(http.StatusUnauthorized))
	g.Expect(wrong.Result().Cookies()).To(BeEmpty())
	right := do1(c, http.MethodPost, "/console/api/login", []byte(`{"token":"s3cret"}`), console.Header, "1")
	g.Expect(right.Code).To(Equal(http.StatusOK), right.Body.String())
	cookies := right.Result().Cookies()
	g.Expect(cookies).To(HaveLen(1))
	g.Expect(cookies[0].HttpOnly).To(BeTrue())
	g.Expect(cookies[0].SameSite).To(Equal(http.SameSiteStrictMode))
	g.Expect(cookies[0].Value).NotTo(ContainSubstring("s3cret"))

	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/console/api/session", nil)
	req.AddCookie(cookies[0])
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, req)
	g.Expect(rec.Code).To(Equal(http.StatusOK))
	g.Expect(do1(c, http.MethodGet, "/console/api/session", nil, "Authorization", "Bearer s3cret").Code).To(Equal(http.StatusOK))
}

// An open console on loopback answers only to a loopback Host, so that a site that rebinds
// its name to 127.0.0.1 cannot read it.
func TestOpenConsoleRefusesAForeignHost(t *testing.T) {
	_, c := newConsole(t, receiver.Config{}, console.Options{})
	for host, want := range map[string]int{
		"evil.example:8080": http.StatusForbidden, "10.0.0.1:8080": http.StatusForbidden,
		"127.0.0.1:8080": http.StatusOK, "localhost:8080": http.StatusOK, "[::1]:8080": http.StatusOK,
	} {
		req := httptest.NewRequest(http.MethodGet, "/console/api/session", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %s: %d, want %d", host, rec.Code, want)
		}
	}
}

// Nothing changes state on GET: send-again and login answer 405 and send nothing.
func TestNoStateChangeOnGet(t *testing.T) {
	hits := 0
	var mu sync.Mutex
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	defer target.Close()
	rv, c := newConsole(t, receiver.Config{Forward: receiver.Forward{URL: target.URL}}, console.Options{})
	rv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, webhookTarget("", webhook.URLOptions{}), bytes.NewReader(createBody("r", "r"))))
	mu.Lock()
	before := hits
	mu.Unlock()
	for _, p := range []string{"/console/api/resend?seq=1", "/console/api/login?token=x"} {
		if rec := do1(c, http.MethodGet, p, nil); rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d, want 405", p, rec.Code)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != before {
		t.Fatalf("a GET sent %d requests to the target", hits-before)
	}
}

// waitKept waits until the console holds delivery seq (it reads them in its own goroutine).
func waitKept(t *testing.T, c *console.Console, seq string) {
	t.Helper()
	NewWithT(t).Eventually(func() int { return do1(c, http.MethodGet, "/console/api/body?seq="+seq, nil).Code }).
		WithTimeout(5 * time.Second).WithPolling(time.Millisecond).Should(Equal(http.StatusOK))
}

// The download is a recording, headers and exact bytes included, that reads back.
func TestRecordingDownloadReadsBack(t *testing.T) {
	g := NewWithT(t)
	rv, c := newConsole(t, receiver.Config{}, console.Options{})
	bodies := [][]byte{createBody("a", "a"), []byte("not json \xff"), createBody("c", "c")}
	for _, b := range bodies {
		req := httptest.NewRequest(http.MethodPost, webhookTarget("", webhook.URLOptions{}), bytes.NewReader(b))
		req.Header.Set("X-Trace", "t1")
		rv.ServeHTTP(httptest.NewRecorder(), req)
	}
	waitKept(t, c, "3")
	rec := do1(c, http.MethodGet, "/console/api/recording?seq=1-2,3,9", nil)
	g.Expect(rec.Code).To(Equal(http.StatusOK))
	g.Expect(rec.Header().Get("Content-Disposition")).To(HavePrefix("attachment;"))
	sc := recording.NewScanner(rec.Body)
	var got []recording.Entry
	for sc.Scan() {
		got = append(got, sc.Entry())
	}
	g.Expect(sc.Err()).NotTo(HaveOccurred())
	g.Expect(got).To(HaveLen(3))
	for i, e := range got {
		g.Expect(e.Body).To(Equal(bodies[i]))
		g.Expect(e.Header.Get("X-Trace")).To(Equal("t1"))
	}
	g.Expect(got[1].Verdict.Accepted).To(BeFalse())

	raw := do1(c, http.MethodGet, "/console/api/body?seq=2", nil)
	g.Expect(raw.Body.Bytes()).To(Equal(bodies[1]))
	g.Expect(do1(c, http.MethodGet, "/console/api/body?seq=7", nil).Code).To(Equal(http.StatusNotFound))
	g.Expect(do1(c, http.MethodGet, "/console/api/recording?seq=x", nil).Code).To(Equal(http.StatusBadRequest))
}

func TestParseSeqs(t *testing.T) {
	g := NewWithT(t)
	rs, err := console.ParseSeqs("1-3,7,9-9")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(rs).To(Equal([][2]uint64{{1, 3}, {7, 7}, {9, 9}}))
	for _, bad := range []string{"", "x", "3-1", "1-", "-4", "1,,2", "0-18446744073709551615", "1-1048577"} {
		_, err := console.ParseSeqs(bad)
		g.Expect(err).To(HaveOccurred(), "%q", bad)
		g.Expect(err.Error()).To(HavePrefix("seq: "))
	}
}

func FuzzParseSeqs(f *testing.F) {
	for _, s := range []string{"1", "1-3,7", "0-18446744073709551615", ",", "5-4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := console.ParseSeqs(s)
		if err != nil {
			return
		}
		var n uint64
		for _, r := range rs {
			if r[0] > r[1] {
				t.Fatalf("%q: range %v is backwards", s, r)
			}
			n += r[1] - r[0] + 1
		}
		if n == 0 || n > console.MaxSeqs {
			t.Fatalf("%q: %d deliveries named", s, n)
		}
	})
}

// Send-again refuses what it cannot do, saying why.
func TestResendRefusals(t *testing.T) {
	g := NewWithT(t)
	rv, c := newConsole(t, receiver.Config{}, console.Options{})
	rv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, webhookTarget("", webhook.URLOptions{}), bytes.NewReader(createBody("a", "a"))))
	waitKept(t, c, "1")
	for _, tc := range []struct{ body, want string }{
		{`{"seq":1}`, "no URL to send to"},
		{`{"seq":1,"url":"ftp://x"}`, "want an absolute http"},
		{`{"seq":99,"url":"http://127.0.0.1:1/"}`, "no longer kept"},
		{`{"seq":"one"}`, "not the JSON wanted"},
		{`{"seq":1,"extra":1}`, "not the JSON wanted"},
	} {
		rec := do1(c, http.MethodPost, "/console/api/resend", []byte(tc.body), console.Header, "1")
		g.Expect(rec.Code).To(BeNumerically(">=", 400), tc.body)
		g.Expect(rec.Body.String()).To(ContainSubstring(tc.want), tc.body)
	}
}

// A browser that stops reading its stream costs the webhooks nothing: with 20 streams read
// and one whose reader never reads (a tiny receive buffer, so that the server's writes block
// soon), every webhook is answered OK within the Live backend's deadline, the stalled stream's
// deliveries are dropped and counted, and the streams that read get every delivery.
func TestStalledBrowserNeverSlowsAnswers(t *testing.T) {
	g := NewWithT(t)
	srv, cons := serveConsole(t, receiver.Config{SDKAppID: appID}, console.Options{Addr: "127.0.0.1:0", StreamBuffer: 256})
	host := strings.TrimPrefix(srv.URL, "http://")

	stalled := stalledStream(t, host)
	defer stalled.Close()

	const readers, n = 20, 1000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	counts := make([]int, readers)
	drops := make([]int, readers)
	var wg sync.WaitGroup
	ready := make(chan struct{}, readers)
	for i := range readers {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/console/events", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				switch sc.Text() {
				case "event: hello":
					ready <- struct{}{}
				case "event: delivery":
					counts[i]++
					if counts[i] == n {
						return
					}
				case "event: dropped":
					drops[i]++
				}
			}
		})
	}
	for range readers {
		<-ready
	}
	client := &http.Client{Timeout: webhook.DefaultTimeout}
	body := createBody("live_load", strings.Repeat("x", 16<<10))
	for i := range n {
		resp, err := client.Post(srv.URL+"/webhook?"+strings.SplitN(webhookTarget("", webhook.URLOptions{}), "?", 2)[1], "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("webhook %d: %v (not answered within %v)", i, err, webhook.DefaultTimeout)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
	}
	wg.Wait()
	for i := range readers {
		g.Expect(counts[i]).To(Equal(n), "reader %d", i)
		g.Expect(drops[i]).To(BeZero(), "reader %d", i)
	}
	g.Expect(cons.StreamDrops()).To(BeNumerically(">", 0), "the stalled stream dropped nothing: its writes never blocked")
}

// stalledStream is a browser that asks for the console's stream at host and never reads it:
// its receive buffer is tiny, so that the console's writes to it block soon.
func stalledStream(tb testing.TB, host string) net.Conn {
	tb.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conn, err := d.Dial("tcp", host)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.WriteString(conn, "GET /console/events HTTP/1.1\r\nHost: "+host+"\r\n\r\n"); err != nil {
		conn.Close()
		tb.Fatal(err)
	}
	return conn
}

// hello reads the first event of a stream.
func hello(t *testing.T, base string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/console/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var h map[string]any
			if err := json.Unmarshal([]byte(data), &h); err != nil {
				t.Fatal(err)
			}
			return h
		}
	}
	t.Fatalf("no hello: %v", sc.Err())
	return nil
}

// The console keeps the newest deliveries within the receiver's log bounds, by count and by
// bytes, however many came.
func TestConsoleKeepsWithinTheLogBounds(t *testing.T) {
	for _, tc := range []struct {
		name             string
		size, bytes, max int
		body             int
	}{
		{"count", 100, 16 << 20, 100, 100},
		{"bytes", 1000, 200 << 10, (200 << 10) / (4 << 10), 4 << 10},
	} {
		srv, cons := serveConsole(t, receiver.Config{SDKAppID: appID, LogSize: tc.size, LogBytes: tc.bytes}, console.Options{Addr: "127.0.0.1:0"})
		const n = 3000
		body := createBody("bound", strings.Repeat("y", tc.body))
		h := srv.Receiver
		for range n {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, webhookTarget("", webhook.URLOptions{}), bytes.NewReader(body)))
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", tc.name, rec.Code, rec.Body)
			}
		}
		waitKept(t, cons, fmt.Sprint(n))
		got := hello(t, srv.URL)
		kept, evicted := int(got["kept"].(float64)), int(got["evicted"].(float64))
		if kept > tc.max || kept < tc.max/2 || kept+evicted != n {
			t.Errorf("%s: the console keeps %d (%d evicted) of %d, want at most %d", tc.name, kept, evicted, n, tc.max)
		}
		srv.Close()
	}
}

// Whatever a request is, the console does not panic, and every POST without the console's
// header, on any path, is a delivery of the receiver.
func FuzzConsoleRequests(f *testing.F) {
	f.Add("POST", "/console/api/resend", "seq=1", "", []byte(`{"seq":1}`))
	f.Add("GET", "/console/api/recording", "seq=1-3", "", []byte(nil))
	f.Add("GET", "/", "", "text/html", []byte(nil))
	f.Add("POST", "/console/api/login", "", "1", []byte(`{"token":"x"}`))
	f.Add("HEAD", "/console/../deliveries", "", "", []byte(nil))
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, Token: "tok"})
	if err != nil {
		f.Fatal(err)
	}
	c, err := console.New(rv, console.Options{Addr: "127.0.0.1:8080"})
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	f.Fuzz(func(t *testing.T, method, path, query, header string, body []byte) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#\r\n\t") || strings.ContainsAny(query, " #\r\n\t") {
			return
		}
		req, err := http.NewRequest(method, "http://127.0.0.1:8080"+path+"?"+query, bytes.NewReader(body))
		if err != nil || req.URL.Path == "/console/events" {
			return // an event stream does not end by itself
		}
		req.Header.Set("Accept", header)
		if header != "" {
			req.Header.Set(console.Header, header)
		}
		_, rejected := rv.Counts()
		accepted, _ := rv.Counts()
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, req)
		a2, r2 := rv.Counts()
		if method == http.MethodPost && header == "" && a2+r2 != accepted+rejected+1 {
			t.Fatalf("POST %s without %s did not reach the receiver (%d)", path, console.Header, rec.Code)
		}
	})
}

// serveConsole starts a receiver with cfg on loopback, serving the console made with opt beside
// its webhooks, as livehook receive does; the server closes with the test.
func serveConsole(tb testing.TB, cfg receiver.Config, opt console.Options) (*receiver.Server, *console.Console) {
	tb.Helper()
	srv, err := receiver.NewUnstartedServer(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := console.New(srv.Receiver, opt)
	if err != nil {
		srv.Close()
		tb.Fatal(err)
	}
	srv.Wrap(func(http.Handler) http.Handler { return c })
	if err := srv.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	return srv, c
}
