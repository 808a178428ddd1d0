package load

import (
	"errors"
	"time"

	"github.com/livehook/livehook/webhook"
)

// fakeResult is the i-th result of a made-up run: a fixed spread of latencies, one timeout, one
// refusal.
func fakeResult(i int, start time.Time) webhook.Result {
	cmds := []webhook.Command{webhook.CommandCreateRoom, webhook.CommandModifyAdmin, webhook.CommandModifyAdmin, webhook.CommandDestroyRoom}
	intended := start.Add(time.Duration(i) * 10 * time.Millisecond)
	lat := time.Duration(500+(i*37)%4000) * time.Microsecond
	r := webhook.Result{Command: cmds[i%4], Intended: intended, Sent: intended.Add(100 * time.Microsecond), Done: intended.Add(lat), Outcome: webhook.Acknowledged}
	if i == 150 {
		r.Outcome, r.Err, r.Done = webhook.Timeout, errors.New("no complete answer within 2s"), intended.Add(2*time.Second)
	}
	if i == 200 {
		r.Outcome, r.Err, r.Answer.Status = webhook.BadStatus, errors.New("HTTP status is 401 Unauthorized, want 200 OK"), 401
	}
	return r
}
