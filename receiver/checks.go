package receiver

import (
	"fmt"
	"slices"
)

// Check is one of the protocol checks the receiver runs on a webhook, for people reading a
// delivery: what it checks and how it went.
type Check struct {
	Name   string `json:"name"`
	Result string `json:"result"` // CheckPassed, CheckFailed, CheckNotRun or CheckSkipped
}

// The results of a Check.
const (
	CheckPassed  = "passed"
	CheckFailed  = "failed"
	CheckNotRun  = "not run"
	CheckSkipped = "skipped"
)

// checkOrder is the order in which check runs its checks, with the error codes each refuses
// with; it must follow check, checkQuery and checkSign.
var checkOrder = []struct {
	name  string
	codes []int
	sign  bool // run only when a token is set
}{
	{fmt.Sprintf("body at most the limit (%d bytes by default)", DefaultMaxBodyBytes), []int{CodeTooLarge}, false},
	{"method POST", []int{CodeBadMethod}, false},
	{"query: SdkAppid is this app's, a well-formed CallbackCommand, contenttype json if given, ClientIP and OptPlatform where due", []int{CodeBadQuery, CodeForeignApp, CodeBadCommand}, false},
	{"Sign and RequestTime within the allowed skew", []int{CodeBadSign, CodeStale}, true},
	{bodyCheck, []int{CodeNotJSON, CodeBadBody}, false},
}

const (
	bodyCheck          = "body: a JSON object with the command's fields, of their types, CallbackCommand as in the query"
	bodyCheckUnchecked = "body: a JSON object, CallbackCommand as in the query (its fields unchecked: the command is not in livehook's protocol notes)"
)

// Checks lists the checks the receiver ran on the delivery, in order: those before the one
// that refused it passed, that one failed, those after it did not run. signed says whether the
// receiver had a token (without one the Sign check is skipped).
func (d *Delivery) Checks(signed bool) []Check {
	out := make([]Check, 0, len(checkOrder))
	failed := false
	for _, c := range checkOrder {
		res := CheckPassed
		switch {
		case failed:
			res = CheckNotRun
		case c.sign && !signed:
			res = CheckSkipped
		case !d.Accepted && slices.Contains(c.codes, d.ErrorCode):
			res, failed = CheckFailed, true
		}
		name := c.name
		if name == bodyCheck && d.Unchecked {
			name = bodyCheckUnchecked
		}
		out = append(out, Check{Name: name, Result: res})
	}
	return out
}
