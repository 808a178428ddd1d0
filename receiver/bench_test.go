package receiver_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

// serverBody reads like the body net/http hands a handler for a request with a Content-Length:
// the last bytes come with io.EOF.
type serverBody struct {
	b   []byte
	off int
}

func (r *serverBody) Read(p []byte) (int, error) {
	n := copy(p, r.b[r.off:])
	r.off += n
	if r.off == len(r.b) {
		return n, io.EOF
	}
	return n, nil
}

func (r *serverBody) Close() error { return nil }

// answerWriter is a ResponseWriter that keeps the status and nothing else, its header map
// cleared before each request.
type answerWriter struct {
	h      http.Header
	status int
}

func (w *answerWriter) Header() http.Header         { return w.h }
func (w *answerWriter) WriteHeader(status int)      { w.status = status }
func (w *answerWriter) Write(b []byte) (int, error) { return len(b), nil }

// BenchmarkServeHTTPAcknowledged answers valid, signed webhooks, a CreateRoom and a DestroyRoom
// in turn as the mock backend sends them, with the headers net/http leaves in the request.
func BenchmarkServeHTTPAcknowledged(b *testing.B) {
	const token = "xxxxyyyy"
	for _, bc := range []struct {
		name string
		cfg  receiver.Config
	}{
		{"default", receiver.Config{SDKAppID: appID}},
		{"LogSize=-1", receiver.Config{SDKAppID: appID, LogSize: -1}},
		{"Token", receiver.Config{SDKAppID: appID, Token: token, Now: func() time.Time { return clock }}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rv, err := receiver.New(bc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			e := webhook.Endpoint{URL: "http://receiver/cb", SDKAppID: appID, Token: token}
			meta := webhook.Meta{ClientIP: "10.1.2.3", OptPlatform: "Android"}
			var reqs []*http.Request
			var bodies []*serverBody
			for _, w := range []struct {
				file string
				cmd  webhook.Command
			}{{"create_room.json", webhook.CommandCreateRoom}, {"destroy_room.json", webhook.CommandDestroyRoom}} {
				body, err := os.ReadFile("../webhook/testdata/" + w.file)
				if err != nil {
					b.Fatal(err)
				}
				req := httptest.NewRequest(http.MethodPost, e.RequestURL(w.cmd, meta, webhook.URLOptions{Now: clock}), nil)
				req.Header = http.Header{"User-Agent": {"livehook"}, "Content-Type": {webhook.ContentType}, "Content-Length": {strconv.Itoa(len(body))}}
				req.ContentLength = int64(len(body))
				sb := &serverBody{b: body}
				req.Body = sb
				reqs, bodies = append(reqs, req), append(bodies, sb)
			}
			w := &answerWriter{h: http.Header{}}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				clear(w.h)
				bodies[i].off = 0
				rv.ServeHTTP(w, reqs[i])
				if w.status != http.StatusOK {
					b.Fatalf("%s: status %d", reqs[i].URL.Query().Get(webhook.ParamCallbackCommand), w.status)
				}
				i ^= 1
			}
		})
	}
}
