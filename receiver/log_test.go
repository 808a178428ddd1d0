package receiver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

// countingWriter is a ResponseWriter that keeps only the size of what was written.
type countingWriter struct {
	h http.Header
	n int
}

func (w *countingWriter) Header() http.Header         { return w.h }
func (w *countingWriter) WriteHeader(int)             {}
func (w *countingWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

// nested is a body of about size bytes that nests objects depth levels deep inside an unknown
// field of a valid ModifyAdmin body.
func nested(t *testing.T, depth, size int) []byte {
	key := strings.Repeat("k", max(1, size/depth))
	inner := strings.Repeat(`{"`+key+`":`, depth) + "1" + strings.Repeat("}", depth)
	return bytes.Replace(seed(t, "modify_admin.json"), []byte(`"opType"`), []byte(`"Deep":`+inner+`,"opType"`), 1)
}

// The case: ten 20 KB deeply nested bodies, then the log. The answer is built as it is
// written, and its bodies are not re-indented, so what it allocates is about what it writes.
func TestLogOfDeeplyNestedBodiesStaysSmall(t *testing.T) {
	g := NewWithT(t)
	rv := newReceiver(t, "")
	u := webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{})
	accepted, refused := nested(t, webhook.MaxBodyDepth-2, 20<<10), nested(t, 3000, 20<<10)
	g.Expect(len(accepted)).To(BeNumerically(">", 20<<10))
	for i := range 10 {
		body := accepted
		if i%2 == 1 {
			body = refused
		}
		rec, _ := post(t, rv, http.MethodPost, u, body)
		g.Expect(rec.Code).To(Equal(map[bool]int{true: 400, false: 200}[i%2 == 1]), rec.Body.String())
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w := &countingWriter{h: http.Header{}}
	rv.ServeHTTP(w, loopback(httptest.NewRequest(http.MethodGet, receiver.DeliveriesPath, nil)))
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	// Five accepted bodies of 20 KB, five refused ones cut to 1 KB.
	g.Expect(w.n).To(BeNumerically("<", 5*(len(accepted)+4<<10)))
	g.Expect(w.n).To(BeNumerically(">", 5*len(accepted)))
	g.Expect(allocated).To(BeNumerically("<", 4*w.n), "GET /deliveries allocated %d bytes to write %d", allocated, w.n)
}

func TestLogEndpointWritesValidJSONWithBodiesAsTheyCame(t *testing.T) {
	g := NewWithT(t)
	rv := newReceiver(t, "")
	body := []byte("{\"CallbackCommand\":\"Live.CallbackAfterModifyAdmin\",\"RoomId\":\"r\\u00e9<&>\",\"EventTime\":1703589922780,\n  \"Operator_Account\":\"a\",\"Admin_Account\":[],\"opType\":\"add\",\"Big\":144115216631667826123}")
	post(t, rv, http.MethodPost, webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{}), body)
	post(t, rv, http.MethodPost, webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{}), []byte("\xff\x00 not json \x1b[2J"))
	rec, _ := post(t, rv, http.MethodGet, receiver.DeliveriesPath, nil)
	g.Expect(rec.Header().Get("Content-Type")).To(Equal("application/json"))
	var page struct {
		Accepted, Rejected int
		Deliveries         []json.RawMessage
	}
	g.Expect(json.Unmarshal(rec.Body.Bytes(), &page)).To(Succeed(), rec.Body.String())
	g.Expect(page.Deliveries).To(HaveLen(2))
	// The body is the one sent, compacted, its escapes and its big number as they were.
	g.Expect(rec.Body.String()).To(ContainSubstring(`"body":{"CallbackCommand":"Live.CallbackAfterModifyAdmin","RoomId":"r\u00e9<&>",`))
	g.Expect(rec.Body.String()).To(ContainSubstring(`"Big":144115216631667826123}`))
	var d receiver.Delivery
	g.Expect(json.Unmarshal(page.Deliveries[1], &d)).To(Succeed())
	g.Expect(d.BodyText).To(Equal("\ufffd\x00 not json \x1b[2J"))
	g.Expect(d.Room).To(BeEmpty())

	// An empty log is an empty list.
	post(t, rv, http.MethodDelete, receiver.DeliveriesPath, nil)
	rec, _ = post(t, rv, http.MethodGet, receiver.DeliveriesPath, nil)
	g.Expect(rec.Body.String()).To(MatchJSON(`{"accepted":1,"rejected":1,"deliveries":[]}`))
}

func TestLogIsBoundedInBytesAndCount(t *testing.T) {
	g := NewWithT(t)
	rv, err := receiver.New(receiver.Config{SDKAppID: appID, LogSize: 100, LogBytes: 64 << 10})
	g.Expect(err).NotTo(HaveOccurred())
	u := webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{})
	big := nested(t, 10, 10<<10)
	for range 30 {
		post(t, rv, http.MethodPost, u, big)
	}
	log := rv.Deliveries()
	g.Expect(len(log)).To(BeNumerically("<=", (64<<10)/(10<<10)))
	g.Expect(log[len(log)-1].Seq).To(Equal(uint64(30)), "the newest are kept")
	g.Expect([]byte(log[0].Body)).To(Equal(big))

	// A refused body is kept only in part, however large.
	huge := bytes.Repeat([]byte("x"), 512<<10)
	post(t, rv, http.MethodPost, u, huge)
	d := rv.Deliveries()[len(rv.Deliveries())-1]
	g.Expect(d.Accepted).To(BeFalse())
	g.Expect(d.BodyBytes).To(Equal(512 << 10))
	g.Expect(d.BodyText).To(HaveLen(receiver.RefusedBodyBytes))

	// Small deliveries: the count is the bound.
	for range 300 {
		post(t, rv, http.MethodPost, u, seed(t, "modify_admin.json"))
	}
	g.Expect(rv.Deliveries()).To(HaveLen(100))
	g.Expect(rv.Deliveries()[99].Seq).To(Equal(uint64(331)))
}

// A client that asks for the log and never reads it does not hold the server past its write
// timeout: Shutdown, which waits for requests in flight, returns.
func TestAReaderThatNeverReadsIsCutOff(t *testing.T) {
	g := NewWithT(t)
	srv, err := receiver.NewServer(receiver.Config{SDKAppID: appID, LogSize: 10000, LogBytes: 1 << 30, WriteTimeout: 200 * time.Millisecond})
	g.Expect(err).NotTo(HaveOccurred())
	defer srv.Close()
	u := webhookURL(webhook.CommandModifyAdmin, "", webhook.URLOptions{})
	body := nested(t, 10, 60<<10)
	for range 400 { // 24 MB of log, more than loopback's socket buffers hold
		post(t, srv.Receiver, http.MethodPost, u, body)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	g.Expect(err).NotTo(HaveOccurred())
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", receiver.DeliveriesPath)
	g.Expect(err).NotTo(HaveOccurred())
	status, err := bufio.NewReader(conn).ReadString('\n')
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(status).To(HavePrefix("HTTP/1.1 200"))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	g.Expect(srv.Shutdown(ctx)).To(Succeed(), "the GET still holds the server")
	n, _ := io.Copy(io.Discard, conn)
	g.Expect(n).To(BeNumerically("<", 400*len(body)), "the whole log went out to a client that never read")
}

// loopback makes r come from the receiver's own host, which may read the log without a token.
func loopback(r *http.Request) *http.Request {
	r.RemoteAddr = "127.0.0.1:40000"
	return r
}

// With a token, the log takes it as a bearer credential; without one, only loopback may read
// or clear it.
func TestTheLogNeedsAuthentication(t *testing.T) {
	g := NewWithT(t)
	const tok = "log-token"
	rv := newReceiver(t, tok)
	u := webhookURL(webhook.CommandModifyAdmin, tok, webhook.URLOptions{})
	post(t, rv, http.MethodPost, u, seed(t, "modify_admin.json"))
	ask := func(method, auth, from string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, receiver.DeliveriesPath, nil)
		r.RemoteAddr = from
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		rv.ServeHTTP(w, r)
		return w
	}
	for _, auth := range []string{"", "Bearer wrong", "Basic " + tok, "Bearer " + tok + "x"} {
		for _, m := range []string{http.MethodGet, http.MethodDelete} {
			w := ask(m, auth, "127.0.0.1:1")
			g.Expect(w.Code).To(Equal(http.StatusUnauthorized), "%s with %q", m, auth)
			g.Expect(w.Body.String()).To(ContainSubstring("send Authorization: Bearer TOKEN"))
			g.Expect(w.Body.String()).NotTo(ContainSubstring("CallbackAfterModifyAdmin"))
		}
	}
	g.Expect(rv.Deliveries()).To(HaveLen(1), "a refused DELETE clears nothing")
	w := ask(http.MethodGet, "Bearer "+tok, "203.0.113.9:1")
	g.Expect(w.Code).To(Equal(http.StatusOK))
	g.Expect(w.Body.String()).To(ContainSubstring("CallbackAfterModifyAdmin"))
	g.Expect(ask(http.MethodDelete, "Bearer "+tok, "203.0.113.9:1").Code).To(Equal(http.StatusNoContent))
	g.Expect(rv.Deliveries()).To(BeEmpty())

	open := newReceiver(t, "")
	for _, from := range []string{"203.0.113.9:1", "[2001:db8::1]:1", "10.0.0.1:1"} {
		r := httptest.NewRequest(http.MethodGet, receiver.DeliveriesPath, nil)
		r.RemoteAddr = from
		w := httptest.NewRecorder()
		open.ServeHTTP(w, r)
		g.Expect(w.Code).To(Equal(http.StatusForbidden), from)
		g.Expect(w.Body.String()).To(ContainSubstring("loopback only"))
	}
	for _, from := range []string{"127.0.0.1:1", "[::1]:1"} {
		r := httptest.NewRequest(http.MethodGet, receiver.DeliveriesPath, nil)
		r.RemoteAddr = from
		w := httptest.NewRecorder()
		open.ServeHTTP(w, r)
		g.Expect(w.Code).To(Equal(http.StatusOK), from)
	}
}
