// Package console is livehook's live web console: a page served beside the reference
// receiver (Console), at GET / for a browser (Accept: text/html), that shows each delivery as
// it is answered, with its query, headers, body, checks and answer, and sends one again; and
// beside the mock Live backend (Mock), where it shows the rooms and every webhook fired with
// what became of it. Both pages share their structure, styles and helpers, and the assets
// are built into the binary (embed): no CDN, no external font, nothing to build.
//
// Webhooks stay POST on every path, so nothing a sender does changes: the console takes only
// GET / from a browser, GET under /console/, and POST under /console/api/ carrying the header
// X-Livehook-Console (which a webhook sender never sends, and a page of another site cannot
// send without a CORS preflight the console never allows).
//
// The live stream is Server-Sent Events, not WebSocket: deliveries flow one way, to the
// browser; SSE is plain HTTP that net/http serves with no dependency, passes proxies, and
// the browser's EventSource reconnects by itself, resuming after the last delivery it saw
// (Last-Event-ID).
//
// Safety: the page renders every value from the wire as text (textContent, never HTML), and
// its Content-Security-Policy allows no inline script; beyond loopback the console needs a
// token (the receiver's own, or Options.Token), on loopback it refuses a Host that is not
// loopback (DNS rebinding); nothing changes state on GET; the console keeps the newest
// deliveries within a count and byte bound, and the page the newest MaxRows; and each event
// stream has a bounded buffer that drops and counts, so a slow or closed browser never slows
// a webhook's answer.
package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/livehook/livehook/receiver"
)

// Defaults of a Console.
const (
	// DefaultMaxRows is how many deliveries the page shows at most, the newest.
	DefaultMaxRows = 500
	// DefaultStreamBuffer is how many deliveries an event stream may fall behind before it
	// drops (and counts) the next ones.
	DefaultStreamBuffer = 256
	// DefaultResendTimeout bounds a send-again's answer.
	DefaultResendTimeout = 10 * time.Second
	// Header is the header every POST of the page carries (see the package doc).
	Header = "X-Livehook-Console"
	// Prefix is the path of the console's assets, stream and API.
	Prefix = "/console/"
)

// ErrNeedsToken is New's error when the receiver listens beyond loopback and no token opens
// the console.
var ErrNeedsToken = errors.New("console: the receiver listens beyond loopback and has no token: set one (--token, or --console-token for the console alone) to open the console")

//go:embed assets
var assets embed.FS

// Options configure a Console.
type Options struct {
	// Addr is the address the receiver listens on. Beyond loopback (an empty host, 0.0.0.0,
	// another interface) the console needs a token.
	Addr string
	// Token opens the console; when empty, the receiver's token does. Needed beyond loopback,
	// optional on it (then the console asks for it too).
	Token string
	// MaxRows is how many deliveries the page shows (DefaultMaxRows when zero).
	MaxRows int
	// MaxRooms is how many rooms of each app the serve console shows (DefaultMaxRooms when
	// zero).
	MaxRooms int
	// StreamBuffer bounds each event stream's backlog (DefaultStreamBuffer when zero).
	StreamBuffer int
	// Transport sends the send-again requests (a clone of http.DefaultTransport when nil).
	Transport http.RoundTripper
}

// Console serves the page and its API beside a receiver. It is an http.Handler that passes
// every webhook to the receiver; Close ends its streams.
type Console struct {
	routes map[string]http.HandlerFunc // the guarded paths, made once: every webhook passes ServeHTTP
	guard
	rv     *receiver.Receiver
	opt    Options
	store  *store
	sub    *receiver.Subscription
	client *http.Client

	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// New returns the console of rv. It starts a goroutine that Close stops.
func New(rv *receiver.Receiver, opt Options) (*Console, error) {
	cfg := rv.Config()
	if opt.MaxRows <= 0 {
		opt.MaxRows = DefaultMaxRows
	}
	if opt.StreamBuffer <= 0 {
		opt.StreamBuffer = DefaultStreamBuffer
	}
	tok := opt.Token
	if tok == "" {
		tok = cfg.Token
	}
	if !Loopback(opt.Addr) && tok == "" {
		return nil, ErrNeedsToken
	}
	keep := cfg.LogSize
	if keep <= 0 {
		keep = receiver.DefaultLogSize
	}
	tr := opt.Transport
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	c := &Console{
		guard: newGuard(tok), rv: rv, opt: opt,
		store: &store{maxCount: keep, maxBytes: cfg.LogBytes},
		client: &http.Client{Transport: tr, Timeout: DefaultResendTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		done: make(chan struct{}),
	}
	// The console reads deliveries at its own pace; its buffer is large, and what it misses
	// while it falls behind is counted (Missed) rather than slowing an answer.
	c.sub = rv.Subscribe(4096)
	c.wg.Go(func() {
		for d := range c.sub.C() {
			c.store.add(d, c.event(&d))
		}
	})
	c.routes = map[string]http.HandlerFunc{
		Prefix + "events":        c.serveEvents,
		Prefix + "api/resend":    c.serveResend,
		Prefix + "api/recording": c.serveRecording,
		Prefix + "api/body":      c.serveBody,
	}
	return c, nil
}

// Loopback reports whether addr (host:port) listens on loopback only.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Close ends the console's event streams and stops its goroutine. It is safe to call more
// than once.
func (c *Console) Close() error {
	c.closeOnce.Do(func() {
		close(c.done)
		c.sub.Close()
		c.wg.Wait()
		c.store.close()
	})
	return nil
}

// Missed is how many deliveries the console did not keep because it fell behind.
func (c *Console) Missed() uint64 { return c.sub.Dropped() }

// StreamDrops is how many deliveries the page's event streams left out, over all of them,
// because a browser did not read fast enough.
func (c *Console) StreamDrops() uint64 { return c.store.hub.Dropped() }

// NeedsToken reports whether the console asks for a token.
func (c *Console) NeedsToken() bool { return c.token != "" }

// ServeHTTP serves the console's requests and passes every other to the receiver.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.guard.route(w, r, c.rv, "assets/index.html", c.routes)
}

// route serves a console's request, or hands a sender's to next: the page at /, the guarded
// stream and API calls by their paths (api/session for both consoles), the rest (login,
// assets) in common. Both consoles route through it, so the rules of who may see what are one.
func (g *guard) route(w http.ResponseWriter, r *http.Request, next http.Handler, page string, guarded map[string]http.HandlerFunc) {
	if !isConsole(r) {
		next.ServeHTTP(w, r)
		return
	}
	if !g.admit(w, r) {
		return
	}
	switch p := r.URL.Path; {
	case p == "/":
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFileFS(w, r, assets, page)
	case strings.HasPrefix(p, Prefix+"api/") && p != Prefix+"api/login" || p == Prefix+"events":
		if !g.authorized(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "the console needs its token"})
			return
		}
		if h := guarded[p]; h != nil {
			h(w, r)
		} else if p == Prefix+"api/session" {
			writeJSON(w, http.StatusOK, map[string]bool{"authorized": true})
		} else {
			http.NotFound(w, r)
		}
	default:
		g.serveCommon(w, r)
	}
}

// startStream readies a response to carry an event stream: free of the server's read and write
// timeouts (each write sets its own), resuming after the Last-Event-ID the browser sent, if any.
func startStream(w http.ResponseWriter, r *http.Request) (rc *http.ResponseController, after uint64) {
	rc = http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		after, _ = strconv.ParseUint(id, 10, 64)
	}
	return rc, after
}

// guard is what the receive and serve consoles share: the token that opens them, the
// headers every answer carries, the Host check, the login and the static assets.
type guard struct {
	token   string // what opens the console; "" when it is open on loopback
	session string // the cookie value a login sets
	static  http.Handler
}

func newGuard(tok string) guard {
	g := guard{token: tok}
	if tok != "" {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		m := hmac.New(sha256.New, key)
		m.Write([]byte("livehook console session"))
		g.session = hex.EncodeToString(m.Sum(nil))
	}
	sub, _ := fs.Sub(assets, "assets")
	g.static = http.StripPrefix(Prefix, http.FileServerFS(sub))
	return g
}

// admit sets the headers of every console answer and refuses, answering, what the Host check
// refuses.
func (g *guard) admit(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
	if g.token == "" && !loopbackHost(r.Host) {
		// An open console on loopback answers only to a loopback name: a page of another site
		// that rebinds its name to 127.0.0.1 cannot read it.
		http.Error(w, fmt.Sprintf("console: Host %q is not loopback: open the console at http://127.0.0.1:PORT/", r.Host), http.StatusForbidden)
		return false
	}
	return true
}

// serveCommon serves the favicon, the login and the assets.
func (g *guard) serveCommon(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == "/favicon.ico":
		http.Redirect(w, r, Prefix+"icon.svg", http.StatusMovedPermanently)
	case p == Prefix+"api/login":
		g.serveLogin(w, r)
	case strings.HasSuffix(p, ".html"):
		http.NotFound(w, r) // the pages are served at /
	default:
		g.static.ServeHTTP(w, r)
	}
}

// isConsole tells the console's requests from webhooks: GET / from a browser, a GET or HEAD
// under Prefix or of /favicon.ico, and a POST under Prefix+"api/" that carries Header.
func isConsole(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		switch r.URL.Path {
		case "/":
			return strings.Contains(r.Header.Get("Accept"), "text/html")
		case "/favicon.ico": // what a browser asks for by itself
			return true
		}
		return strings.HasPrefix(r.URL.Path, Prefix)
	case http.MethodPost:
		return strings.HasPrefix(r.URL.Path, Prefix+"api/") && r.Header.Get(Header) != ""
	}
	return false
}

// loopbackHost reports whether a Host header names loopback.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

const sessionCookie = "livehook_console"

// authorized reports whether r may read the console: it is open, or r carries the session
// cookie or the token as a bearer.
func (g *guard) authorized(r *http.Request) bool {
	if g.token == "" {
		return true
	}
	if ck, err := r.Cookie(sessionCookie); err == nil && subtle.ConstantTimeCompare([]byte(ck.Value), []byte(g.session)) == 1 {
		return true
	}
	if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return subtle.ConstantTimeCompare([]byte(b), []byte(g.token)) == 1
	}
	return false
}
