package console

import (
	"encoding/json"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/livehook/livehook/receiver"
)

// StreamBodyBytes caps how much of a body an event carries; the page links to the exact bytes
// of a longer one (GET /console/api/body).
const StreamBodyBytes = 64 << 10

// item is a delivery as the page gets it. Bodies are text when they are UTF-8, base64 when
// not, so that the page can show their exact bytes either way.
type item struct {
	Seq          uint64              `json:"seq"`
	Time         time.Time           `json:"time"`
	Method       string              `json:"method"`
	Path         string              `json:"path"`
	Query        string              `json:"query"`
	Command      string              `json:"command,omitempty"`
	Room         string              `json:"room,omitempty"`
	Remote       string              `json:"remote"`
	Header       http.Header         `json:"header,omitempty"`
	BodyBytes    int                 `json:"body_bytes"`
	Body         *string             `json:"body,omitempty"`
	BodyBase64   []byte              `json:"body_base64,omitempty"`
	BodyCut      bool                `json:"body_cut,omitempty"`
	Accepted     bool                `json:"accepted"`
	Status       int                 `json:"status"`
	ErrorCode    int                 `json:"error_code"`
	Reason       string              `json:"reason,omitempty"`
	Checks       []receiver.Check    `json:"checks"`
	App          *receiver.AppResult `json:"app,omitempty"`
	Answer       answerItem          `json:"answer"`
	TookNS       int64               `json:"took_ns"`
	TokenRemoved bool                `json:"token_removed,omitempty"`
}

type answerItem struct {
	From        string  `json:"from"`
	Status      int     `json:"status"`
	ContentType string  `json:"content_type,omitempty"`
	Body        *string `json:"body,omitempty"`
	BodyBase64  []byte  `json:"body_base64,omitempty"`
	BodyCut     bool    `json:"body_cut,omitempty"`
}

// bodyForms splits b, cut to StreamBodyBytes, into its text or base64 form.
func bodyForms(b []byte) (text *string, raw []byte, cut bool) {
	if b == nil {
		return nil, nil, false
	}
	if len(b) > StreamBodyBytes {
		b, cut = b[:StreamBodyBytes], true
	}
	if utf8.Valid(b) {
		s := string(b)
		return &s, nil, cut
	}
	return nil, b, cut
}

func (c *Console) item(d *receiver.Delivery) item {
	it := item{
		Seq: d.Seq, Time: d.Time, Method: d.Method, Path: d.Path, Query: d.Query, Command: d.Command,
		Room: d.Room, Remote: d.RemoteIP, Header: d.Header, BodyBytes: d.BodyBytes,
		Accepted: d.Accepted, Status: d.Status, ErrorCode: d.ErrorCode, Reason: d.Reason,
		Checks: d.Checks(c.rv.Config().Token != ""), App: d.App, TookNS: int64(d.Took),
		TokenRemoved: d.TokenRemoved,
		Answer:       answerItem{From: d.Answer.From, Status: d.Answer.Status, ContentType: d.Answer.ContentType},
	}
	it.Body, it.BodyBase64, it.BodyCut = bodyForms(d.RawBody)
	it.Answer.Body, it.Answer.BodyBase64, it.Answer.BodyCut = bodyForms(d.Answer.Body)
	return it
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
