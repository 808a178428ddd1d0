package mockserver

import (
	"encoding/json"
	"net/url"
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

// parseQuery reads the gateway's parameters as url.ParseQuery does, for any query.
func FuzzParseQuery(f *testing.F) {
	f.Add("sdkappid=1400000001&identifier=admin&usersig=eJw*a-b_&random=1&contenttype=json")
	f.Add("random=1&random=2&x=%41&identifier=a+b%20c")
	f.Add("a=%zz&sdkappid=1")
	f.Add("a;b=1")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseQuery(raw)
		want, werr := url.ParseQuery(raw)
		if (err != nil) != (werr != nil) {
			t.Fatalf("%q: error %v, url.ParseQuery's %v", raw, err, werr)
		}
		if err != nil {
			return
		}
		for _, p := range gatewayParams {
			if q.get(p) != want.Get(p) {
				t.Fatalf("%q: %s is %q, url.ParseQuery says %q", raw, p, q.get(p), want.Get(p))
			}
			if len(want[p]) > 1 && q.twice == "" {
				t.Fatalf("%q: %s twice not seen", raw, p)
			}
		}
	})
}
