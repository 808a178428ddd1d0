package console

import (
	"encoding/json"
	"net/http"
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
	rc, after := startStream(w, r)
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

	st := newSSE(w, rc)
	st.putJSON("hello", hello{SDKAppID: cfg.SDKAppID, Signed: cfg.Token != "", Forward: cfg.Forward.URL,
		MaxRows: c.opt.MaxRows, Kept: len(kept) + left, Evicted: evicted, Missed: c.Missed(),
		Accepted: acc, Rejected: rej, LeftOut: left, BodyLimit: StreamBodyBytes})
	for i := range kept {
		ev := c.event(&kept[i])
		st.put("delivery", ev.seq, ev.data)
		if st.buf.Len() > maxBatchBytes && !st.flush() {
			return
		}
	}
	if !st.flush() {
		return
	}
	st.pump(r, c.done, sub, "delivery")
}

// event encodes d as the page gets it.
func (c *Console) event(d *receiver.Delivery) event {
	data, err := json.Marshal(c.item(d))
	if err != nil { // cannot happen: every field of an item encodes
		data = []byte(`{}`)
	}
	return event{seq: d.Seq, data: data}
}
