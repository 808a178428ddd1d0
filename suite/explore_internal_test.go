package suite

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

func TestExploreSpecReportsWhatItFinds(t *testing.T) {
	g := NewWithT(t)
	rv, err := receiver.New(receiver.Config{SDKAppID: webhook.DefaultSDKAppID})
	g.Expect(err).NotTo(HaveOccurred())
	// A router that takes no punctuation in a RoomId, which the protocol allows.
	broken := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if ev, err := webhook.Decode(body); err == nil {
			for _, c := range ev.Room() {
				if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
					w.WriteHeader(http.StatusNotFound)
					_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"no route","ErrorCode":404}`)
					return
				}
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rv.ServeHTTP(w, r)
	})
	for _, tc := range []struct {
		h     http.Handler
		found bool
	}{{broken, true}, {rv, false}} {
		srv := httptest.NewServer(tc.h)
		msg, err := exploreSpec(context.Background(), Config{Handler: tc.h, Seed: 1}, srv.URL+"/webhook", 150)
		srv.Close()
		g.Expect(err).NotTo(HaveOccurred())
		if tc.found {
			g.Expect(msg).To(ContainSubstring("FINDING 1"))
			g.Expect(msg).To(ContainSubstring(`"no route"`))
			g.Expect(msg).To(ContainSubstring("reproducer:"))
		} else {
			g.Expect(msg).To(BeEmpty())
		}
	}
	_, err = exploreSpec(context.Background(), Config{}, "http://127.0.0.1:1/webhook", 10)
	g.Expect(err).To(MatchError(ContainSubstring("set Config.Target")))
}
