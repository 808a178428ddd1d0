package webhook

import (
	"fmt"
	"net/http"
)

// The ErrorCode range of a "before" callback's answer that the Live backend passes through to the
// sender of the blocked action (the gift page, trtc.io/document/72210: "the error code interval
// that can be passed through is [102100,102200]").
const (
	MinPassThroughCode = 102100
	MaxPassThroughCode = 102200
)

// BeforeVerdict is what the Live backend makes of the answer to a "before" callback
// (Live.CallbackBeforeSendGift): whether the action goes ahead and why.
type BeforeVerdict struct {
	// Allowed: the action goes ahead.
	Allowed bool
	// Code is the app's ErrorCode when it is in the pass-through range, for the sender to see;
	// 0 otherwise.
	Code int
	// Reason says in a sentence what decided it.
	Reason string
}

// DecideBefore applies the gift page's rule (trtc.io/document/72210) to the result of a "before"
// callback: an answer of ErrorCode 0 lets the action go; a non-zero ErrorCode blocks it ("if the
// App needs to block the gift, set the answer's ErrorCode to non-zero"); so does no answer within
// the deadline ("if the Live backend receives no answer within 2 s, the gift is blocked by
// default"). livehook reads any other failed answer (a status other than 200, a body that is not
// JSON, ActionStatus FAIL, a broken connection) as a refusal too: the page names only the answer
// that lets the gift go. With notBlock (the callback configuration lists
// Live.CallbackBeforeCallBackNotBlock, the page's "non-blocking configuration"), a failed answer
// or none within 2 s lets the action go, as the page says; the reason still says what came.
func DecideBefore(res Result, notBlock bool) BeforeVerdict {
	v := BeforeVerdict{}
	a := res.Answer
	switch {
	case res.Outcome == Acknowledged:
		return BeforeVerdict{Allowed: true, Reason: "the app answered ErrorCode 0"}
	case res.Outcome == Timeout:
		v.Reason = "no answer within the deadline"
	case a.Status == http.StatusOK && a.IsJSON && a.Response.ErrorCode != 0:
		v.Reason = fmt.Sprintf("the app answered ErrorCode %d (%q)", a.Response.ErrorCode, a.Response.ErrorInfo)
		if c := a.Response.ErrorCode; c >= MinPassThroughCode && c <= MaxPassThroughCode {
			v.Code = c
		}
	case res.Outcome.Answered():
		why := "the answer is not an acknowledgement"
		if a.Violation != nil {
			why = a.Violation.Message
		}
		v.Reason = "the app's answer failed: " + why
	default:
		why := res.Outcome.String()
		if res.Err != nil {
			why = res.Err.Error()
		}
		v.Reason = "no answer: " + why
	}
	if notBlock {
		v.Allowed, v.Code = true, 0
		v.Reason += ", let through by the non-blocking configuration (" + string(CommandGiftNotBlock) + ")"
	}
	return v
}
