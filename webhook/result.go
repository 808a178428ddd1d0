package webhook

import (
	"fmt"
	"time"
)

// DefaultTimeout is the vendor's webhook timeout: an answer not complete by then is a failure.
const DefaultTimeout = 2 * time.Second

// Outcome classifies how a delivery ended.
type Outcome uint8

// The outcomes of a delivery. Every request sent ends in exactly one.
const (
	// Acknowledged: HTTP 200 and a body that meets the response contract.
	Acknowledged Outcome = iota
	// ContractViolation: HTTP 200 and a JSON object that breaks the contract (Result.Answer.Violation says how).
	ContractViolation
	// NotJSON: HTTP 200 and a body that is not a JSON object.
	NotJSON
	// BadStatus: an HTTP status other than 200.
	BadStatus
	// Timeout: no complete answer within the deadline.
	Timeout
	// ConnRefused: the connection was refused.
	ConnRefused
	// ConnReset: the connection was reset or closed before the answer was complete.
	ConnReset
	// ConnError: any other transport failure (DNS, TLS, ...).
	ConnError
	// Canceled: the run was stopped before the answer came.
	Canceled
	// CutOff: the run's planned duration ended while the request was in flight (package load),
	// so it was canceled before its deadline: neither acknowledged nor a failure of the
	// receiver, and without a latency.
	CutOff
	numOutcomes
)

// Outcomes lists every outcome, in the order of the constants.
var Outcomes = func() []Outcome {
	o := make([]Outcome, numOutcomes)
	for i := range o {
		o[i] = Outcome(i)
	}
	return o
}()

var outcomeNames = [...]string{"acknowledged", "contract_violation", "not_json", "bad_status", "timeout", "conn_refused", "conn_reset", "conn_error", "canceled", "cut_off"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", o)
}

// MarshalText encodes the outcome by name.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText decodes an outcome name.
func (o *Outcome) UnmarshalText(b []byte) error {
	if string(b) == "status" { // BadStatus's name before it said "bad"
		b = []byte("bad_status")
	}
	for i, n := range outcomeNames {
		if n == string(b) {
			*o = Outcome(i)
			return nil
		}
	}
	return fmt.Errorf("unknown outcome %q", b)
}

// Answered reports whether the receiver gave a complete HTTP answer.
func (o Outcome) Answered() bool { return o <= BadStatus }

// Request is one webhook to deliver.
type Request struct {
	Command Command
	// URL is the full request URL, query included (see Endpoint.RequestURL).
	URL  string
	Body []byte
	// Intended is when the request was meant to go; zero means when Do is called. Latency is
	// measured from it, so a sender that falls behind its schedule shows in the latency.
	Intended time.Time
}

// Result is what became of one request. Failures are data here, never panics or aborts.
type Result struct {
	// Request is what was sent.
	Request Request
	Command Command
	// Intended, Sent and Done are when the request was meant to go, when it went, and when the
	// answer was complete (or the delivery failed).
	Intended, Sent, Done time.Time
	Outcome              Outcome
	// Answer is the parsed answer; its Status is 0 when none came.
	Answer Answer
	// Body is the answer's body, at most the client's MaxResponseBytes. It must not be modified.
	Body []byte
	// Err says why the delivery was not acknowledged; nil when it was.
	Err error
}

// Latency is the time from when the request was meant to go to when its answer was complete.
func (r *Result) Latency() time.Duration { return r.Done.Sub(r.Intended) }

// Lag is how late the request went out against its schedule.
func (r *Result) Lag() time.Duration { return r.Sent.Sub(r.Intended) }
