// Package receiver is the reference webhook receiver: an http.Handler that checks each incoming
// Live webhook against the protocol, answers OK/0 or FAIL with the reason, and keeps a log.
package receiver

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/livehook/livehook/webhook"
)

// Defaults of the receiver.
const (
	// DefaultMaxSkew is how far RequestTime may be from the receiver's clock.
	DefaultMaxSkew = 60 * time.Second
	// DefaultMaxBodyBytes is the largest body accepted; larger ones get 413.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultLogSize is how many deliveries the log keeps, the newest ones.
	DefaultLogSize = 1000
	// LoggedBodyBytes caps how much of each body the log keeps.
	LoggedBodyBytes = 64 << 10
	// DeliveriesPath serves the log as JSON on GET, and clears it on DELETE.
	DeliveriesPath = "/deliveries"
)

// Error codes the receiver answers with in a FAIL.
const (
	CodeOK         = 0
	CodeBadMethod  = 1 // not POST
	CodeTooLarge   = 2 // body over the limit
	CodeBadQuery   = 3 // a query parameter missing or malformed
	CodeForeignApp = 4 // SdkAppid is not the receiver's
	CodeBadSign    = 5 // Sign missing or wrong
	CodeStale      = 6 // RequestTime outside the allowed skew
	CodeUnknownCmd = 7 // a CallbackCommand the receiver does not know
	CodeNotJSON    = 8 // the body is not a JSON object
	CodeBadBody    = 9 // a field missing or of the wrong type, or CallbackCommand differing from the URL's
)

// Config configures a Receiver.
type Config struct {
	// SDKAppID is the app's own; webhooks for any other are refused. Required.
	SDKAppID uint64
	// Token, when set, requires a valid Sign and a RequestTime within MaxSkew.
	Token string
	// MaxSkew bounds |RequestTime - now| (DefaultMaxSkew when zero).
	MaxSkew time.Duration
	// MaxBodyBytes bounds the body (DefaultMaxBodyBytes when zero).
	MaxBodyBytes int64
	// LogSize bounds the log (DefaultLogSize when zero; negative keeps none).
	LogSize int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// OnDelivery, when set, is called with each delivery after it is answered.
	OnDelivery func(Delivery)
}

// Delivery is one request the receiver answered.
type Delivery struct {
	Seq      uint64    `json:"seq"`
	Time     time.Time `json:"time"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	Query    string    `json:"query"`
	Command  string    `json:"command,omitempty"`
	RemoteIP string    `json:"remote_addr"`
	// Body is the request body when it is JSON; BodyText holds it otherwise.
	Body     json.RawMessage `json:"body,omitempty"`
	BodyText string          `json:"body_text,omitempty"`
	// Accepted reports whether the answer was OK/0.
	Accepted  bool   `json:"accepted"`
	Status    int    `json:"status"`
	ErrorCode int    `json:"error_code"`
	Reason    string `json:"reason,omitempty"`
}

// Receiver is the reference receiver. It is safe for concurrent use.
type Receiver struct {
	cfg Config

	mu       sync.Mutex
	seq      uint64
	log      []Delivery // a ring of cfg.LogSize
	next     int
	accepted uint64
	rejected uint64
}

// New returns a receiver; it fails when cfg lacks an SDKAppID or has a token that is too long.
func New(cfg Config) (*Receiver, error) {
	if cfg.SDKAppID == 0 {
		return nil, errors.New("receiver: SDKAppID is 0: set the app's SDKAppID, e.g. 1400000001")
	}
	if len(cfg.Token) > webhook.MaxTokenLength {
		return nil, fmt.Errorf("receiver: token is %d characters, at most %d are allowed", len(cfg.Token), webhook.MaxTokenLength)
	}
	if cfg.MaxSkew == 0 {
		cfg.MaxSkew = DefaultMaxSkew
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.LogSize == 0 {
		cfg.LogSize = DefaultLogSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Receiver{cfg: cfg}, nil
}

// Config returns the receiver's configuration, defaults filled in.
func (rv *Receiver) Config() Config { return rv.cfg }

// refusal is a reason to answer FAIL.
type refusal struct {
	status int
	code   int
	reason string
}

func refuse(status, code int, format string, args ...any) *refusal {
	return &refusal{status, code, fmt.Sprintf(format, args...)}
}

// ServeHTTP answers a webhook, or the log on GET/DELETE DeliveriesPath.
func (rv *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == DeliveriesPath && (r.Method == http.MethodGet || r.Method == http.MethodDelete) {
		rv.serveLog(w, r)
		return
	}
	d := Delivery{Time: rv.cfg.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, RemoteIP: r.RemoteAddr}
	body, ref := rv.check(w, r, &d)
	if len(body) > 0 {
		logged := body[:min(len(body), LoggedBodyBytes)]
		if len(logged) == len(body) && json.Valid(body) {
			d.Body = json.RawMessage(logged)
		} else {
			d.BodyText = string(logged)
		}
	}
	if ref == nil {
		d.Accepted, d.Status = true, http.StatusOK
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(webhook.Acknowledgement)
	} else {
		d.Status, d.ErrorCode, d.Reason = ref.status, ref.code, ref.reason
		if ref.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		writeFail(w, ref.status, ref.code, ref.reason)
	}
	rv.record(&d)
}

// writeFail writes a FAIL answer with the given HTTP status, error code and reason.
func writeFail(w http.ResponseWriter, status, code int, reason string) {
	b, _ := json.Marshal(webhook.Response{ActionStatus: "FAIL", ErrorInfo: reason, ErrorCode: code})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// check reads the request and returns its body and the reason to refuse it, if any.
func (rv *Receiver) check(w http.ResponseWriter, r *http.Request, d *Delivery) ([]byte, *refusal) {
	if r.Method != http.MethodPost {
		return nil, refuse(http.StatusMethodNotAllowed, CodeBadMethod, "method %s is not allowed: webhooks are POST", r.Method)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rv.cfg.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return body, refuse(http.StatusRequestEntityTooLarge, CodeTooLarge, "body is over %d bytes", rv.cfg.MaxBodyBytes)
		}
		return body, refuse(http.StatusBadRequest, CodeBadQuery, "reading the body: %v", err)
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return body, refuse(http.StatusBadRequest, CodeBadQuery, "query does not parse: %v", err)
	}
	appid, cmdName := webhook.ParamSdkAppid, webhook.ParamCallbackCommand
	if !q.Has(appid) && q.Has(webhook.ParamSdkAppIdNew) {
		appid, cmdName = webhook.ParamSdkAppIdNew, webhook.ParamWebhookCommand
	}
	cmd := webhook.Command(q.Get(cmdName))
	d.Command = string(cmd)
	if ref := rv.checkQuery(q, appid, cmdName, cmd); ref != nil {
		return body, ref
	}
	if ref := rv.checkSign(q); ref != nil {
		return body, ref
	}
	if err := webhook.ValidateBody(cmd, body); err != nil {
		code := CodeBadBody
		if errors.Is(err, webhook.ErrNotJSONObject) {
			code = CodeNotJSON
		}
		return body, refuse(http.StatusBadRequest, code, "%s body: %v", cmd.Short(), err)
	}
	return body, nil
}

func (rv *Receiver) checkQuery(q url.Values, appid, cmdName string, cmd webhook.Command) *refusal {
	raw := q.Get(appid)
	if raw == "" {
		return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter %s is missing", webhook.ParamSdkAppid)
	}
	id, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter %s is %q, want a number", appid, raw)
	}
	if id != rv.cfg.SDKAppID {
		return refuse(http.StatusForbidden, CodeForeignApp, "%s %d is not this app's (%d)", appid, id, rv.cfg.SDKAppID)
	}
	if cmd == "" {
		return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter %s is missing", cmdName)
	}
	if !cmd.Known() {
		return refuse(http.StatusBadRequest, CodeUnknownCmd, "%s %q is not a room webhook this receiver knows", cmdName, cmd)
	}
	if ct := q.Get(webhook.ParamContentType); ct != "json" {
		return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter contenttype is %q, want \"json\"", ct)
	}
	if cmd != webhook.CommandModifyAdmin {
		if !q.Has(webhook.ParamClientIP) {
			return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter ClientIP is missing (%s carries it)", cmd.Short())
		}
		if p := q.Get(webhook.ParamOptPlatform); !slices.Contains(webhook.Platforms, p) {
			return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter OptPlatform is %q, want one of %v", p, webhook.Platforms)
		}
	}
	return nil
}

func (rv *Receiver) checkSign(q url.Values) *refusal {
	if rv.cfg.Token == "" {
		return nil
	}
	sign, rt := q.Get(webhook.ParamSign), q.Get(webhook.ParamRequestTime)
	if sign == "" || rt == "" {
		return refuse(http.StatusUnauthorized, CodeBadSign, "Sign and RequestTime are required: a callback token is configured")
	}
	t, err := strconv.ParseInt(rt, 10, 64)
	if err != nil || len(rt) != 10 {
		return refuse(http.StatusUnauthorized, CodeStale, "RequestTime is %q, want Unix seconds (10 digits)", rt)
	}
	skew := rv.cfg.Now().Sub(time.Unix(t, 0))
	if skew > rv.cfg.MaxSkew || skew < -rv.cfg.MaxSkew {
		return refuse(http.StatusUnauthorized, CodeStale, "RequestTime %d is %v from this receiver's clock, more than %v", t, skew.Round(time.Second), rv.cfg.MaxSkew)
	}
	want := webhook.Sign(rv.cfg.Token, t)
	if subtle.ConstantTimeCompare([]byte(sign), []byte(want)) != 1 {
		return refuse(http.StatusUnauthorized, CodeBadSign, "Sign does not match SHA-256(token + RequestTime)")
	}
	return nil
}

func (rv *Receiver) record(d *Delivery) {
	rv.mu.Lock()
	rv.seq++
	d.Seq = rv.seq
	if d.Accepted {
		rv.accepted++
	} else {
		rv.rejected++
	}
	if n := rv.cfg.LogSize; n > 0 {
		if len(rv.log) < n {
			rv.log = append(rv.log, *d)
		} else {
			rv.log[rv.next] = *d
		}
		rv.next = (rv.next + 1) % n
	}
	rv.mu.Unlock()
	if rv.cfg.OnDelivery != nil {
		rv.cfg.OnDelivery(*d)
	}
}

// Deliveries returns the logged deliveries, oldest first.
func (rv *Receiver) Deliveries() []Delivery {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	out := make([]Delivery, 0, len(rv.log))
	if len(rv.log) == rv.cfg.LogSize {
		out = append(out, rv.log[rv.next:]...)
		return append(out, rv.log[:rv.next]...)
	}
	return append(out, rv.log...)
}

// Counts returns how many webhooks were accepted and refused since the start.
func (rv *Receiver) Counts() (accepted, rejected uint64) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return rv.accepted, rv.rejected
}

// Reset clears the log; the counts stay.
func (rv *Receiver) Reset() {
	rv.mu.Lock()
	rv.log, rv.next = rv.log[:0], 0
	rv.mu.Unlock()
}

// logPage is the JSON of GET DeliveriesPath.
type logPage struct {
	Accepted   uint64     `json:"accepted"`
	Rejected   uint64     `json:"rejected"`
	Deliveries []Delivery `json:"deliveries"`
}

func (rv *Receiver) serveLog(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		rv.Reset()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	page := logPage{Deliveries: rv.Deliveries()}
	page.Accepted, page.Rejected = rv.Counts()
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(page)
}
