package runner

import (
	"fmt"
	"time"

	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/webhook"
)

// judge returns "" when the result meets the expectation, else what broke.
func judge(e *scenarios.Expect, res *webhook.Result, timeout time.Duration) string {
	want := e.String(timeout)
	if !res.Outcome.Answered() {
		return fmt.Sprintf("expected %s, got %s: %v", want, res.Outcome, res.Err)
	}
	if d := e.Deadline(timeout); res.Latency() > d {
		return fmt.Sprintf("expected an answer within %v, it took %v", d, res.Latency().Round(time.Microsecond))
	}
	a := res.Answer
	switch e.Verdict() {
	case scenarios.Acknowledged:
		if res.Outcome != webhook.Acknowledged {
			msg := fmt.Sprintf("expected %s, got %s: %v", want, res.Outcome, res.Err)
			if a.IsJSON && a.Refusal() && a.Response.ErrorInfo != "" {
				// The receiver said why: often the quickest way to its defect.
				msg += fmt.Sprintf(" (the receiver refused it: ErrorCode %d, %q)", a.Response.ErrorCode, a.Response.ErrorInfo)
			}
			return msg
		}
	case scenarios.Rejected:
		if !a.Refusal() {
			if res.Outcome == webhook.Acknowledged {
				return fmt.Sprintf("expected %s, but it was acknowledged with OK/0", want)
			}
			return fmt.Sprintf("expected %s, got an answer that is neither OK/0 nor a refusal: %v", want, res.Err)
		}
	}
	if e == nil {
		return ""
	}
	if e.Status != nil && a.Status != *e.Status {
		return fmt.Sprintf("expected HTTP status %d, got %d", *e.Status, a.Status)
	}
	if e.ActionStatus != nil && a.Response.ActionStatus != *e.ActionStatus {
		return fmt.Sprintf("expected ActionStatus %q, got %q", *e.ActionStatus, a.Response.ActionStatus)
	}
	if e.ErrorCode != nil && (!a.IsJSON || a.Response.ErrorCode != *e.ErrorCode) {
		return fmt.Sprintf("expected ErrorCode %d, got %d", *e.ErrorCode, a.Response.ErrorCode)
	}
	return ""
}
