package recording

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

// Redactor replaces, in a recording, what identifies people: user IDs (every field named
// *_Account, string or number, alone or in an array), room names (RoomName), URLs (every field
// named *URL, such as CoverURL), free text (CustomInfo, Notice) and the client's address (the
// ClientIP query parameter); it drops the headers that name the client. A
// replacement is a keyed hash of the value, so the same value always becomes the same
// replacement under the same key, and the recording stays coherent: the owner of a room is
// still the owner of the rooms they own. System accounts (@TIM#...) and empty values are kept;
// everything else in the body stays byte for byte.
type Redactor struct {
	key []byte
}

// NewRedactor returns a Redactor keyed with key; keep the key to redact another recording the
// same way, and secret, as it is all that stands between a replacement and a guess.
func NewRedactor(key []byte) *Redactor { return &Redactor{key: bytes.Clone(key)} }

// unredactedHeaders are the headers a redacted entry leaves out: they name the client (its
// address, its software) rather than the webhook.
var unredactedHeaders = []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded", "True-Client-Ip", "Cf-Connecting-Ip", "X-Client-Ip", "User-Agent"}

// Delivery redacts a delivery of the reference receiver in place, as Entry redacts its entry,
// and its sender's address too: set it as receiver.Config.Redact, so that the log, GET
// /deliveries, the recording and every OnDelivery see the same redacted delivery.
func (r *Redactor) Delivery(d *receiver.Delivery) {
	e := FromDelivery(*d)
	r.Entry(&e)
	d.Query, d.RawBody, d.Reason, d.Answer.Body, d.App, d.Header = e.Query, e.Body, e.Verdict.Reason, e.Answer.Body, e.App, e.Header
	if host, port, err := net.SplitHostPort(d.RemoteIP); err == nil {
		d.RemoteIP = net.JoinHostPort(r.replace(clientIP, host), port)
	} else if d.RemoteIP != "" {
		d.RemoteIP = r.replace(clientIP, d.RemoteIP)
	}
}

// Entry redacts e in place: its body, query, room name and the texts that may quote them (the
// verdict's reason, the answer's body, the app's error), and drops the headers that name the
// client (X-Forwarded-For, X-Real-IP, User-Agent and the like).
func (r *Redactor) Entry(e *Entry) {
	if e.Header != nil {
		h := e.Header.Clone()
		for _, name := range unredactedHeaders {
			h.Del(name)
		}
		e.Header = h
		if len(h) == 0 {
			e.Header = nil
		}
	}
	body, pairs, err := r.body(e.Body)
	if err != nil {
		// What a body that is not JSON holds cannot be found, so none of it is kept, nor the
		// texts that may quote it.
		body, e.Verdict.Reason, e.Answer.Body = nil, "(redacted: the body is not JSON)", nil
	}
	e.Body = body
	e.Query, pairs = r.query(e.Query, pairs)
	if len(pairs) > 0 {
		// A value appears in a message as itself or quoted; replace the longest first.
		rep := strings.NewReplacer(pairs...)
		e.Verdict.Reason = rep.Replace(e.Verdict.Reason)
		e.Answer.Body = []byte(rep.Replace(string(e.Answer.Body)))
		if e.App != nil {
			app := *e.App
			app.Error, app.Verdict = rep.Replace(app.Error), rep.Replace(app.Verdict)
			e.App = &app
		}
	}
	e.Redacted = true
}

// What a field holds, by its name.
type valueKind int

const (
	notRedacted valueKind = iota
	userID
	roomName
	anURL
	clientIP
	freeText
)

func kindOfKey(key string) valueKind {
	switch {
	case strings.HasSuffix(key, "_Account"):
		return userID
	case key == "RoomName":
		return roomName
	case strings.HasSuffix(key, "URL") || strings.HasSuffix(key, "Url"):
		return anURL
	case key == "CustomInfo" || key == "Notice":
		return freeText
	}
	return notRedacted
}

// hash is the keyed hash of a value of a kind.
func (r *Redactor) hash(k valueKind, v string) []byte {
	m := hmac.New(sha256.New, r.key)
	fmt.Fprintf(m, "%d\x00%s", k, v)
	return m.Sum(nil)
}

// replace returns the replacement of v, a value of kind k.
func (r *Redactor) replace(k valueKind, v string) string {
	if v == "" || (k == userID && strings.HasPrefix(v, "@TIM#")) {
		return v
	}
	h := r.hash(k, v)
	switch k {
	case userID:
		if isDigits(v) { // a numeric ID stays numeric, the same as a number or as a string
			return strconv.FormatUint(1e17+binary.BigEndian.Uint64(h)%9e17, 10)
		}
		return "user_" + hex.EncodeToString(h[:8])
	case roomName:
		return "room " + hex.EncodeToString(h[:4])
	case anURL:
		return "https://redacted.invalid/" + hex.EncodeToString(h[:8])
	case clientIP:
		return fmt.Sprintf("10.%d.%d.%d", h[0], h[1], h[2])
	case freeText:
		return "redacted " + hex.EncodeToString(h[:4])
	}
	return v
}

// isDigits reports whether s is a numeric account ID of at most 20 digits (a uint64's).
func isDigits(s string) bool { return len(s) <= 20 && text.IsDigits(s) }

// body returns the body with the values of the redacted fields replaced, every other byte kept,
// and the pairs (original, replacement) for a strings.Replacer. A body that is not JSON is
// returned with an error.
func (r *Redactor) body(body []byte) ([]byte, []string, error) {
	if len(body) == 0 {
		return body, nil, nil
	}
	var pairs []string
	out, err := webhook.RewriteValues(body, func(path []string, raw []byte) []byte {
		if len(path) == 0 {
			return nil
		}
		k := kindOfKey(path[len(path)-1])
		switch {
		case k == notRedacted:
		case raw[0] == '"':
			var v string
			if json.Unmarshal(raw, &v) != nil {
				return nil
			}
			if n := r.replace(k, v); n != v {
				pairs = addPair(pairs, v, n)
				repl, _ := json.Marshal(n)
				return repl
			}
		case k == userID && isDigits(string(raw)):
			n := r.replace(k, string(raw))
			pairs = addPair(pairs, string(raw), n)
			return []byte(n)
		}
		return nil
	})
	if err != nil {
		return body, nil, err
	}
	return out, longestFirst(pairs), nil
}

// query returns the raw query with ClientIP replaced, every other byte kept.
func (r *Redactor) query(q string, pairs []string) (string, []string) {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		if !ok || name != "ClientIP" {
			continue
		}
		ip, err := url.QueryUnescape(val)
		if err != nil || ip == "" {
			continue
		}
		n := r.replace(clientIP, ip)
		parts[i] = name + "=" + url.QueryEscape(n)
		pairs = addPair(pairs, ip, n)
	}
	return strings.Join(parts, "&"), longestFirst(pairs)
}

// minBare is how long a value must be to be replaced where it appears unquoted in a message:
// messages quote the values they name, and a short value would be found inside other words.
const minBare = 6

// addPair adds the replacements of from by to in messages: quoted, and bare when long enough.
func addPair(pairs []string, from, to string) []string {
	pairs = append(pairs, strconv.Quote(from), strconv.Quote(to))
	if len(from) >= minBare {
		pairs = append(pairs, from, to)
	}
	return pairs
}

// longestFirst orders replacement pairs so that a longer original is replaced before a shorter
// one it contains.
func longestFirst(pairs []string) []string {
	type pair struct{ from, to string }
	ps := make([]pair, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		ps = append(ps, pair{pairs[i], pairs[i+1]})
	}
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && len(ps[j].from) > len(ps[j-1].from); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	out := make([]string, 0, len(pairs))
	for _, p := range ps {
		out = append(out, p.from, p.to)
	}
	return out
}
