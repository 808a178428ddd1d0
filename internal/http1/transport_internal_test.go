package http1

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
)

// FuzzReadAnswer holds the lean transport's framing to net/http's on arbitrary bytes: both
// refuse an answer, or both read the same status and the same body. The lean side may refuse
// only what it documents refusing beyond net/http (a status below 100, a head over maxHead), and
// it keeps a connection only where net/http would.
func FuzzReadAnswer(f *testing.F) {
	for _, s := range framingSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := netHTTPAnswer(data)
		for _, hdr := range []http.Header{nil, {}} {
			got, err := leanAnswer(data, hdr)
			switch {
			case err != nil && wantErr != nil:
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
					t.Fatalf("%q: an error that says neither malformed nor cut short: %v", data, err)
				}
			case errors.Is(err, errStatusCode) && want.status < 100:
				// net/http reads "+12" or "000" as a status; RFC 9110 §15 does not.
			case errors.Is(err, errHeadTooLong) && len(data) > maxHead:
			case err != nil:
				t.Fatalf("%q: lean refuses (%v); net/http reads status %d, body %q", data, err, want.status, want.body)
			case wantErr != nil:
				t.Fatalf("%q: net/http refuses (%v); lean reads status %d, body %q", data, wantErr, got.status, got.body)
			case got.status != want.status || !bytes.Equal(got.body, want.body):
				t.Fatalf("%q: lean reads status %d, body %q; net/http status %d, body %q", data, got.status, got.body, want.status, want.body)
			case got.keep && want.close:
				t.Fatalf("%q: lean keeps a connection that net/http closes", data)
			}
		}
	})
}

// answerRead is one side's reading of an answer.
type answerRead struct {
	status int
	body   []byte
	keep   bool // the connection could carry another request
	close  bool // net/http closes the connection
}

// netHTTPAnswer reads an answer to a POST as net/http's Transport does: http.ReadResponse, the
// interim answers skipped (but 101), at most five of them.
func netHTTPAnswer(data []byte) (answerRead, error) {
	br := bufio.NewReader(bytes.NewReader(data))
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/cb", nil)
	if err != nil {
		return answerRead{}, err
	}
	for interim := 0; ; interim++ {
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			return answerRead{}, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode <= 199 && resp.StatusCode != http.StatusSwitchingProtocols {
			if interim == 5 {
				return answerRead{}, errors.New("net/http: too many 1xx informational responses")
			}
			continue
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return answerRead{status: resp.StatusCode}, err
		}
		return answerRead{status: resp.StatusCode, body: body, close: resp.Close || resp.StatusCode == http.StatusSwitchingProtocols}, nil
	}
}

// leanAnswer reads an answer as the lean transport does; keep says whether it would pool the
// connection.
func leanAnswer(data []byte, hdr http.Header) (answerRead, error) {
	br := bufio.NewReader(bytes.NewReader(data))
	h, err := readHead(br, hdr)
	if err != nil {
		return answerRead{}, err
	}
	if h.status < 100 || h.status > 999 {
		return answerRead{}, fmt.Errorf("status %d", h.status)
	}
	r, keep := h.body(br)
	body, err := io.ReadAll(r)
	if err != nil {
		return answerRead{status: h.status}, err
	}
	return answerRead{status: h.status, body: body, keep: keep}, nil
}

// FuzzSplitURL: the request-target the fast path writes without parsing is the one url.Parse
// gives, for any path and query after a known host.
func FuzzSplitURL(f *testing.F) {
	for _, s := range []string{"/cb", "/live/webhook?SdkAppid=1&Sign=ab%2F", "?x=1", "", "/a%zz", "/a#frag", "/ü", "/a b", "//x", ":1/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		tr := New(http.DefaultTransport, 1, "")
		if _, _, ok := tr.Split("http://127.0.0.1:8080/cb"); !ok {
			t.Fatal("a plain URL is not split")
		}
		raw := "http://127.0.0.1:8080" + rest
		tg, uri, ok := tr.Split(raw)
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
