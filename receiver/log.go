package receiver

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// deliveryOverhead is what a logged delivery costs besides its strings and bodies.
const deliveryOverhead = 256

// size is what a logged delivery costs, for LogBytes.
func (d *Delivery) size() int {
	n := deliveryOverhead + len(d.Method) + len(d.Path) + len(d.Query) + len(d.Command) + len(d.Room) +
		len(d.RemoteIP) + len(d.Body) + len(d.BodyText) + len(d.Reason) + len(d.Note) + len(d.Answer.Body) + len(d.Answer.ContentType)
	if d.App != nil {
		n += deliveryOverhead + len(d.App.Error) + len(d.App.Verdict)
	}
	return n
}

// push adds d to the log and drops the oldest deliveries until the log is within LogSize and
// LogBytes. The caller holds rv.mu.
func (rv *Receiver) push(d Delivery) {
	if rv.cfg.LogSize < 0 {
		return
	}
	rv.log = append(rv.log, d)
	rv.logBytes += d.size()
	for len(rv.log)-rv.head > rv.cfg.LogSize || rv.logBytes > rv.cfg.LogBytes {
		rv.logBytes -= rv.log[rv.head].size()
		rv.log[rv.head] = Delivery{}
		rv.head++
	}
	// Move the kept deliveries down once the dropped ones are the larger part, so that the
	// backing array stays within twice the log.
	if rv.head > 64 && rv.head > len(rv.log)/2 {
		n := copy(rv.log, rv.log[rv.head:])
		clear(rv.log[n:])
		rv.log, rv.head = rv.log[:n], 0
	}
}

// serveLog answers GET DeliveriesPath with the log, written as it is encoded (one delivery at
// a time, bodies as they came), and DELETE by clearing it.
func (rv *Receiver) serveLog(w http.ResponseWriter, r *http.Request) {
	if why := rv.logAccess(r); why != "" {
		status := http.StatusUnauthorized
		if rv.cfg.Token == "" {
			status = http.StatusForbidden
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer realm="livehook receiver"`)
		}
		http.Error(w, why, status)
		return
	}
	if r.Method == http.MethodDelete {
		rv.Reset()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// The copy holds the deliveries' fields, not their bodies, which are never modified.
	ds := rv.Deliveries()
	accepted, rejected := rv.Counts()
	w.Header().Set("Content-Type", "application/json")
	if _, err := fmt.Fprintf(w, "{\"accepted\":%d,\"rejected\":%d,\"deliveries\":[", accepted, rejected); err != nil {
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range ds {
		buf.Reset()
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		if err := enc.Encode(&ds[i]); err != nil {
			return // cannot happen: a logged body is JSON, or kept as text
		}
		ds[i] = Delivery{}
		if _, err := w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))); err != nil {
			return // the client went away, or the write deadline passed
		}
	}
	_, _ = w.Write([]byte("\n]}\n"))
}

// logAccess says why r may not read or clear the log, or "" when it may. With a token, the log
// holds what the app's senders sent, so it takes the token as a bearer credential; without
// one, only the receiver's own host may read it.
func (rv *Receiver) logAccess(r *http.Request) string {
	if tok := rv.cfg.Token; tok != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(tok)) != 1 {
			return DeliveriesPath + " needs the receiver's token: send Authorization: Bearer TOKEN"
		}
		return ""
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return DeliveriesPath + " is served to loopback only when the receiver has no token: start it with a token and send Authorization: Bearer TOKEN"
	}
	return ""
}
