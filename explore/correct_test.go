package explore_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/explore"
	"github.com/livehook/livehook/webhook"
)

// middleware wraps a correct receiver in a way that keeps it correct.
type middleware func(t *testing.T, next http.Handler) http.Handler

// rewrite answers with what change makes of the receiver's answer.
func rewrite(change func(status int, body []byte) (int, []byte)) middleware {
	return func(t *testing.T, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			status, body := change(rec.Code, rec.Body.Bytes())
			w.WriteHeader(status)
			_, _ = w.Write(body)
		})
	}
}

// unusualButCorrect are receivers correct in unusual ways, as the delivery tests of package
// scenarios have them; explore must never fail one.
var unusualButCorrect = []struct {
	name string
	wrap middleware
}{
	{"the reference receiver itself", func(_ *testing.T, next http.Handler) http.Handler { return next }},
	{"queued, one webhook at a time", func(t *testing.T, next http.Handler) http.Handler {
		turn := make(chan struct{}, 1)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case turn <- struct{}{}:
			case <-r.Context().Done():
				return
			}
			defer func() { <-turn }()
			tm := time.NewTimer(time.Millisecond)
			defer tm.Stop()
			<-tm.C
			next.ServeHTTP(w, r)
		})
	}},
	{"slow but in time", func(t *testing.T, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tm := time.NewTimer(30 * time.Millisecond)
			defer tm.Stop()
			<-tm.C
			next.ServeHTTP(w, r)
		})
	}},
	{"closing every connection", func(t *testing.T, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			next.ServeHTTP(w, r)
		})
	}},
	{"answering in HTTP/1.0", func(t *testing.T, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			fmt.Fprintf(buf, "HTTP/1.0 %d %s\r\nContent-Type: application/json\r\n\r\n%s", rec.Code, http.StatusText(rec.Code), rec.Body.Bytes())
			_ = buf.Flush()
		})
	}},
	{"answering in chunks", func(t *testing.T, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			b := rec.Body.Bytes()
			w.WriteHeader(rec.Code)
			_, _ = w.Write(b[:len(b)/2])
			_ = http.NewResponseController(w).Flush()
			_, _ = w.Write(b[len(b)/2:])
		})
	}},
	{"adding fields to its acknowledgement", rewrite(func(status int, b []byte) (int, []byte) {
		if status == http.StatusOK && bytes.Equal(b, webhook.Acknowledgement) {
			b = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"req-7","Handled":true}`)
		}
		return status, b
	})},
	{"pretty-printing its answers", rewrite(func(status int, b []byte) (int, []byte) {
		var out bytes.Buffer
		if json.Indent(&out, b, "", "  ") != nil {
			return status, b
		}
		return status, append(out.Bytes(), '\n')
	})},
	{"refusing with 403 whatever the cause", rewrite(func(status int, b []byte) (int, []byte) {
		if status != http.StatusOK {
			status = http.StatusForbidden
		}
		return status, b
	})},
}

// A correct receiver is never failed, however unusual, with and without a token: the explorer
// holds it to the contract's rules and draws only what the Live backend may send.
func TestExploreNeverFailsCorrectReceivers(t *testing.T) {
	tokens := []string{token, ""}
	n := len(unusualButCorrect) * len(tokens)
	targets := make([]string, n)
	for i := range n {
		targets[i] = start(t, unusualButCorrect[i/len(tokens)].wrap(t, reference(t, tokens[i%len(tokens)])))
	}
	results := exploreAll(t, n, func(i int) (*explore.Result, error) {
		return exploreAt(targets[i], tokens[i%len(tokens)], int64(100+i), 150)
	})
	for i, tc := range unusualButCorrect {
		for j, tok := range tokens {
			t.Run(fmt.Sprintf("%s, token %t", tc.name, tok != ""), func(t *testing.T) {
				g := NewWithT(t)
				res := results[i*len(tokens)+j]
				var out strings.Builder
				g.Expect(res.WriteText(&out, "")).To(Succeed())
				g.Expect(res.Findings).To(BeEmpty(), "%s", out.String())
				g.Expect(res.Cases).To(BeNumerically(">", 5))
				g.Expect(res.Acknowledged).To(BeNumerically(">", 0))
				g.Expect(out.String()).To(ContainSubstring("nothing found"))
			})
		}
	}
}
