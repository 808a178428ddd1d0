package scenarios

import (
	"fmt"
	"strings"
	"time"

	"github.com/livehook/livehook/webhook"
)

// Expect is what a webhook step's answer must be.
//
// In YAML it is a word, acknowledged or rejected, or a map of details:
// {status: 403, action_status: FAIL, error_code: 4, within: 500ms}.
type Expect struct {
	// Outcome is acknowledged or rejected; with details and no outcome, only the details count.
	Outcome Verdict `yaml:"outcome" json:"outcome,omitempty"`
	// Status, ActionStatus and ErrorCode, when set, must equal the answer's.
	Status       *int    `yaml:"status" json:"status,omitempty"`
	ActionStatus *string `yaml:"action_status" json:"action_status,omitempty"`
	ErrorCode    *int    `yaml:"error_code" json:"error_code,omitempty"`
	// Within bounds the time from sending to a complete answer (the run's timeout unless set).
	Within Duration `yaml:"within" json:"within,omitempty"`
}

// Verdict is acknowledged or rejected.
type Verdict string

// The verdicts.
const (
	Acknowledged Verdict = "acknowledged"
	Rejected     Verdict = "rejected"
)

// Values lists the allowed values.
func (Verdict) Values() []string { return []string{string(Acknowledged), string(Rejected)} }

func (e *Expect) detailed() bool {
	return e != nil && (e.Status != nil || e.ActionStatus != nil || e.ErrorCode != nil)
}

// verdict is the outcome wanted: acknowledged when nothing says otherwise.
func (e *Expect) verdict() Verdict {
	switch {
	case e == nil:
		return Acknowledged
	case e.Outcome != "":
		return e.Outcome
	case e.detailed():
		return ""
	}
	return Acknowledged
}

// deadline is how long the answer may take.
func (e *Expect) deadline(timeout time.Duration) time.Duration {
	if e != nil && e.Within > 0 && time.Duration(e.Within) < timeout {
		return time.Duration(e.Within)
	}
	return timeout
}

// String says in words what is expected, for reports.
func (e *Expect) String(timeout time.Duration) string {
	var parts []string
	switch e.verdict() {
	case Acknowledged:
		parts = append(parts, "acknowledged (HTTP 200, OK/0)")
	case Rejected:
		parts = append(parts, "rejected (a non-200 status, FAIL, or a non-zero ErrorCode)")
	}
	if e != nil {
		if e.Status != nil {
			parts = append(parts, fmt.Sprintf("status %d", *e.Status))
		}
		if e.ActionStatus != nil {
			parts = append(parts, fmt.Sprintf("ActionStatus %q", *e.ActionStatus))
		}
		if e.ErrorCode != nil {
			parts = append(parts, fmt.Sprintf("ErrorCode %d", *e.ErrorCode))
		}
	}
	return strings.Join(parts, ", ") + " within " + e.deadline(timeout).String()
}

// check returns "" when the result meets the expectation, else what broke.
func (e *Expect) check(res *webhook.Result, timeout time.Duration) string {
	want := e.String(timeout)
	if !res.Outcome.Answered() {
		return fmt.Sprintf("expected %s, got %s: %v", want, res.Outcome, res.Err)
	}
	if d := e.deadline(timeout); res.Latency() > d {
		return fmt.Sprintf("expected an answer within %v, it took %v", d, res.Latency().Round(time.Microsecond))
	}
	a := res.Answer
	switch e.verdict() {
	case Acknowledged:
		if res.Outcome != webhook.Acknowledged {
			msg := fmt.Sprintf("expected %s, got %s: %v", want, res.Outcome, res.Err)
			if a.IsJSON && a.Refusal() && a.Response.ErrorInfo != "" {
				// The receiver said why: often the quickest way to its defect.
				msg += fmt.Sprintf(" (the receiver refused it: ErrorCode %d, %q)", a.Response.ErrorCode, a.Response.ErrorInfo)
			}
			return msg
		}
	case Rejected:
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
