package sender_test

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// BenchmarkDeliver sends one webhook to the reference receiver over loopback and checks its
// answer, over net/http and over the lean transport (WithFastTransport). The mock backend and
// load runs deliver over the one that is faster here; the scenarios runner keeps net/http, whose
// every feature (proxies, HTTP/2, TLS settings) a user's target may need.
func BenchmarkDeliver(b *testing.B) {
	rv, err := receiver.New(receiver.Config{SDKAppID: 1400000001, LogSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(rv)
	defer srv.Close()
	body, err := os.ReadFile("../webhook/testdata/modify_admin.json")
	if err != nil {
		b.Fatal(err)
	}
	e := webhook.Endpoint{URL: srv.URL + "/cb", SDKAppID: 1400000001}
	req := webhook.Request{Command: webhook.CommandModifyAdmin, URL: e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}), Body: body}
	for _, tc := range []struct {
		name string
		c    *sender.Client
	}{{"net-http", sender.NewClient()}, {"fast", sender.NewClient(sender.WithFastTransport())}} {
		c := tc.c
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if res := c.Do(context.Background(), req); res.Outcome != webhook.Acknowledged {
					b.Fatalf("%v: %v", res.Outcome, res.Err)
				}
			}
		})
	}
}
