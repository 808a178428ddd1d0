package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
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

// reshape removes and adds fields of a JSON body by dotted path, keeping numbers exact.
func reshape(body []byte, omit []string, extra map[string]any) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	parent := func(path string) (map[string]any, string) {
		cur := doc
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				return nil, ""
			}
			cur = next
		}
		return cur, parts[len(parts)-1]
	}
	for _, o := range omit {
		if m, k := parent(o); m != nil {
			delete(m, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		m, name := parent(k)
		if m == nil {
			return nil, fmt.Errorf("extra %q: no object to add it to", k)
		}
		m[name] = extra[k]
	}
	return json.Marshal(doc)
}

// signing is how a step's sign: signs its webhook.
func signing(s scenarios.Signing) webhook.Signing {
	switch s {
	case "bad":
		return webhook.SignBad
	case "stale":
		return webhook.SignStale
	case "missing":
		return webhook.SignMissing
	case "wrong_tail":
		return webhook.SignWrongTail
	case "wrong_upper":
		return webhook.SignWrongUpper
	case "truncated":
		return webhook.SignTruncated
	}
	return webhook.SignValid
}

// needsToken reports whether a sign: only makes sense with a callback token.
func needsToken(s scenarios.Signing) bool { return s != "" && s != "valid" }
