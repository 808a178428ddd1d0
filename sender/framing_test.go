package sender_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// rawServer answers every request on a loopback connection with answer, as written, and closes
// the connection after it when closeAfter is set. conns counts the connections it took.
func rawServer(t *testing.T, answer string, closeAfter bool) (url string, conns *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns = new(atomic.Int32)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					if _, err := io.WriteString(c, answer); err != nil || closeAfter {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String() + "/cb", conns
}

// Over the wire, both transports judge an answer by its framing alike: a correct one in any
// shape is an acknowledgement, a broken one never is; and the lean one keeps a connection only
// after an answer that leaves it in step.
func TestClientFraming(t *testing.T) {
	ack := string(webhook.Acknowledgement)
	for _, tc := range []struct {
		name       string
		answer     string
		closeAfter bool
		outcome    webhook.Outcome
		err        string // in the lean transport's error
		pooled     bool   // the lean transport's second request goes on the first's connection
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" + ack, false, webhook.Acknowledged, "", true},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + ack[:32] + "\r\n12\r\n" + ack[32:] + "\r\n0\r\n\r\n", false, webhook.Acknowledged, "", true},
		{"extra headers, 103 then 200", "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nServer: x\r\nX-Request-Id: 7\r\nContent-Length: 50\r\n\r\n" + ack, false, webhook.Acknowledged, "", true},
		{"100 Continue then 200", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" + ack, false, webhook.Acknowledged, "", true},
		{"connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 50\r\n\r\n" + ack, true, webhook.Acknowledged, "", false},
		{"HTTP/1.0 to the close", "HTTP/1.0 200 OK\r\n\r\n" + ack, true, webhook.Acknowledged, "", false},
		{"bytes after the answer", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" + ack + "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" + ack, false, webhook.Acknowledged, "", false},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n" + ack, true, webhook.ConnReset,
			"connection closed before the answer was complete: unexpected EOF: the body ended after 50 of the 200 bytes its Content-Length announced", false},
		{"signed Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: +50\r\n\r\n" + ack, false, webhook.ConnError, `malformed HTTP answer: Content-Length "+50"`, false},
		{"conflicting Content-Lengths", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\nContent-Length: 60\r\n\r\n" + ack, false, webhook.ConnError, "Content-Length header lines that differ", false},
		{"Transfer-Encoding not ending in chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n" + ack, false, webhook.ConnError, `Transfer-Encoding "gzip" does not end in chunked`, false},
		{"101 switching protocols", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n", false, webhook.BadStatus, "HTTP status is 101", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, opts := range transports {
				t.Run(name, func(t *testing.T) {
					g := NewWithT(t)
					url, conns := rawServer(t, tc.answer, tc.closeAfter)
					c := sender.NewClient(opts...)
					defer c.CloseIdleConnections()
					for i := range 2 {
						res := deliver(t, c, url)
						g.Expect(res.Outcome).To(Equal(tc.outcome), "request %d: %v", i, res.Err)
						if tc.outcome == webhook.Acknowledged {
							g.Expect(res.Err).NotTo(HaveOccurred())
						} else if name == "fast" || tc.outcome == webhook.BadStatus {
							g.Expect(res.Err).To(MatchError(ContainSubstring(tc.err)))
						}
					}
					if name == "fast" {
						want := int32(2)
						if tc.pooled {
							want = 1
						}
						g.Expect(conns.Load()).To(Equal(want), "connections for two requests")
					}
					if name == "fast" && tc.outcome == webhook.ConnError {
						res := deliver(t, c, url)
						hint := sender.NoAnswerHint(url, map[webhook.Outcome]int64{tc.outcome: 1}, []string{res.Err.Error()})
						g.Expect(hint).To(HavePrefix(url+" answers, but not in valid HTTP/1.1 ("), "the report names the broken framing")
						g.Expect(hint).To(ContainSubstring(strings.TrimPrefix(tc.err, "malformed HTTP answer: ")))
					}
				})
			}
		})
	}
}
