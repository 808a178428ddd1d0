package sender_test

import (
	"context"
	"net/http/httptest"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

func TestAnUntrustedCertificateSaysSo(t *testing.T) {
	g := NewWithT(t)
	srv := httptest.NewTLSServer(answer(200, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`))
	t.Cleanup(srv.Close)
	res := sender.NewClient().Do(context.Background(), webhook.Request{Command: webhook.CommandCreateRoom, URL: srv.URL, Body: []byte(`{}`)})
	g.Expect(res.Outcome).To(Equal(webhook.ConnError))
	g.Expect(res.Err).To(MatchError(sender.ErrUntrustedCertificate))
	hint := sender.NoAnswerHint(srv.URL, map[string]int64{"conn_error": 1}, []string{res.Err.Error()})
	g.Expect(hint).To(HavePrefix("the TLS certificate of " + srv.URL + " is not trusted"))
	g.Expect(hint).To(ContainSubstring("add --insecure"))

	ok := sender.NewClient(sender.WithInsecureTLS()).Do(context.Background(), webhook.Request{Command: webhook.CommandCreateRoom, URL: srv.URL, Body: []byte(`{}`)})
	g.Expect(ok.Outcome).To(Equal(webhook.Acknowledged))
}

func TestNoAnswerHint(t *testing.T) {
	const url = "http://127.0.0.1:9/hook"
	for _, tc := range []struct {
		name     string
		outcomes map[string]int64
		want     string
	}{
		{"refused", map[string]int64{"conn_refused": 3}, "nothing answered at " + url + " (connection refused): is the app backend running there, and is it the callback URL?"},
		{"stalls", map[string]int64{"timeout": 2, "conn_reset": 1}, "no complete answer came from " + url + ": it took the connections, but 3 webhooks timed out or were cut off"},
		{"one stall", map[string]int64{"timeout": 1}, "no complete answer came from " + url + ": it took the connections, but 1 webhook timed out or was cut off"},
		{"mixed", map[string]int64{"timeout": 2, "conn_refused": 1, "conn_error": 4}, "nothing answered at " + url + " (connection refused): is the app backend running there"},
		{"one answer is enough", map[string]int64{"conn_refused": 3, "bad_status": 1}, ""},
		{"canceled is no failure to answer", map[string]int64{"canceled": 3}, ""},
		{"nothing sent", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sender.NoAnswerHint(url, tc.outcomes, []string{"dial tcp 127.0.0.1:9: connect: connection refused"})
			if tc.want == "" {
				NewWithT(t).Expect(got).To(BeEmpty())
				return
			}
			NewWithT(t).Expect(got).To(HavePrefix(tc.want))
		})
	}
}
