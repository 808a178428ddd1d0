package webhook

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
)

// FuzzReadAnswer feeds the fast transport's answer parser with anything a server might send.
func FuzzReadAnswer(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 204 No Content\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
	f.Add([]byte("HTTP/1.1 999 \r\nContent-Length: -1\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 1\r\n\r\nx"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, hdr := range []http.Header{nil, {}} {
			br := bufio.NewReader(bytes.NewReader(data))
			h, err := readHead(br, hdr)
			if err != nil {
				continue
			}
			if h.status < 100 || h.status > 999 {
				t.Fatalf("status %d", h.status)
			}
			r, _ := h.body(br)
			fb := &fastBody{t: &fastTransport{idle: map[string][]*fastConn{}, maxIdle: 1}, c: &fastConn{Conn: nopConn{}, br: br}, addr: "h", r: r}
			_, _ = io.Copy(io.Discard, io.LimitReader(fb, 1<<20))
			_ = fb.Close()
		}
	})
}

// FuzzSplitURL: the request-target the fast path writes without parsing is the one url.Parse
// gives, for any path and query after a known host.
func FuzzSplitURL(f *testing.F) {
	for _, s := range []string{"/cb", "/live/webhook?SdkAppid=1&Sign=ab%2F", "?x=1", "", "/a%zz", "/a#frag", "/ü", "/a b", "//x", ":1/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		tr := newFastTransport(http.DefaultTransport, 1)
		if _, _, ok := tr.split("http://127.0.0.1:8080/cb"); !ok {
			t.Fatal("a plain URL is not split")
		}
		raw := "http://127.0.0.1:8080" + rest
		tg, uri, ok := tr.split(raw)
		u, err := url.Parse(raw)
		if !ok {
			if err == nil && u.Scheme == "http" && u.User == nil && u.Host != "" && u.Opaque == "" {
				t.Fatalf("%q: not split, but url.Parse takes it", raw)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: split, but url.Parse says %v", raw, err)
		}
		if uri != u.RequestURI() || tg.host != u.Host {
			t.Fatalf("%q: split into %q %q, url.Parse into %q %q", raw, tg.host, uri, u.Host, u.RequestURI())
		}
	})
}

// nopConn stands for a connection in parser tests.
type nopConn struct{ net.Conn }

func (nopConn) Close() error { return nil }
