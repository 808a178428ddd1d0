package webhook_test

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

func benchEncode(b *testing.B, file string) {
	raw, err := os.ReadFile("testdata/" + file)
	if err != nil {
		b.Fatal(err)
	}
	ev, err := webhook.Decode(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := webhook.Encode(ev); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeCreateRoom(b *testing.B)  { benchEncode(b, "create_room.json") }
func BenchmarkEncodeModifyAdmin(b *testing.B) { benchEncode(b, "modify_admin.json") }
func BenchmarkEncodeDestroyRoom(b *testing.B) { benchEncode(b, "destroy_room.json") }

func BenchmarkRequestURLSigned(b *testing.B) {
	e := webhook.Endpoint{URL: "http://127.0.0.1:8080/cb", SDKAppID: 1400000001, Token: "xxxxyyyy"}
	meta := webhook.Meta{ClientIP: "10.0.0.1", OptPlatform: "iOS"}
	b.ReportAllocs()
	for b.Loop() {
		_ = e.RequestURL(webhook.CommandCreateRoom, meta, webhook.URLOptions{})
	}
}

// BenchmarkDeliver sends one webhook to the reference receiver over loopback and checks its answer.
func BenchmarkDeliver(b *testing.B) {
	rv, err := receiver.New(receiver.Config{SDKAppID: 1400000001, LogSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(rv)
	defer srv.Close()
	body, err := os.ReadFile("testdata/modify_admin.json")
	if err != nil {
		b.Fatal(err)
	}
	e := webhook.Endpoint{URL: srv.URL + "/cb", SDKAppID: 1400000001}
	req := webhook.Request{Command: webhook.CommandModifyAdmin, URL: e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}), Body: body}
	c := webhook.NewClient()
	b.ReportAllocs()
	for b.Loop() {
		if res := c.Do(context.Background(), req); res.Outcome != webhook.Acknowledged {
			b.Fatalf("%v: %v", res.Outcome, res.Err)
		}
	}
}

func BenchmarkValidateBody(b *testing.B) {
	body, err := os.ReadFile("testdata/destroy_room.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := webhook.ValidateBody(webhook.CommandDestroyRoom, body); err != nil {
			b.Fatal(err)
		}
	}
}
