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
	hint := sender.NoAnswerHint(srv.URL, map[webhook.Outcome]int64{webhook.ConnError: 1}, []string{res.Err.Error()})
	g.Expect(hint).To(HavePrefix("the TLS certificate of " + srv.URL + " is not trusted"))
	g.Expect(hint).To(ContainSubstring("add --insecure"))

	ok := sender.NewClient(sender.WithInsecureTLS()).Do(context.Background(), webhook.Request{Command: webhook.CommandCreateRoom, URL: srv.URL, Body: []byte(`{}`)})
	g.Expect(ok.Outcome).To(Equal(webhook.Acknowledged))
}

func TestNoAnswerHint(t *testing.T) {
	const url = "http://127.0.0.1:9/hook"
	for _, tc := range []struct {
		name     string
		outcomes map[webhook.Outcome]int64
		want     string
	}{
		{"refused", map[webhook.Outcome]int64{webhook.ConnRefused: 3}, "nothing answered at " + url + " (connection refused): is the app backend running there, and is it the callback URL?"},
		{"stalls", map[webhook.Outcome]int64{webhook.Timeout: 2, webhook.ConnReset: 1}, "no complete answer came from " + url + ": it took the connections, but 3 webhooks timed out or were cut off"},
		{"one stall", map[webhook.Outcome]int64{webhook.Timeout: 1}, "no complete answer came from " + url + ": it took the connections, but 1 webhook timed out or was cut off"},
		{"mixed", map[webhook.Outcome]int64{webhook.Timeout: 2, webhook.ConnRefused: 1, webhook.ConnError: 4}, "nothing answered at " + url + " (connection refused): is the app backend running there"},
		{"one answer is enough", map[webhook.Outcome]int64{webhook.ConnRefused: 3, webhook.BadStatus: 1}, ""},
		{"canceled is no failure to answer", map[webhook.Outcome]int64{webhook.Canceled: 3}, ""},
		{"cut off is a stall", map[webhook.Outcome]int64{webhook.CutOff: 2, webhook.Timeout: 1}, "no complete answer came from " + url + ": it took the connections, but 3 webhooks timed out or were cut off"},
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
