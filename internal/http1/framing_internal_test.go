package http1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

const ack = `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`

// framingCases are answers the lean transport must frame as RFC 9112 and net/http do: each
// correct one read to its status and body, each broken one refused, and a connection kept only
// after an answer that leaves it in step.
var framingCases = []struct {
	name   string
	answer string
	status int    // 0: refused
	body   string // when read
	keep   bool   // when read: the connection may carry the next request
	err    string // when refused: in the error
}{
	// Correct answers, in the shapes receivers send them.
	{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" + ack, 200, ack, true, ""},
	{"chunked, extensions and a trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n" +
		"a;note=1\r\n" + ack[:10] + "\r\n28\r\n" + ack[10:] + "\r\n0\r\nX-Sum: 1\r\n\r\n", 200, ack, true, ""},
	{"chunked in upper case", "HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n32\r\n" + ack + "\r\n0\r\n\r\n", 200, ack, true, ""},
	{"chunked overrides Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + ack + "\r\n0\r\n\r\n", 200, ack, true, ""},
	{"connection close", "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 50\r\n\r\n" + ack, 200, ack, false, ""},
	{"HTTP/1.0 to the close", "HTTP/1.0 200 OK\r\n\r\n" + ack, 200, ack, false, ""},
	{"HTTP/1.0 with a length", "HTTP/1.0 200 OK\r\nContent-Length: 50\r\n\r\n" + ack, 200, ack, false, ""},
	{"HTTP/1.0 ignores Transfer-Encoding", "HTTP/1.0 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 50\r\n\r\n" + ack, 200, ack, false, ""},
	{"extra and folded headers, bare LF", "HTTP/1.1 200 OK\nServer: x\nX-Long: a\n  b\nDate: Wed, 02 Dec 2026 04:00:00 GMT\nContent-Length: 50\n\n" + ack, 200, ack, true, ""},
	{"equal Content-Lengths", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\nContent-Length:  50 \r\n\r\n" + ack, 200, ack, true, ""},
	{"100 Continue, then 200", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" + ack, 200, ack, true, ""},
	{"102 and 103, then 200", "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" + ack, 200, ack, true, ""},
	{"five interim answers", strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 5) + "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" + ack, 200, ack, true, ""},
	{"no content", "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", 204, "", true, ""},
	{"a name with a space is nobody's field", "HTTP/1.1 200 OK\r\nContent-Length : 9\r\nContent-Length: 50\r\n\r\n" + ack, 200, ack, true, ""},
	// 101 hands the connection to another protocol: read, never kept.
	{"101 switching protocols", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 101, "", false, ""},

	// Broken framing.
	{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n" + ack, 0, "", false, "the body ended after 50 of the 200 bytes its Content-Length announced"},
	{"signed Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: +50\r\n\r\n" + ack, 0, "", false, `Content-Length "+50" is not a number`},
	{"non-digit Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 5O\r\n\r\n" + ack, 0, "", false, `Content-Length "5O"`},
	{"empty Content-Length", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n" + ack, 0, "", false, `Content-Length ""`},
	{"Content-Length list", "HTTP/1.1 200 OK\r\nContent-Length: 50, 50\r\n\r\n" + ack, 0, "", false, `Content-Length "50, 50"`},
	{"overflowing Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n" + ack, 0, "", false, `Content-Length "9223372036854775808"`},
	{"conflicting Content-Lengths", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\nContent-Length: 49\r\n\r\n" + ack, 0, "", false, "2 Content-Length header lines that differ"},
	{"invalid Content-Length beside chunked", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + ack + "\r\n0\r\n\r\n", 0, "", false, `Content-Length "-1"`},
	{"conflicting Content-Lengths on a 204", "HTTP/1.1 204 No Content\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 0, "", false, "differ"},
	{"last coding not chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n" + ack, 0, "", false, `Transfer-Encoding "chunked, gzip" does not end in chunked`},
	{"gzip only", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n" + ack, 0, "", false, `Transfer-Encoding "gzip"`},
	{"two Transfer-Encoding lines", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, "", false, "2 Transfer-Encoding header lines"},
	{"chunked in Kelvin's K", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chun\u212aed\r\n\r\n0\r\n\r\n", 0, "", false, "Transfer-Encoding"},
	{"Trailer names Content-Length", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: content-length\r\n\r\n0\r\n\r\n", 0, "", false, "Trailer names"},
	{"bad framing on an interim answer", "HTTP/1.1 103 Early Hints\r\nContent-Length: x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" + ack, 0, "", false, `Content-Length "x"`},
	{"six interim answers", strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 6) + "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" + ack, 0, "", false, "more than 5 interim"},
	{"chunk without its CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + ack + "0\r\n\r\n", 0, "", false, "does not end in CRLF"},
	{"chunk line with a bare LF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\n" + ack + "\r\n0\r\n\r\n", 0, "", false, "chunk-size line"},
	{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 32\r\n" + ack + "\r\n0\r\n\r\n", 0, "", false, "chunk size"},
	{"chunked cut short", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + ack[:20], 0, "", false, "unexpected EOF"},
	{"no last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + ack + "\r\n", 0, "", false, "unexpected EOF"},
	{"no end of trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n" + ack + "\r\n0\r\n", 0, "", false, "trailer"},
	{"head cut short", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n", 0, "", false, "unexpected EOF"},
	{"signed status", "HTTP/1.1 +20 OK\r\nContent-Length: 50\r\n\r\n" + ack, 0, "", false, `status code`},
	{"HTTP/1.1x", "HTTP/1.11 200 OK\r\nContent-Length: 50\r\n\r\n" + ack, 0, "", false, "HTTP version"},
	{"space before the first header", "HTTP/1.1 200 OK\r\n Content-Length: 50\r\n\r\n" + ack, 0, "", false, "starts with white space"},
	{"header without colon", "HTTP/1.1 200 OK\r\nContent-Length 50\r\n\r\n" + ack, 0, "", false, "has no colon"},
	{"control character in a value", "HTTP/1.1 200 OK\r\nX: a\x00b\r\nContent-Length: 50\r\n\r\n" + ack, 0, "", false, "control character"},
	{"not HTTP", "SMTP ready\r\n\r\n", 0, "", false, "status code"},
	{"no space in the status line", "HTTP/1.1\r\n\r\n", 0, "", false, "status line"},
	{"CR before CRLF", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\r\n\r\n" + ack, 0, "", false, "control character"},
}

// framingSeeds seed the differential fuzz target with the cases and some odd shapes.
var framingSeeds = func() []string {
	s := []string{
		"HTTP/1.1 999 \r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 000 OK\r\n\r\n",
		"HTTP/2.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"HTTP/0.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\rContent-Length: 1\r\n\r\nx",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + strings.Repeat("e", 200) + "\r\nx\r\n0\r\nA: b\r\n c\r\n\r\n",
	}
	for _, tc := range framingCases {
		s = append(s, tc.answer)
	}
	return s
}()

func TestFraming(t *testing.T) {
	for _, tc := range framingCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, hdr := range []http.Header{nil, {}} {
				got, err := leanAnswer([]byte(tc.answer), hdr)
				if tc.status == 0 {
					if err == nil {
						t.Fatalf("read as status %d, body %q; want an error with %q", got.status, got.body, tc.err)
					}
					if !strings.Contains(err.Error(), tc.err) {
						t.Fatalf("error %q, want it to say %q", err, tc.err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got.status != tc.status || string(got.body) != tc.body || got.keep != tc.keep {
					t.Fatalf("status %d, body %q, keep %v; want %d, %q, %v", got.status, got.body, got.keep, tc.status, tc.body, tc.keep)
				}
			}
			// The oracle agrees with the table, so the table says what net/http says, but
			// where the lean transport is stricter on purpose.
			if strings.Contains(tc.err, "status code") {
				return
			}
			want, err := netHTTPAnswer([]byte(tc.answer))
			if (err == nil) != (tc.status != 0) || err == nil && (want.status != tc.status || string(want.body) != tc.body) {
				t.Fatalf("net/http reads status %d, body %q, error %v", want.status, want.body, err)
			}
		})
	}
}

// A body cut short says so to the client: an unexpected EOF, which the client calls a reset
// connection, not an answer.
func TestShortBodyIsUnexpectedEOF(t *testing.T) {
	br := bufio.NewReader(strings.NewReader("HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n" + ack))
	h, err := readHead(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := h.body(br)
	b, err := io.ReadAll(r)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !bytes.Equal(b, []byte(ack)) {
		t.Fatalf("read %q, %v; want the 50 bytes and an unexpected EOF", b, err)
	}
}
