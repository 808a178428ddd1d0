package sender_test

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// Each answer to a before-callback, delivered for real, decides as the gift page says: only
// ErrorCode 0 lets the gift go; a non-zero code, a failed answer or none in time blocks it; the
// pass-through range reaches the sender; the non-blocking configuration lets every failure through.
func TestDecideBefore(t *testing.T) {
	stall := make(chan struct{})
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		allowed bool
		code    int
		reason  string
	}{
		{"ack", answer(200, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`), true, 0, "ErrorCode 0"},
		{"refused", answer(200, `{"ActionStatus":"FAIL","ErrorInfo":"no coins","ErrorCode":1}`), false, 0, `ErrorCode 1 ("no coins")`},
		{"passed through", answer(200, `{"ActionStatus":"FAIL","ErrorInfo":"vip only","ErrorCode":102150}`), false, 102150, "ErrorCode 102150"},
		{"above the range", answer(200, `{"ActionStatus":"FAIL","ErrorInfo":"","ErrorCode":102201}`), false, 0, "ErrorCode 102201"},
		{"FAIL with 0", answer(200, `{"ActionStatus":"FAIL","ErrorInfo":"","ErrorCode":0}`), false, 0, "answer failed"},
		{"500", answer(500, `oops`), false, 0, "answer failed"},
		{"not json", answer(200, `ok`), false, 0, "answer failed"},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-stall:
			case <-r.Context().Done():
			}
		}, false, 0, "no answer within the deadline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			c := sender.NewClient(sender.WithTimeout(100 * time.Millisecond))
			srv := serve(t, tc.h)
			if tc.name == "timeout" {
				t.Cleanup(func() { close(stall) }) // before the server's Close, which waits for the handler
			}
			res := deliver(t, c, srv.URL)
			v := webhook.DecideBefore(res, false)
			g.Expect(v.Allowed).To(Equal(tc.allowed), v.Reason)
			g.Expect(v.Code).To(Equal(tc.code))
			g.Expect(v.Reason).To(ContainSubstring(tc.reason))

			nb := webhook.DecideBefore(res, true)
			g.Expect(nb.Allowed).To(BeTrue(), "the non-blocking configuration lets everything go")
			g.Expect(nb.Code).To(BeZero())
			if !tc.allowed {
				g.Expect(nb.Reason).To(ContainSubstring(string(webhook.CommandGiftNotBlock)))
			}
		})
	}
}

// A connection refused is no answer, and blocks.
func TestDecideBeforeConnRefused(t *testing.T) {
	g := NewWithT(t)
	srv := serve(t, answer(200, ""))
	url := srv.URL
	srv.Close()
	v := webhook.DecideBefore(deliver(t, sender.NewClient(), url), false)
	g.Expect(v.Allowed).To(BeFalse())
	g.Expect(v.Reason).To(HavePrefix("no answer: "))
}
