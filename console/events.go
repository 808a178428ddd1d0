package console

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/livehook/livehook/receiver"
)

// Times of an event stream.
const (
	// streamWriteTimeout bounds each write to a browser: one that stops reading loses its
	// stream, never anything else.
	streamWriteTimeout = 10 * time.Second
	// maxBatchBytes bounds what one write to a browser holds.
	maxBatchBytes = 256 << 10
	// keepAlive is how often an idle stream sends a comment, so that proxies keep it open.
	keepAlive = 15 * time.Second
)

// hello is the first event of a stream: what the page needs to know of the receiver and of
// the console's bounds.
type hello struct {
	SDKAppID  uint64 `json:"sdkappid"`
	Signed    bool   `json:"signed"`
	Forward   string `json:"forward,omitempty"`
	MaxRows   int    `json:"max_rows"`
	Kept      int    `json:"kept"`
	Evicted   uint64 `json:"evicted"`
	Missed    uint64 `json:"missed"`
	Accepted  uint64 `json:"accepted"`
	Rejected  uint64 `json:"rejected"`
	LeftOut   int    `json:"left_out"`
	BodyLimit int    `json:"body_limit"`
}

// serveEvents streams the kept deliveries newer than Last-Event-ID (the newest MaxRows of
// them), then each new one as it is answered. Its events: "hello" first, "delivery" (id: its
// Seq), and "dropped" when the stream fell behind and left deliveries out.
func (c *Console) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	// The stream outlives the server's read and write timeouts; each write has its own.
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	var after uint64
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		after, _ = strconv.ParseUint(id, 10, 64)
	}
	kept, sub, evicted := c.store.subscribe(after, c.opt.StreamBuffer)
	defer sub.Close()
	left := 0
	if len(kept) > c.opt.MaxRows {
		left = len(kept) - c.opt.MaxRows
		kept = kept[left:]
	}
	cfg := c.rv.Config()
	acc, rej := c.rv.Counts()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	// Events are put in buf and written together, one write and flush for all that are
	// waiting, so that a busy stream costs a syscall per batch, not per delivery.
	var buf bytes.Buffer
	put := func(event string, id uint64, data []byte) {
		buf.WriteString("event: ")
		buf.WriteString(event)
		if id > 0 {
			buf.WriteString("\nid: ")
			buf.WriteString(strconv.FormatUint(id, 10))
		}
		buf.WriteString("\ndata: ")
		buf.Write(data) // one line: JSON escapes the newlines in strings
		buf.WriteString("\n\n")
	}
	putJSON := func(event string, v any) {
		data, _ := json.Marshal(v) // cannot fail: hello and counts
		put(event, 0, data)
	}
	flush := func() bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		_, err := w.Write(buf.Bytes())
		buf.Reset()
		return err == nil && rc.Flush() == nil
	}
	putJSON("hello", hello{SDKAppID: cfg.SDKAppID, Signed: cfg.Token != "", Forward: cfg.Forward.URL,
		MaxRows: c.opt.MaxRows, Kept: len(kept) + left, Evicted: evicted, Missed: c.Missed(),
		Accepted: acc, Rejected: rej, LeftOut: left, BodyLimit: StreamBodyBytes})
	for i := range kept {
		ev := c.event(&kept[i])
		put("delivery", ev.seq, ev.data)
		if buf.Len() > maxBatchBytes && !flush() {
			return
		}
	}
	if !flush() {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	var dropped uint64
	for {
		select {
		case <-r.Context().Done():
			return
		case <-c.done:
			return
		case <-tick.C:
			_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
			if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil || rc.Flush() != nil {
				return
			}
		case ev, ok := <-sub.C():
			if !ok {
				return // the console closed
			}
			for ok {
				if n := sub.Dropped(); n != dropped {
					dropped = n
					putJSON("dropped", map[string]uint64{"dropped": n})
				}
				put("delivery", ev.seq, ev.data)
				if buf.Len() > maxBatchBytes {
					break
				}
				select {
				case ev, ok = <-sub.C():
				default:
					ok = false
				}
			}
			if !flush() {
				return
			}
		}
	}
}

// event encodes d as the page gets it.
func (c *Console) event(d *receiver.Delivery) event {
	data, err := json.Marshal(c.item(d))
	if err != nil { // cannot happen: every field of an item encodes
		data = []byte(`{}`)
	}
	return event{seq: d.Seq, data: data}
}
