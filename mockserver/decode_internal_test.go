package mockserver

import (
	"encoding/json"
	"testing"
)

// The key check is on every call's path: it walks the bytes once and allocates nothing.
func BenchmarkDecodeCreate(b *testing.B) {
	body := []byte(`{"RoomInfo":{"RoomId":"bench_123","RoomType":"Live","Category":[1,2]}}`)
	b.ReportAllocs()
	for b.Loop() {
		var req struct {
			RoomInfo *roomInfoRequest `json:"RoomInfo"`
		}
		if err := decode(body, &req); err != nil {
			b.Fatal(err)
		}
	}
}

// The key walk never loops or panics, and refuses what it refuses with a bad-parameter code.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"RoomInfo":{"RoomId":"r","RoomType":"Live","roomname":"x"}}`))
	f.Add([]byte(`{"RoomId":"r","Metadata":[{"Key":"k","Value":"v"},{"key":"k"}]}`))
	f.Add([]byte(`{"a\u0041":1,"RoomId":"r","RoomId":"s"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		var req struct {
			RoomId   *string `json:"RoomId"`
			RoomInfo *roomInfoRequest
			Metadata []struct{ Key, Value string }
		}
		if err := decode(body, &req); err != nil && err.code != CodeBadParameter && err.code != CodeJSONParse {
			t.Fatalf("code %d: %s", err.code, err.info)
		}
	})
}
