package receiver

import (
	"net/url"
	"strings"
	"testing"
)

// A query cut into pairs must read as url.ParseQuery reads it: same error, same values.
func FuzzQueryIsParseQuery(f *testing.F) {
	for _, raw := range []string{
		"SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json&ClientIP=10.1.2.3&OptPlatform=Android&Sign=ab&RequestTime=1700000000",
		"", "&", "&&a=1&&", "a", "a=", "=a", "=", "a=b=c", "a=1&a=2&b", "a=1&A=2", "a=%zz", "a=b+c", "a+b=c", "a=%41",
		"a=1;b=2", "a;b", "%zz&a=1", "a=\x00\xff&b= ", "a=1&" + strings.Repeat("b=2&", 14), "a=1&" + strings.Repeat("b=2&", 15) + "c",
		strings.Repeat("&", 20) + "a=1",
	} {
		f.Add(raw, "a")
	}
	f.Fuzz(func(t *testing.T, raw, name string) {
		want, werr := url.ParseQuery(raw)
		var q query
		err := q.parse(raw)
		if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("%q: error %v, url.ParseQuery's %v", raw, err, werr)
		}
		names := []string{name, "", "b"}
		for k := range want {
			names = append(names, k)
		}
		for _, n := range names {
			if q.Get(n) != want.Get(n) || q.Has(n) != want.Has(n) {
				t.Fatalf("%q: %q is %q (%v), url.ParseQuery's %q (%v)", raw, n, q.Get(n), q.Has(n), want.Get(n), want.Has(n))
			}
		}
	})
}

// BenchmarkQueryParse parses a signed CreateRoom's query.
func BenchmarkQueryParse(b *testing.B) {
	raw := "SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json&ClientIP=10.1.2.3&OptPlatform=Android&Sign=9c6d4f0c6e2f1a3b5d7e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c&RequestTime=1700000000"
	b.ReportAllocs()
	for b.Loop() {
		var q query
		_ = q.parse(raw)
		if q.Get("OptPlatform") != "Android" {
			b.Fatal()
		}
	}
}
