package receiver

import (
	"net/http"
	"net/textproto"
	"reflect"
	"strings"
	"testing"
)

// connectionlessByDel is connectionless as a clone less what Del deletes.
func connectionlessByDel(h http.Header) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	for _, f := range h.Values("Connection") {
		for _, name := range strings.Split(f, ",") {
			out.Del(textproto.TrimString(name))
		}
	}
	for _, name := range hopByHop {
		out.Del(name)
	}
	return out
}

func TestConnectionless(t *testing.T) {
	for _, h := range []http.Header{
		nil,
		{},
		{"User-Agent": {"livehook"}, "Content-Type": {"application/json"}, "Content-Length": {"434"}},
		{"Connection": {"keep-alive, x-hop ,Upgrade", "X-Other"}, "X-Hop": {"1"}, "X-Other": {"2", "3"}, "Keep-Alive": {"timeout=5"}, "X-Kept": {"4"}},
		{"Te": {"trailers"}, "te": {"lower case stays"}, "Transfer-Encoding": nil, "Trailer": {}, "X-Nil": nil, "X-Empty": {}},
		{"connection": {"X-A"}, "X-A": {"kept: not a Connection header"}, "Proxy-Connection": {"close"}, "Proxy-Authorization": {"x"}, "Proxy-Authenticate": {"y"}, "Upgrade": {"h2c"}},
	} {
		got, want := connectionless(h), connectionlessByDel(h)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v:\ngot  %#v\nwant %#v", h, got, want)
		}
		for name, vs := range got {
			if len(vs) > 0 {
				vs[0] = "changed"
				if h[name][0] == "changed" {
					t.Errorf("%s: the copy shares its values with the request", name)
				}
			}
		}
	}
}

// BenchmarkConnectionless copies the headers net/http leaves in a webhook's request.
func BenchmarkConnectionless(b *testing.B) {
	h := http.Header{"User-Agent": {"livehook"}, "Content-Type": {"application/json; charset=utf-8"}, "Content-Length": {"434"}}
	b.ReportAllocs()
	for b.Loop() {
		_ = connectionless(h)
	}
}
