// Package recording owns recordings of webhook deliveries: one JSON object per line, appended
// as each delivery is answered (so a file can be followed with tail -f), and read back with a
// torn or damaged line reported and skipped, never taken for a delivery. An Entry is a
// receiver.Delivery as recorded (the receiver's own Verdict and Answer types); a Redactor
// replaces what identifies people, and a replay turns entries back into scenarios.
package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/livehook/livehook/receiver"
)

// Version is the format of the lines this package writes; each line carries it as "v".
const Version = 1

// Entry is one delivery as recorded.
type Entry struct {
	// Time is when the request arrived; Seq numbers the deliveries of one receiver from 1.
	Time time.Time
	Seq  uint64
	// Method, Path and Query are the request's, Query exactly as it came (Sign included).
	Method string
	Path   string
	Query  string
	// Header holds the request's headers but those of the connection, Content-Length and
	// credentials (Authorization, Cookie).
	Header http.Header
	// Body is the request body, byte for byte.
	Body []byte
	// Command and Room are the webhook's command and RoomId, when it names them.
	Command string
	Room    string
	// Verdict is the reference receiver's protocol verdict.
	Verdict Verdict
	// Answer is what the sender was answered.
	Answer Answer
	// App is what became of the delivery forwarded to the app; nil when it was not forwarded.
	App *receiver.AppResult
	// TokenRemoved reports that the receiver's token appeared in the request and was cut out.
	TokenRemoved bool
	// Redacted reports that user IDs, room names, URLs and client addresses were replaced.
	Redacted bool
}

// Verdict is the reference receiver's protocol verdict on a delivery: the receiver's own type,
// so that a field it gains is recorded without a copy here.
type Verdict = receiver.Verdict

// Answer is an answer as given: who gave it, its status, content type and body byte for byte.
// It is the receiver's own type; a recording keeps neither its JSON form (see MarshalJSON) nor
// the headers of an app's answer.
type Answer = receiver.Answer

// FromDelivery is the entry of a delivery of the reference receiver.
func FromDelivery(d receiver.Delivery) Entry {
	e := Entry{
		Time: d.Time, Seq: d.Seq, Method: d.Method, Path: d.Path, Query: d.Query,
		Header: recordedHeader(d.Header), Body: d.RawBody, Command: d.Command, Room: d.Room,
		Verdict: d.Verdict,
		// Not d.Answer itself: the headers of an app's answer, passed on, are no part of a recording.
		Answer:       Answer{From: d.Answer.From, Status: d.Answer.Status, ContentType: d.Answer.ContentType, Body: d.Answer.Body},
		App:          d.App,
		TokenRemoved: d.TokenRemoved,
		Redacted:     d.Redacted,
	}
	return e
}

// unrecorded are the headers a recording leaves out: derived from the body, or credentials.
var unrecorded = []string{"Content-Length", "Authorization", "Proxy-Authorization", "Cookie"}

func recordedHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, name := range unrecorded {
		out.Del(name)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// line is the JSON of an entry. A body is a JSON string when it is UTF-8, so that the line
// reads as text and keeps every byte; base64 otherwise.
type line struct {
	V            int                 `json:"v"`
	Time         time.Time           `json:"time"`
	Seq          uint64              `json:"seq"`
	Method       string              `json:"method"`
	Path         string              `json:"path"`
	Query        string              `json:"query"`
	Header       http.Header         `json:"header,omitempty"`
	Command      string              `json:"command,omitempty"`
	Room         string              `json:"room,omitempty"`
	Body         *string             `json:"body,omitempty"`
	BodyBase64   []byte              `json:"body_base64,omitempty"`
	Verdict      Verdict             `json:"verdict"`
	Answer       answerLine          `json:"answer"`
	App          *receiver.AppResult `json:"app,omitempty"`
	TokenRemoved bool                `json:"token_removed,omitempty"`
	Redacted     bool                `json:"redacted,omitempty"`
}

type answerLine struct {
	From        string  `json:"from"`
	Status      int     `json:"status"`
	ContentType string  `json:"content_type,omitempty"`
	Body        *string `json:"body,omitempty"`
	BodyBase64  []byte  `json:"body_base64,omitempty"`
}

// textOrBytes splits b into the two JSON forms of a body.
func textOrBytes(b []byte) (*string, []byte) {
	if b == nil {
		return nil, nil
	}
	if utf8.Valid(b) {
		s := string(b)
		return &s, nil
	}
	return nil, b
}

func bodyOf(text *string, raw []byte) []byte {
	if text != nil {
		return []byte(*text)
	}
	return raw
}

// MarshalJSON writes the entry as one line's JSON, without the newline.
func (e *Entry) MarshalJSON() ([]byte, error) {
	l := line{V: Version, Time: e.Time, Seq: e.Seq, Method: e.Method, Path: e.Path, Query: e.Query, Header: e.Header,
		Command: e.Command, Room: e.Room, Verdict: e.Verdict, App: e.App, TokenRemoved: e.TokenRemoved, Redacted: e.Redacted,
		Answer: answerLine{From: e.Answer.From, Status: e.Answer.Status, ContentType: e.Answer.ContentType}}
	l.Body, l.BodyBase64 = textOrBytes(e.Body)
	l.Answer.Body, l.Answer.BodyBase64 = textOrBytes(e.Answer.Body)
	// Queries and bodies read better with their & < > as they are.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&l); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads an entry from a line's JSON.
func (e *Entry) UnmarshalJSON(b []byte) error {
	var l line
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	switch {
	case l.V != Version:
		return fmt.Errorf("format version %d, want %d: written by another livehook version", l.V, Version)
	case l.Method == "":
		return errors.New("no method: not a delivery")
	case l.Body != nil && l.BodyBase64 != nil:
		return errors.New("both body and body_base64")
	}
	*e = Entry{Time: l.Time, Seq: l.Seq, Method: l.Method, Path: l.Path, Query: l.Query, Header: l.Header,
		Command: l.Command, Room: l.Room, Body: bodyOf(l.Body, l.BodyBase64), Verdict: l.Verdict, App: l.App,
		TokenRemoved: l.TokenRemoved, Redacted: l.Redacted,
		Answer: Answer{From: l.Answer.From, Status: l.Answer.Status, ContentType: l.Answer.ContentType, Body: bodyOf(l.Answer.Body, l.Answer.BodyBase64)}}
	return nil
}
