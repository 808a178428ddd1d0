package http1

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// The framing of an answer as the lean transport reads it (RFC 9112 §4–7). It takes what
// net/http takes, byte for byte: http.ReadResponse for each head and body, and http.Transport's
// skipping of interim (1xx) answers. FuzzReadAnswer holds it to them on arbitrary bytes. It
// refuses two things net/http takes: a status code that is not three digits from 100 up (RFC
// 9110 §15; net/http reads "+12" and "000" as statuses 12 and 0), and a head over maxHead bytes.
// Where net/http's framing rules are stricter than the RFC's (one Transfer-Encoding, and only
// "chunked"; no bare LF in a chunk line), these are net/http's, since a receiver that net/http
// cannot read is one `livehook run` fails.

// ErrMalformed is in the error of every answer whose framing is broken.
var ErrMalformed = errors.New("malformed HTTP answer")

// The refusals net/http does not make.
var (
	errStatusCode  = fmt.Errorf("%w: a status code that is not three digits from 100 to 999 (RFC 9110 §15)", ErrMalformed)
	errHeadTooLong = fmt.Errorf("%w: a head over %d bytes", ErrMalformed, maxHead)
)

const (
	// maxHead bounds an answer's status line and header lines, each interim answer's apart.
	maxHead = 1 << 20
	// max1xx is how many interim answers may come before the final one, as in net/http.
	max1xx = 5
	// maxChunkLine bounds a chunk-size line, as in net/http.
	maxChunkLine = 4096
	// maxChunkOverhead bounds the bytes of chunk-size lines and extensions beyond 16 a chunk and
	// twice its data, as in net/http: a sender cannot bury a small body in framing.
	maxChunkOverhead = 16 << 10
)

// head is what the transport needs of an answer's head.
type head struct {
	status       int
	statusText   string // "200 OK"; only when the header lines are collected
	major, minor int    // HTTP/major.minor
	length       int64  // Content-Length, or -1
	chunked      bool
	close        bool // Connection: close
}

// fields is what the header lines of one head say about its framing. It holds copies, not
// slices of the reader's buffer, which the next line overwrites, in arrays, so that it needs no
// allocation.
type fields struct {
	lengths    int // Content-Length lines
	length     [24]byte
	lengthN    int  // the first one's value is length[:lengthN]; longer than 24 bytes: over 24
	lengthDiff bool // a later one differs from it
	encodings  int  // Transfer-Encoding lines
	encoding   [24]byte
	encodingN  int // as lengthN, for the last one
	close      bool
	badTrailer string // a framing field that Trailer names
}

func (f *fields) add(k, v []byte) {
	switch {
	case asciiEqualFold(k, "Content-Length"):
		if f.lengths == 0 {
			f.lengthN = keep(&f.length, v)
		} else if f.lengthN > len(f.length) || !bytes.Equal(v, f.length[:f.lengthN]) {
			f.lengthDiff = true
		}
		f.lengths++
	case asciiEqualFold(k, "Transfer-Encoding"):
		f.encodings++
		f.encodingN = keep(&f.encoding, v)
	case asciiEqualFold(k, "Connection"):
		f.close = f.close || hasToken(v, "close")
	case asciiEqualFold(k, "Trailer"):
		for name := range bytes.SplitSeq(v, []byte(",")) {
			name = bytes.Trim(name, " \t")
			for _, framing := range []string{"Content-Length", "Transfer-Encoding", "Trailer"} {
				if asciiEqualFold(name, framing) {
					f.badTrailer = framing
				}
			}
		}
	}
}

// keep copies v into buf and returns its length, or more than buf's when v does not fit.
func keep(buf *[24]byte, v []byte) int {
	if len(v) > len(buf) {
		copy(buf[:], v)
		return len(buf) + 1
	}
	return copy(buf[:], v)
}

// value is what keep kept, marked when cut.
func value(buf *[24]byte, n int) []byte {
	if n > len(buf) {
		return append(buf[:len(buf):len(buf)], "..."...)
	}
	return buf[:n]
}

// readHead reads the status line and header lines, skipping interim (1xx) answers other than
// 101; the header lines go into hdr when it is not nil. Every error wraps ErrMalformed or is
// the connection's own.
func readHead(br *bufio.Reader, hdr http.Header) (head, error) {
	var scratch []byte
	for interim := 0; ; interim++ {
		if interim > max1xx {
			return head{}, fmt.Errorf("%w: more than %d interim (1xx) answers", ErrMalformed, max1xx)
		}
		budget := maxHead
		line, err := readLine(br, &budget)
		if err != nil {
			if interim > 0 && err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return head{}, err
		}
		proto, rest, ok := bytes.Cut(line, []byte(" "))
		if !ok {
			return head{}, fmt.Errorf("%w: status line %q", ErrMalformed, excerpt(line))
		}
		rest = bytes.TrimLeft(rest, " ")
		code, _, _ := bytes.Cut(rest, []byte(" "))
		status, ok := statusCode(code)
		if !ok {
			return head{}, fmt.Errorf("%w: %q", errStatusCode, excerpt(code))
		}
		major, minor, ok := httpVersion(proto)
		if !ok {
			return head{}, fmt.Errorf("%w: HTTP version %q", ErrMalformed, excerpt(proto))
		}
		h := head{status: status, major: major, minor: minor, length: -1}
		if hdr != nil {
			h.statusText = string(rest)
		}
		var f fields
		err = readFields(br, &budget, &scratch, func(k, v []byte) {
			f.add(k, v)
			if hdr != nil {
				hdr.Add(http.CanonicalHeaderKey(string(k)), string(v))
			}
		})
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return head{}, err
		}
		if err := h.frame(&f); err != nil {
			return head{}, err
		}
		if status >= 200 || status == http.StatusSwitchingProtocols {
			return h, nil
		}
		if hdr != nil {
			clear(hdr)
		}
	}
}

// frame decides the body's framing from the header lines (RFC 9112 §6.3), refusing what
// net/http refuses.
func (h *head) frame(f *fields) error {
	h.close = f.close
	// Transfer-Encoding frames only from HTTP/1.1 on (net/http takes HTTP/0.0 for 1.1).
	if f.encodings > 0 && (h.major > 1 || h.major == 1 && h.minor >= 1 || h.major == 0 && h.minor == 0) {
		if f.encodings > 1 {
			return fmt.Errorf(`%w: %d Transfer-Encoding header lines; an answer may have one, "chunked"`, ErrMalformed, f.encodings)
		}
		if enc := value(&f.encoding, f.encodingN); !asciiEqualFold(enc, "chunked") {
			return fmt.Errorf(`%w: Transfer-Encoding %q does not end in chunked, so the body's end is unknown (RFC 9112 §6.3); only "chunked" is supported`, ErrMalformed, string(enc))
		}
		h.chunked = true
	}
	if f.lengths > 0 {
		if f.lengthDiff {
			return fmt.Errorf("%w: %d Content-Length header lines that differ (RFC 9112 §6.3)", ErrMalformed, f.lengths)
		}
		cl := value(&f.length, f.lengthN)
		n, ok := parseLength(cl)
		if !ok {
			return fmt.Errorf("%w: Content-Length %q is not a number of bytes (RFC 9110 §8.6: digits only)", ErrMalformed, string(cl))
		}
		h.length = n
	}
	if h.chunked {
		if f.badTrailer != "" {
			return fmt.Errorf("%w: Trailer names %q, a field that frames the message", ErrMalformed, f.badTrailer)
		}
		h.length = -1 // Transfer-Encoding overrides Content-Length
	}
	return nil
}

// statusCode reads a status code: three digits, the first not 0.
func statusCode(b []byte) (int, bool) {
	if len(b) != 3 || b[0] < '1' || b[0] > '9' || !isDigit(b[1]) || !isDigit(b[2]) {
		return 0, false
	}
	return int(b[0]-'0')*100 + int(b[1]-'0')*10 + int(b[2]-'0'), true
}

// httpVersion reads "HTTP/d.d".
func httpVersion(b []byte) (major, minor int, ok bool) {
	if len(b) != 8 || !bytes.HasPrefix(b, []byte("HTTP/")) || !isDigit(b[5]) || b[6] != '.' || !isDigit(b[7]) {
		return 0, 0, false
	}
	return int(b[5] - '0'), int(b[7] - '0'), true
}

// parseLength reads a Content-Length: decimal digits, at most 2⁶³-1.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if !isDigit(c) || n > (1<<63-1)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > 1<<63-1 {
			return 0, false
		}
	}
	return int64(n), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// readFields reads header lines up to the empty line that ends them, as net/textproto's
// ReadMIMEHeader does: a line that starts with white space continues the one before (obs-fold,
// RFC 9112 §5.2), names are tokens (a space in one makes it a field nobody reads, as in net/http),
// values have no control characters. field gets each name and value, valid until the next read.
func readFields(br *bufio.Reader, budget *int, scratch *[]byte, field func(k, v []byte)) error {
	if b, err := br.Peek(1); err == nil && (b[0] == ' ' || b[0] == '\t') {
		return fmt.Errorf("%w: the first header line starts with white space", ErrMalformed)
	}
	for {
		line, err := readLine(br, budget)
		if err != nil {
			return err
		}
		if len(line) == 0 {
			return nil
		}
		if bytes.IndexByte(line, ':') < 0 {
			return fmt.Errorf("%w: header line %q has no colon", ErrMalformed, excerpt(line))
		}
		if br.Buffered() == 0 || continued(br) {
			// The next read may overwrite line: keep it.
			*scratch = append((*scratch)[:0], trimOWS(line)...)
			line = *scratch
			for continued(br) {
				for {
					c, err := br.ReadByte()
					if err != nil {
						return err
					}
					if c != ' ' && c != '\t' {
						_ = br.UnreadByte()
						break
					}
				}
				next, err := readLine(br, budget)
				if err != nil {
					return err
				}
				*scratch = append(append(*scratch, ' '), trimOWS(next)...)
				line = *scratch
			}
		}
		kv := trimOWS(line)
		k, v, _ := bytes.Cut(kv, []byte(":"))
		if !validName(k) {
			return fmt.Errorf("%w: header line %q: the name is not a token", ErrMalformed, excerpt(kv))
		}
		for _, c := range v {
			if c < ' ' && c != '\t' || c == 0x7f {
				return fmt.Errorf("%w: header line %q has a control character", ErrMalformed, excerpt(kv))
			}
		}
		field(k, bytes.TrimLeft(v, " \t"))
	}
}

// continued reports whether the next line continues the one before: it starts with white space.
func continued(br *bufio.Reader) bool {
	b, err := br.Peek(1)
	return err == nil && (b[0] == ' ' || b[0] == '\t')
}

// validName reports whether a header name is a token (RFC 9110 §5.1), spaces aside: net/http
// takes "Name : value", as a field named "Name ".
func validName(k []byte) bool {
	if len(k) == 0 {
		return false
	}
	for _, c := range k {
		if c != ' ' && (c >= 0x80 || !isTokenByte[c]) {
			return false
		}
	}
	return true
}

var isTokenByte = func() (t [0x80]bool) {
	for c := range t {
		t[c] = '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), byte(c)) >= 0
	}
	return t
}()

// trimOWS trims spaces and tabs from both ends, as net/textproto does (a CR stays, and is a
// control character in a value).
func trimOWS(b []byte) []byte { return bytes.Trim(b, " \t") }

// asciiEqualFold compares b and s in ASCII case only: HTTP's names and tokens are ASCII, and
// Unicode folding would take the Kelvin sign for a k.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// hasToken reports whether a comma-separated header value has token, in any ASCII case.
func hasToken(v []byte, token string) bool {
	for part := range bytes.SplitSeq(v, []byte(",")) {
		if asciiEqualFold(bytes.Trim(part, " \t"), token) {
			return true
		}
	}
	return false
}

// excerpt bounds what an error quotes of an answer.
func excerpt(b []byte) []byte {
	if len(b) > 80 {
		return append(b[:80:80], "..."...)
	}
	return b
}

// body returns the reader of the answer's body and whether the connection can be kept for
// another request once it is read to the end: only after an HTTP/1.1 answer that did not say
// "Connection: close" and did not switch protocols.
func (h *head) body(br *bufio.Reader) (io.Reader, bool) {
	keep := !h.close && h.major == 1 && h.minor >= 1 && h.status != http.StatusSwitchingProtocols
	switch {
	case h.status == http.StatusNoContent || h.status == http.StatusNotModified || h.status < 200:
		h.length = 0
		return eofReader{}, keep
	case h.chunked:
		return &chunked{br: br}, keep
	case h.length == 0:
		return eofReader{}, keep
	case h.length > 0:
		return &lengthReader{br: br, left: h.length, total: h.length}, keep
	default:
		return br, false // read to the close
	}
}

// readLine reads a line without its line ending (LF or CRLF), counting it against budget; the
// line is valid until the next read. A line cut short by the end of the stream is an error:
// in a head or a trailer, net/http fails at the next line.
func readLine(br *bufio.Reader, budget *int) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		long := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			if len(long) > *budget {
				return nil, errHeadTooLong
			}
			line, err = br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if *budget -= len(line); *budget < 0 {
		return nil, errHeadTooLong
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// lengthReader reads a body of Content-Length bytes; one that ends sooner is an error, where
// io.LimitReader would end cleanly.
type lengthReader struct {
	br          *bufio.Reader
	left, total int64
}

func (r *lengthReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.br.Read(p)
	r.left -= int64(n)
	switch {
	case err == io.EOF:
		return n, fmt.Errorf("%w: the body ended after %d of the %d bytes its Content-Length announced", io.ErrUnexpectedEOF, r.total-r.left, r.total)
	case err == nil && r.left == 0:
		return n, io.EOF // so that a reader that stops at the length knows it is the end
	}
	return n, err
}

// chunked decodes a chunked body (RFC 9112 §7.1) and reads its trailer, with net/http's rules:
// net/http/httputil's reader is for servers, and stops before the trailer.
type chunked struct {
	br       *bufio.Reader
	left     uint64 // of the chunk
	checkEnd bool   // the chunk's data is read, not yet its CRLF
	excess   int64
	err      error
	crlf     [2]byte
}

func (c *chunked) Read(p []byte) (int, error) {
	for c.err == nil {
		if c.checkEnd {
			crlf := c.crlf[:]
			if _, err := io.ReadFull(c.br, crlf); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				c.err = err
				break
			}
			if crlf[0] != '\r' || crlf[1] != '\n' {
				c.err = fmt.Errorf("%w: a chunk's data does not end in CRLF", ErrMalformed)
				break
			}
			c.checkEnd = false
		}
		if c.left == 0 {
			c.begin()
			continue
		}
		if len(p) == 0 {
			return 0, nil
		}
		if uint64(len(p)) > c.left {
			p = p[:c.left]
		}
		n, err := c.br.Read(p)
		c.left -= uint64(n)
		switch {
		case err == io.EOF:
			c.err = io.ErrUnexpectedEOF
		case err != nil:
			c.err = err
		case c.left == 0:
			c.checkEnd = true
		}
		return n, c.err
	}
	return 0, c.err
}

// begin reads a chunk-size line; at the last chunk, the trailer too.
func (c *chunked) begin() {
	line, err := c.br.ReadSlice('\n')
	switch {
	case err == io.EOF:
		c.err = io.ErrUnexpectedEOF
		return
	case err == bufio.ErrBufferFull:
		c.err = fmt.Errorf("%w: a chunk-size line over %d bytes", ErrMalformed, maxChunkLine)
		return
	case err != nil:
		c.err = err
		return
	}
	// A bare LF ends a header line but not a chunk line (RFC 9112 erratum 7633).
	if i := bytes.IndexByte(line, '\r'); i < 0 || i != len(line)-2 {
		c.err = fmt.Errorf("%w: chunk-size line %q does not end in CRLF", ErrMalformed, excerpt(line))
		return
	}
	line = line[:len(line)-2]
	if len(line) >= maxChunkLine {
		c.err = fmt.Errorf("%w: a chunk-size line over %d bytes", ErrMalformed, maxChunkLine)
		return
	}
	c.excess += int64(len(line)) + 2
	size := bytes.TrimRight(line, " \t")
	size, _, _ = bytes.Cut(size, []byte(";")) // extensions mean nothing here
	n, ok := parseHex(size)
	if !ok {
		c.err = fmt.Errorf("%w: chunk size %q", ErrMalformed, excerpt(line))
		return
	}
	c.excess = max(c.excess-(16+2*int64(n)), 0)
	if n == 0 {
		c.err = readTrailer(c.br)
		if c.err == nil {
			c.err = io.EOF
		}
		return
	}
	if c.excess > maxChunkOverhead {
		c.err = fmt.Errorf("%w: more chunk framing than data", ErrMalformed)
		return
	}
	c.left = n
}

// parseHex reads a chunk size: one to sixteen hex digits.
func parseHex(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | uint64(d)
	}
	return n, true
}

var errTrailerEOF = fmt.Errorf("%w: the connection closed in the trailer of a chunked body", io.ErrUnexpectedEOF)

// readTrailer reads the trailer after the last chunk, up to its empty line, as net/http does:
// it must end within the reader's buffer.
func readTrailer(br *bufio.Reader) error {
	b, _ := br.Peek(2)
	if len(b) == 2 && b[0] == '\r' && b[1] == '\n' {
		_, _ = br.Discard(2)
		return nil
	}
	if len(b) < 2 {
		return errTrailerEOF
	}
	for n := 4; ; n++ {
		b, err := br.Peek(n)
		if bytes.HasSuffix(b, []byte("\r\n\r\n")) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: a trailer that does not end within %d bytes", ErrMalformed, br.Size())
		}
	}
	budget := maxHead
	var scratch []byte
	err := readFields(br, &budget, &scratch, func(k, v []byte) {})
	if err == io.EOF {
		return errTrailerEOF
	}
	return err
}
