package receiver_test

import (
	"net/http"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

func results(cs []receiver.Check) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Result
	}
	return out
}

// Each refusal names the check that made it, those before it passed and those after it did
// not run; an accepted delivery passed them all.
func TestChecksNameTheFailingOne(t *testing.T) {
	body := seed(t, "create_room.json")
	const p, f, n, s = receiver.CheckPassed, receiver.CheckFailed, receiver.CheckNotRun, receiver.CheckSkipped
	for _, tc := range []struct {
		name   string
		token  string
		method string
		url    string
		body   []byte
		want   []string
	}{
		{"accepted, no token", "", http.MethodPost, webhookURL(webhook.CommandCreateRoom, "", webhook.URLOptions{}), body, []string{p, p, p, s, p}},
		{"accepted, signed", "tok", http.MethodPost, webhookURL(webhook.CommandCreateRoom, "tok", webhook.URLOptions{}), body, []string{p, p, p, p, p}},
		{"GET", "", http.MethodGet, webhookURL(webhook.CommandCreateRoom, "", webhook.URLOptions{}), nil, []string{p, f, n, n, n}},
		{"foreign app", "", http.MethodPost, webhookURL(webhook.CommandCreateRoom, "", webhook.URLOptions{SDKAppID: 1400999999}), body, []string{p, p, f, n, n}},
		{"bad sign", "tok", http.MethodPost, webhookURL(webhook.CommandCreateRoom, "tok", webhook.URLOptions{Signing: webhook.SignBad}), body, []string{p, p, p, f, n}},
		{"not JSON", "", http.MethodPost, webhookURL(webhook.CommandCreateRoom, "", webhook.URLOptions{}), []byte("nope"), []string{p, p, p, s, f}},
	} {
		g := NewWithT(t)
		rv := newReceiver(t, tc.token)
		post(t, rv, tc.method, tc.url, tc.body)
		ds := rv.Deliveries()
		g.Expect(ds).To(HaveLen(1), tc.name)
		g.Expect(results(ds[0].Checks(tc.token != ""))).To(Equal(tc.want), "%s: %s", tc.name, ds[0].Reason)
	}
}
