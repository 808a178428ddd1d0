package webhook_test

import (
	"os"
	"testing"

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
