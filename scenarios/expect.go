package scenarios

import (
	"fmt"
	"strings"
	"time"
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

// Verdict is the outcome wanted: acknowledged when nothing says otherwise, none when only
// details (status, action_status, error_code) are given.
func (e *Expect) Verdict() Verdict {
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

// Deadline is how long the answer may take: within, when set and shorter than the run's timeout.
func (e *Expect) Deadline(timeout time.Duration) time.Duration {
	if e != nil && e.Within > 0 && time.Duration(e.Within) < timeout {
		return time.Duration(e.Within)
	}
	return timeout
}

// String says in words what is expected, for reports.
func (e *Expect) String(timeout time.Duration) string {
	var parts []string
	switch e.Verdict() {
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
	return strings.Join(parts, ", ") + " within " + e.Deadline(timeout).String()
}
