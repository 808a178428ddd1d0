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
	req := &http.Request{Method: http.MethodPost, URL: &url.URL{Scheme: "http", Host: "h"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReader(bytes.NewReader(data))
		resp, err := readHead(br, req)
		if err != nil {
			return
		}
		if resp.StatusCode < 100 || resp.StatusCode > 999 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		tr := &fastTransport{idle: map[string][]*fastConn{}, maxIdle: 1}
		tr.attachBody(resp, &fastConn{Conn: nopConn{}, br: br}, "h")
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
	})
}

// nopConn stands for a connection in parser tests.
type nopConn struct{ net.Conn }

func (nopConn) Close() error { return nil }
