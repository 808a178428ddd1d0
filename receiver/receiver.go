// Package receiver is the reference webhook receiver: an http.Handler that checks each incoming
// Live webhook against the protocol, answers OK/0 or FAIL with the reason, and keeps a log of
// Delivery records (each with the receiver's Verdict and the Answer given), handed to subscribers
// as they come (Subscribe). It can also forward each webhook, unchanged, to an app and pass the
// app's answer back (Forward). A Server serves it like httptest.Server: NewServer on loopback,
// Start on an address, Close and Shutdown(ctx).
package receiver

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/livehook/livehook/internal/fanout"
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
	// DefaultLogBytes bounds the log's size in bytes, counted over what each delivery keeps.
	DefaultLogBytes = 16 << 20
	// LoggedBodyBytes caps how much of each accepted body the log keeps.
	LoggedBodyBytes = 64 << 10
	// RefusedBodyBytes caps how much of a refused body, or of an answer, the log keeps.
	RefusedBodyBytes = 1 << 10
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
	CodeBadCommand = 7 // a CallbackCommand that is not a command name (a well-formed unknown one is acknowledged)
	CodeNotJSON    = 8 // the body is not a JSON object
	CodeBadBody    = 9 // a field missing or of the wrong type, or CallbackCommand differing from the URL's
	// CodeNotRecorded answers a delivery that Config.Record could not keep: it is not
	// acknowledged, so that a sender that retries sends it again.
	CodeNotRecorded = 10
	// CodeAppUnanswered answers a webhook forwarded to an app that gave no answer.
	CodeAppUnanswered = 11
)

// Config configures a Receiver.
type Config struct {
	// SDKAppID is the app's own; webhooks for any other are refused. Required.
	SDKAppID uint64
	// Token, when set, requires a valid Sign and a RequestTime within MaxSkew. It never appears
	// in the log or in what OnDelivery is given: wherever a sender put it, it is cut out.
	Token string
	// MaxSkew bounds |RequestTime - now| (DefaultMaxSkew when zero; negative is an error).
	MaxSkew time.Duration
	// MaxBodyBytes bounds the body (DefaultMaxBodyBytes when zero).
	MaxBodyBytes int64
	// LogSize bounds the log's count (DefaultLogSize when zero; negative keeps none).
	LogSize int
	// LogBytes bounds the log's size (DefaultLogBytes when zero); the oldest deliveries go first.
	LogBytes int
	// ReadHeaderTimeout and ReadTimeout bound, for a Server, how long a client may take to send a
	// request's headers and the whole request (DefaultReadHeaderTimeout, DefaultReadTimeout when
	// zero), so that slow clients cannot hold connections.
	ReadHeaderTimeout, ReadTimeout time.Duration
	// WriteTimeout bounds the time to answer a request, for a Server (DefaultWriteTimeout when
	// zero): a client that never reads its answer cannot hold the server's memory longer.
	WriteTimeout time.Duration
	// Forward, when its URL is set, sends each webhook on to an app and answers with the app's
	// answer (see Forward).
	Forward Forward
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Record, when set, keeps each delivery (in a recording, say) before its answer is written,
	// in the order of Seq, with the token cut out as for OnDelivery. When it fails, the delivery
	// was not kept, so it is not acknowledged: the sender gets HTTP 503 with FAIL and
	// CodeNotRecorded instead of the answer it would have got (the Live backend counts that a
	// failed webhook, and sends it again when its retries are on), and the log and OnDelivery
	// see that answer and NotRecorded. A forwarded webhook has reached the app by then, so a
	// retry reaches it twice: webhooks are to be handled idempotently anyway.
	Record func(Delivery) error
	// Redact, when set, redacts each delivery in place (recording.Redactor's Delivery, say),
	// after the token is cut out and before anything else sees it: the log, GET DeliveriesPath,
	// Record and OnDelivery. The answer passed back to the sender is not altered.
	Redact func(*Delivery)
	// OnDelivery, when set, is called with each delivery, in the order of Seq, before the answer
	// is written: once a sender has its answer, OnDelivery has returned. Its Header and RawBody
	// hold the request's headers and whole body.
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
	Room     string    `json:"room,omitempty"`
	RemoteIP string    `json:"remote_addr"`
	// BodyBytes is the body's length as received.
	BodyBytes int `json:"body_bytes"`
	// Body is the body, byte for byte, when it was accepted and is at most LoggedBodyBytes long;
	// BodyText holds the first RefusedBodyBytes of any other body.
	Body     json.RawMessage `json:"body,omitempty"`
	BodyText string          `json:"body_text,omitempty"`
	// Verdict is the receiver's protocol verdict (its fields are in the JSON beside these).
	Verdict
	// App is what became of the webhook forwarded to the app; nil when it was not forwarded.
	App *AppResult `json:"app,omitempty"`
	// Answer is what the sender was answered.
	Answer Answer `json:"answer"`
	// Took is the time from the request's arrival to its answer.
	Took time.Duration `json:"took_ns"`
	// TokenRemoved reports that the receiver's token appeared in the request and was cut out of
	// what the log and OnDelivery see (so Query or the bodies differ from what was sent).
	TokenRemoved bool `json:"token_removed,omitempty"`
	// NotRecorded says why Config.Record failed to keep the delivery, which was therefore
	// answered 503 FAIL; empty when it was kept or there is no Record.
	NotRecorded string `json:"not_recorded,omitempty"`
	// Redacted reports that Config.Redact redacted the delivery.
	Redacted bool `json:"redacted,omitempty"`
	// Header and RawBody are the request's headers (less those of the connection) and its whole
	// body, for OnDelivery; the log keeps neither.
	Header  http.Header `json:"-"`
	RawBody []byte      `json:"-"`
}

// Verdict is the receiver's protocol verdict on a delivery, the part of it that a recording
// keeps too (package recording).
type Verdict struct {
	// Accepted is whether the webhook keeps the protocol, so that the receiver answered, or would
	// answer, OK/0. Status, ErrorCode and Reason say why not.
	Accepted  bool   `json:"accepted"`
	Status    int    `json:"status"`
	ErrorCode int    `json:"error_code"`
	Reason    string `json:"reason,omitempty"`
	// Unchecked marks an acknowledged webhook whose command has no field list in livehook's
	// protocol notes (docs/protocol.md): a well-formed command the receiver does not know, which
	// it acknowledges rather than refuse, so that it can stand in front of the Live backend, which
	// may send commands livehook has never heard of. Only its query and that its body is a JSON
	// object were checked. Note says so in words.
	Unchecked bool   `json:"unchecked,omitempty"`
	Note      string `json:"note,omitempty"`
}

// Answer is the answer a sender was given.
type Answer struct {
	// From is "app" when the app's answer was passed on, "receiver" when the receiver answered.
	From        string `json:"from"`
	Status      int    `json:"status"`
	ContentType string `json:"content_type,omitempty"`
	// Body is the answer's body (the log keeps its first RefusedBodyBytes).
	Body []byte `json:"body"`

	appHeader http.Header // the app's answer's headers, passed on
}

// The values of Answer.From.
const (
	FromReceiver = "receiver"
	FromApp      = "app"
)

// MarshalJSON writes Body as text, for people reading the log.
func (a Answer) MarshalJSON() ([]byte, error) {
	type plain Answer
	return json.Marshal(struct {
		plain
		Body string `json:"body"`
	}{plain(a), string(a.Body)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (a *Answer) UnmarshalJSON(b []byte) error {
	type plain Answer
	var v struct {
		plain
		Body string `json:"body"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*a = Answer(v.plain)
	a.Body = []byte(v.Body)
	return nil
}

// Receiver is the reference receiver. It is safe for concurrent use.
type Receiver struct {
	cfg     Config
	forward *forwarder

	// order makes deliveries reach OnDelivery in the order of their Seq.
	order sync.Mutex

	mu       sync.Mutex
	seq      uint64
	log      []Delivery // log[head:] are kept, oldest first
	head     int
	logBytes int
	accepted uint64
	rejected uint64

	subs fanout.Hub[Delivery] // Subscribe's subscribers
}

// New returns a receiver; it fails when cfg lacks an SDKAppID, has a token that is too long, a
// negative skew, or a forward URL that is not an absolute http(s) URL.
func New(cfg Config) (*Receiver, error) {
	if cfg.SDKAppID == 0 {
		return nil, errors.New("receiver: SDKAppID is 0: set the app's SDKAppID, e.g. 1400000001")
	}
	if len(cfg.Token) > webhook.MaxTokenLength {
		return nil, fmt.Errorf("receiver: token is %d characters, at most %d are allowed", len(cfg.Token), webhook.MaxTokenLength)
	}
	if cfg.MaxSkew < 0 {
		return nil, fmt.Errorf("receiver: max skew is %v: want a positive duration, e.g. %v", cfg.MaxSkew, DefaultMaxSkew)
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
	if cfg.LogBytes == 0 {
		cfg.LogBytes = DefaultLogBytes
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rv := &Receiver{cfg: cfg}
	if cfg.Forward.URL != "" {
		fw, err := newForwarder(cfg.Forward)
		if err != nil {
			return nil, err
		}
		rv.forward = fw
		rv.cfg.Forward = fw.cfg
	}
	return rv, nil
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
	start := rv.cfg.Now()
	d := Delivery{Time: start, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, RemoteIP: r.RemoteAddr}
	body, tooLarge, ref := rv.check(w, r, &d)
	d.BodyBytes = len(body)
	if ref == nil {
		d.Accepted, d.Status = true, http.StatusOK
	} else {
		d.Status, d.ErrorCode, d.Reason = ref.status, ref.code, ref.reason
	}
	d.Answer = ownAnswer(ref)
	if rv.forward != nil && !tooLarge {
		app, answer := rv.forward.send(r, body)
		d.App = app
		switch {
		case answer != nil:
			d.Answer = *answer
		case ref == nil:
			d.Answer = app.unanswered()
		}
	}
	d.Took = rv.cfg.Now().Sub(start)
	// The log keeps no headers: they are copied for OnDelivery and subscribers, and for
	// removeToken to look in.
	if rv.cfg.OnDelivery != nil || rv.cfg.Token != "" || rv.subs.Len() > 0 {
		d.Header = connectionless(r.Header)
	}
	d.RawBody = body
	// What leaves the process is redacted; the answer goes back to the sender as it was given.
	answer := d.Answer
	if !rv.record(&d) {
		answer = d.Answer
	}
	answer.setHeader(w.Header())
	if ref != nil && ref.status == http.StatusMethodNotAllowed && answer.From == FromReceiver {
		w.Header().Set("Allow", http.MethodPost)
	}
	w.WriteHeader(answer.Status)
	_, _ = w.Write(answer.Body)
}

// notRecorded is the answer to a delivery that Config.Record failed to keep.
func notRecorded() Answer {
	return ownAnswer(refuse(http.StatusServiceUnavailable, CodeNotRecorded, "the receiver could not record this delivery: send it again later"))
}

// jsonType is the Content-Type of the receiver's own answers; jsonContentType holds it for
// every answer, one slice for all: a header's values are replaced, never written in place.
const jsonType = "application/json"

var jsonContentType = []string{jsonType}

// ownAnswer is the receiver's answer: OK/0, or FAIL with the refusal's status, code and reason.
func ownAnswer(ref *refusal) Answer {
	a := Answer{From: FromReceiver, Status: http.StatusOK, ContentType: jsonType, Body: webhook.Acknowledgement}
	if ref != nil {
		a.Status = ref.status
		a.Body, _ = json.Marshal(webhook.Response{ActionStatus: "FAIL", ErrorInfo: ref.reason, ErrorCode: ref.code})
	}
	return a
}

// setHeader sets in h what the answer sets besides the status and Content-Length.
func (a *Answer) setHeader(h http.Header) {
	switch {
	case a.appHeader != nil:
		for k, v := range a.appHeader {
			h[k] = v
		}
	case a.ContentType == jsonType:
		h["Content-Type"] = jsonContentType
	case a.ContentType != "":
		h["Content-Type"] = []string{a.ContentType}
	}
}

// check reads the request and returns its body and the reason to refuse it, if any.
func (rv *Receiver) check(w http.ResponseWriter, r *http.Request, d *Delivery) (body []byte, tooLarge bool, ref *refusal) {
	body, err := readBody(w, r, rv.cfg.MaxBodyBytes)
	if err != nil {
		var tl *http.MaxBytesError
		if errors.As(err, &tl) {
			return body, true, refuse(http.StatusRequestEntityTooLarge, CodeTooLarge, "body is over %d bytes", rv.cfg.MaxBodyBytes)
		}
		return body, false, refuse(http.StatusBadRequest, CodeBadQuery, "reading the body: %v", err)
	}
	if r.Method != http.MethodPost {
		return body, false, refuse(http.StatusMethodNotAllowed, CodeBadMethod, "method %q is not allowed: webhooks are POST", r.Method)
	}
	var q query
	if err := q.parse(r.URL.RawQuery); err != nil {
		d.Room = webhook.BodyRoom(body)
		return body, false, refuse(http.StatusBadRequest, CodeBadQuery, "query does not parse: %v", err)
	}
	// Either spelling of each name, in any pairing: the samples write SdkAppid and
	// CallbackCommand, the overview's table SdkAppId, newer pages WebhookCommand.
	cmdName := webhook.ParamCallbackCommand
	if !q.Has(cmdName) && q.Has(webhook.ParamWebhookCommand) {
		cmdName = webhook.ParamWebhookCommand
	}
	cmd := webhook.Command(q.Get(cmdName))
	d.Command = string(cmd)
	if ref := rv.checkQuery(&q, cmdName, cmd); ref != nil {
		d.Room = webhook.BodyRoom(body)
		return body, false, ref
	}
	if ref := rv.checkSign(&q); ref != nil {
		d.Room = webhook.BodyRoom(body)
		return body, false, ref
	}
	var room string
	if cmd.Known() {
		room, err = webhook.CheckBody(cmd, body)
	} else {
		if room, err = webhook.CheckOtherBody(cmd, body); err == nil {
			d.Unchecked, d.Note = true, uncheckedNote(cmd)
		}
	}
	d.Room = room
	if err != nil {
		code := CodeBadBody
		if errors.Is(err, webhook.ErrNotJSONObject) {
			code = CodeNotJSON
		}
		return body, false, refuse(http.StatusBadRequest, code, "%s body: %v", cmd.Short(), err)
	}
	return body, false, nil
}

// uncheckedNote is the verdict on a well-formed command without a field list: the vendor
// documents it, or not even that.
func uncheckedNote(cmd webhook.Command) string {
	if doc, ok := cmd.Doc(); ok {
		return fmt.Sprintf("%s is documented by the vendor (%s) but not in livehook's protocol notes: acknowledged, its body checked only as a JSON object", cmd, doc.Page)
	}
	return fmt.Sprintf("%s is not in livehook's protocol notes nor in the vendor's command list: acknowledged, its body checked only as a JSON object", cmd)
}

// readBody reads the whole body, at most limit bytes (http.MaxBytesReader's error beyond).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	n := r.ContentLength
	if n < 0 || n > limit {
		return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	}
	// The length is announced and allowed: one slice of that size, which the log keeps. net/http
	// gives io.EOF with a body's last bytes, so that there is nothing more to read.
	b := make([]byte, 0, n)
	for len(b) < cap(b) {
		m, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	// Whatever follows, if anything, counts against the limit too.
	rest, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit-n))
	if len(rest) > 0 {
		b = append(b, rest...)
	}
	return b, err
}

// appIDParams are the spellings of the SDKAppID parameter: the samples' and the overview's.
var appIDParams = [...]string{webhook.ParamSdkAppid, webhook.ParamSdkAppIdNew}

func (rv *Receiver) checkQuery(q *query, cmdName string, cmd webhook.Command) *refusal {
	found := false
	// Every spelling present must name this app, so that a second one cannot smuggle in another.
	for _, appid := range appIDParams {
		if !q.Has(appid) {
			continue
		}
		found = true
		raw := q.Get(appid)
		id, err := strconv.ParseUint(raw, 10, 64)
		if err != nil {
			return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter %s is %q, want a number", appid, raw)
		}
		if id != rv.cfg.SDKAppID {
			return refuse(http.StatusForbidden, CodeForeignApp, "%s %d is not this app's (%d)", appid, id, rv.cfg.SDKAppID)
		}
	}
	if !found {
		return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter %s (or %s) is missing", webhook.ParamSdkAppid, webhook.ParamSdkAppIdNew)
	}
	if cmd == "" {
		return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter %s (or %s) is missing", webhook.ParamCallbackCommand, webhook.ParamWebhookCommand)
	}
	if !cmd.WellFormed() {
		return refuse(http.StatusBadRequest, CodeBadCommand, "%s %q is not a command name: want a namespace and a name of ASCII letters, digits and underscores joined by a dot, at most %d bytes, e.g. %q",
			cmdName, prefix([]byte(cmd), 80), webhook.MaxCommandBytes, webhook.CommandCreateRoom)
	}
	// The overview calls contenttype optional, "usually JSON": absent or in any case is taken.
	if q.Has(webhook.ParamContentType) {
		if ct := q.Get(webhook.ParamContentType); !strings.EqualFold(ct, "json") {
			return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter contenttype is %q, want \"json\" (or none)", ct)
		}
	}
	if cmd.Known() && cmd.HasClientInfo() {
		if !q.Has(webhook.ParamClientIP) {
			return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter ClientIP is missing (%s carries it)", cmd.Short())
		}
		if p := q.Get(webhook.ParamOptPlatform); !slices.Contains(webhook.Platforms, p) {
			return refuse(http.StatusBadRequest, CodeBadQuery, "query parameter OptPlatform is %q, want one of %v", p, webhook.Platforms)
		}
	}
	return nil
}

func (rv *Receiver) checkSign(q *query) *refusal {
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
	want := webhook.SignBytes(rv.cfg.Token, t)
	if subtle.ConstantTimeCompare([]byte(sign), want[:]) != 1 {
		return refuse(http.StatusUnauthorized, CodeBadSign, "Sign does not match SHA-256(token + RequestTime)")
	}
	return nil
}

// record numbers the delivery, has Config.Record keep it, logs it and hands it to OnDelivery.
// It reports false when Record failed: d.Answer is then the answer to give instead.
func (rv *Receiver) record(d *Delivery) (kept bool) {
	rv.removeToken(d)
	if rv.cfg.Redact != nil {
		rv.cfg.Redact(d)
		d.Redacted = true
	}
	// A cut across the body's structure leaves it no JSON: then it is kept as text.
	if body := d.RawBody; d.Accepted && len(body) <= LoggedBodyBytes && (!d.TokenRemoved || json.Valid(body)) {
		d.Body = json.RawMessage(body)
	} else if len(body) > 0 {
		d.BodyText = string(prefix(body, RefusedBodyBytes))
	}
	rv.order.Lock()
	defer rv.order.Unlock()
	rv.mu.Lock()
	rv.seq++
	d.Seq = rv.seq
	if d.Accepted {
		rv.accepted++
	} else {
		rv.rejected++
	}
	rv.mu.Unlock()
	kept = true
	if rv.cfg.Record != nil {
		if err := rv.cfg.Record(*d); err != nil {
			kept = false
			d.Answer, d.NotRecorded = notRecorded(), err.Error()
		}
	}
	rv.mu.Lock()
	rv.push(logged(*d))
	rv.mu.Unlock()
	if rv.cfg.OnDelivery != nil {
		rv.cfg.OnDelivery(*d)
	}
	rv.subs.Publish(*d) // never waits: see Subscribe
	return kept
}

// logged is what the log keeps of a delivery: not its headers nor its whole body (Body and
// BodyText hold what is kept of it), and the start of its answer.
func logged(d Delivery) Delivery {
	d.Header, d.RawBody = nil, nil
	d.Answer.Body = prefix(d.Answer.Body, RefusedBodyBytes)
	d.Answer.appHeader = nil
	if d.App != nil {
		app := *d.App
		d.App = &app
	}
	return d
}

// prefix returns at most the first n bytes of b, cut at the start of a UTF-8 sequence.
func prefix(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return b[:n]
}

// removeToken cuts the token out of every value of d that came from the wire or from the app,
// in whatever encoding it came (cutSecret), so that neither the log, nor a recording, nor
// OnDelivery ever holds it, wherever a sender or the app put it. It copies what it changes:
// the answer passed back to the sender is not altered.
func (rv *Receiver) removeToken(d *Delivery) {
	tok := rv.cfg.Token
	if tok == "" {
		return
	}
	cut := func(s string) string {
		out, found := cutSecret(s, tok)
		d.TokenRemoved = d.TokenRemoved || found
		return out
	}
	cutBytes := func(b []byte) []byte {
		out, found := cutSecret(string(b), tok)
		if !found {
			return b
		}
		d.TokenRemoved = true
		return []byte(out)
	}
	d.Path, d.Query, d.Command, d.Room, d.Reason, d.Note, d.Method = cut(d.Path), cut(d.Query), cut(d.Command), cut(d.Room), cut(d.Reason), cut(d.Note), cut(d.Method)
	d.RawBody = cutBytes(d.RawBody)
	d.Answer.Body = cutBytes(d.Answer.Body)
	d.Answer.ContentType = cut(d.Answer.ContentType)
	d.Answer.appHeader = nil // it is the sender's, and neither the log nor OnDelivery see it
	if d.App != nil {
		app := *d.App
		app.Error, app.Verdict = cut(app.Error), cut(app.Verdict)
		d.App = &app
	}
	if d.Header != nil {
		h := make(http.Header, len(d.Header))
		for k, vs := range d.Header {
			cvs := make([]string, len(vs))
			for i, v := range vs {
				cvs[i] = cut(v)
			}
			h[cut(k)] = append(h[cut(k)], cvs...)
		}
		d.Header = h
	}
}

// Deliveries returns the logged deliveries, oldest first.
func (rv *Receiver) Deliveries() []Delivery {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return slices.Clone(rv.log[rv.head:])
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
	clear(rv.log)
	rv.log, rv.head, rv.logBytes = rv.log[:0], 0, 0
	rv.mu.Unlock()
}
