package recording

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/livehook/livehook/internal/plural"
	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/webhook"
)

// What a replay expects of each delivery.
const (
	// ExpectProtocol expects the reference receiver's verdict: acknowledged when the delivery
	// kept the protocol, rejected when not.
	ExpectProtocol = "protocol"
	// ExpectRecorded expects the answer the app gave when the delivery was recorded, so that a
	// recording of a healthy app is a regression test. Where the app gave none, the protocol's
	// verdict stands in.
	ExpectRecorded = "recorded"
)

// ReplayOptions say how a recording becomes a replay.
type ReplayOptions struct {
	// Expect is ExpectProtocol (when empty) or ExpectRecorded.
	Expect string
	// KeepTimes sends EventTime and CreateTime as recorded instead of re-basing them.
	KeepTimes bool
}

// ReplaySummary counts what Replay read and made.
type ReplaySummary struct {
	// Deliveries and Rooms are what the replay sends; NotPOST counts the requests left out
	// (not webhooks: a webhook is a POST).
	Deliveries, Rooms, NotPOST int
	// Unanswered counts the deliveries whose app gave no answer, under ExpectRecorded.
	Unanswered int
}

// Replay reads a recording and returns its deliveries as scenarios, one per room (RoomId; one
// more for deliveries naming none) in the order the rooms first appear, each with its
// deliveries in recorded order, sent as recorded (see scenarios.Replay). A delivery the
// receiver refused for its SdkAppid or Sign is sent again with the same fault.
func Replay(sc *Scanner, opt ReplayOptions) ([]scenarios.ReplayScenario, ReplaySummary, error) {
	var sum ReplaySummary
	switch opt.Expect {
	case "":
		opt.Expect = ExpectProtocol
	case ExpectProtocol, ExpectRecorded:
	default:
		return nil, sum, fmt.Errorf("recording: expect %q: want %s or %s", opt.Expect, ExpectProtocol, ExpectRecorded)
	}
	type room struct {
		sc            scenarios.ReplayScenario
		first, last   time.Time
		accepted, cut int
	}
	var rooms []*room
	byID := map[string]*room{}
	for sc.Scan() {
		e := sc.Entry()
		if e.Method != http.MethodPost {
			sum.NotPOST++
			continue
		}
		r := byID[e.Room]
		if r == nil {
			name := fmt.Sprintf("room %q", e.Room)
			if e.Room == "" {
				name = "deliveries naming no room"
			}
			r = &room{sc: scenarios.ReplayScenario{Name: name}, first: e.Time}
			byID[e.Room] = r
			rooms = append(rooms, r)
		}
		st, unanswered := replayStep(e, opt)
		if unanswered {
			sum.Unanswered++
		}
		r.sc.Steps = append(r.sc.Steps, st)
		r.last = e.Time
		if e.Verdict.Accepted {
			r.accepted++
		}
		if e.TokenRemoved {
			r.cut++
		}
		sum.Deliveries++
	}
	if err := sc.Err(); err != nil {
		return nil, sum, err
	}
	out := make([]scenarios.ReplayScenario, len(rooms))
	for i, r := range rooms {
		r.sc.Description = fmt.Sprintf("Recorded from %s to %s: %d of %s kept the protocol.",
			r.first.UTC().Format(time.RFC3339), r.last.UTC().Format(time.RFC3339), r.accepted, plural.Of(len(r.sc.Steps), "delivery"))
		if r.cut > 0 {
			r.sc.Description += fmt.Sprintf(" The receiver's token was cut out of %d of them, which differ from what was sent.", r.cut)
		}
		out[i] = r.sc
	}
	sum.Rooms = len(rooms)
	return out, sum, nil
}

// replayStep is the step that sends e again; unanswered reports that the recorded answer to
// expect was the receiver's, not the app's.
func replayStep(e Entry, opt ReplayOptions) (scenarios.ReplayStep, bool) {
	cmd := "-"
	if e.Command != "" {
		cmd = text.Printable(webhook.Command(e.Command).Short())
	}
	st := scenarios.ReplayStep{
		Name:   fmt.Sprintf("#%d %s", e.Seq, cmd),
		Replay: scenarios.Replay{Query: webhook.UnsignedQuery(e.Query), Body: scenarios.RawBody(e.Body), RecordedAt: e.Time.UTC().Format(time.RFC3339Nano)},
	}
	if opt.KeepTimes {
		keep := false
		st.Replay.Rebase = &keep
	}
	q, _ := url.ParseQuery(e.Query)
	switch e.Verdict.ErrorCode {
	case receiver.CodeForeignApp:
		for _, p := range []string{webhook.ParamSdkAppid, webhook.ParamSdkAppIdNew} {
			if id, err := strconv.ParseUint(q.Get(p), 10, 64); err == nil && id != 0 {
				st.Replay.SDKAppID = id
				break
			}
		}
	case receiver.CodeBadSign:
		st.Replay.Sign = "bad"
		if !q.Has(webhook.ParamSign) || !q.Has(webhook.ParamRequestTime) {
			st.Replay.Sign = "missing"
		}
	case receiver.CodeStale:
		st.Replay.Sign = "stale"
	}
	protocol := func() *scenarios.Expect {
		if e.Verdict.Accepted {
			return nil
		}
		return &scenarios.Expect{Outcome: scenarios.Rejected}
	}
	if opt.Expect != ExpectRecorded {
		st.Expect = protocol()
		return st, false
	}
	if e.App == nil { // not forwarded: the receiver stood for the app, and its answer is the protocol's
		st.Expect = protocol()
		return st, false
	}
	if !e.App.Answered() {
		st.Name += " (the app gave no answer when recorded: the protocol's verdict is expected)"
		st.Expect = protocol()
		return st, true
	}
	st.Expect = recordedAnswer(e.Answer)
	return st, false
}

// recordedAnswer expects the answer a: nothing more than the acknowledgement when it was one,
// else its status and the ActionStatus and ErrorCode it held.
func recordedAnswer(a Answer) *scenarios.Expect {
	if webhook.CheckResponse(a.Status, a.Body).Violation == nil {
		return nil
	}
	status := a.Status
	exp := &scenarios.Expect{Status: &status}
	var fields struct {
		ActionStatus *string
		ErrorCode    *int
	}
	if json.Unmarshal(a.Body, &fields) == nil {
		exp.ActionStatus, exp.ErrorCode = fields.ActionStatus, fields.ErrorCode
	}
	return exp
}
