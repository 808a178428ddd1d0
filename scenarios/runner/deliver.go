package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/webhook"
)

// deliver encodes the message with the step's modifiers, sends it and checks the answer.
func (x *execution) deliver(ctx context.Context, st *scenarios.Step, msg webhook.Message, sr *report.StepResult) {
	p := st.Probe()
	req, err := x.cfg.Endpoint.NewRequest(msg, x.urlOptions(p))
	if err == nil && (len(p.Omit) > 0 || len(p.Extra) > 0) {
		req.Body, err = reshape(req.Body, p.Omit, p.Extra)
	}
	if err != nil {
		fail(sr, "cannot encode the body: %v", err)
		return
	}
	x.send(ctx, st, sr, msg, req, x.urlOptions(p), false)
}

// send delivers a step's request: at once, or in the scenario's batch when the scenario has
// delivery conditions. fixedURL sends req.URL as it is; otherwise the URL is signed when it goes.
func (x *execution) send(ctx context.Context, st *scenarios.Step, sr *report.StepResult, msg webhook.Message, req webhook.Request, opt webhook.URLOptions, fixedURL bool) {
	if x.cond.IsZero() {
		x.exchange(ctx, st, req, sr)
		return
	}
	x.enqueue(st, sr, x.itemFor(msg, req, opt, fixedURL))
}

// exchange sends one request now and records it; false when the answer does not meet the
// step's expectation.
func (x *execution) exchange(ctx context.Context, st *scenarios.Step, req webhook.Request, sr *report.StepResult) bool {
	res := x.cfg.Client.Do(ctx, req)
	if res.Outcome.Answered() || res.Outcome == webhook.Timeout {
		// A timeout took at least the deadline: counted as that, it still shows the trend.
		x.cfg.trend.add(res.Latency())
	}
	return x.record(st, sr, res, "")
}

// record records a result in its step's result and checks the answer against the step's
// expectation; false when it does not meet it. condition names the delivery conditions it went
// under, so that a failure says which property the receiver lacks.
func (x *execution) record(st *scenarios.Step, sr *report.StepResult, res webhook.Result, condition string) bool {
	req := res.Request
	ex := report.Exchange{
		Command: string(req.Command), Method: http.MethodPost, URL: req.URL, RequestBody: string(req.Body),
		Status: res.Answer.Status, ResponseBody: string(res.Body), Outcome: &res.Outcome, Latency: res.Latency(),
	}
	if res.Err != nil {
		ex.Error = res.Err.Error()
	}
	sr.Sent++
	switch {
	case res.Outcome == webhook.Acknowledged:
		sr.Acknowledged++
	case res.Outcome.Answered() && res.Answer.Refusal():
		sr.Refused++
	}
	sr.Latency = max(sr.Latency, ex.Latency)
	x.observe(sr, ex)
	if msg := judge(st.Expect, &res, x.cfg.Timeout); msg != "" {
		// A refusal was due and OK/0 came back: the receiver checks too little.
		sr.Unrefused = sr.Unrefused || st.Expect.Verdict() == scenarios.Rejected && res.Outcome == webhook.Acknowledged
		if condition != "" {
			msg = condition + ": " + msg
		}
		fail(sr, "%s", msg)
		if len(sr.Exchanges) < maxFailedExchanges {
			keep(sr, ex)
		}
		return false
	}
	if sr.Sent == 1 {
		keep(sr, ex)
	}
	return true
}

// observe hands an exchange to the configuration's observer, if any.
func (x *execution) observe(sr *report.StepResult, ex report.Exchange) {
	if x.cfg.Observe != nil {
		x.cfg.Observe(x.sc.Name, sr.Index, ex)
	}
}

// meta is the URL's ClientIP and OptPlatform: the probe's where it sets them, else generated.
func (x *execution) meta(p *scenarios.Probe) webhook.Meta {
	m := x.gen.Meta()
	if p.ClientIP != "" {
		m.ClientIP = p.ClientIP
	}
	if p.Platform != "" {
		m.OptPlatform = string(p.Platform)
	}
	return m
}

// urlOptions are the request URL's variations the probe asks for (none for nil).
func (x *execution) urlOptions(p *scenarios.Probe) webhook.URLOptions {
	opt := webhook.URLOptions{Now: x.now()}
	if p != nil {
		opt.SDKAppID, opt.Signing, opt.NewParamNames, opt.NoSDKAppID = p.SDKAppID, signing(p.Sign), p.NewParamNames, p.NoSDKAppID
	}
	return opt
}

// MaxKeptBody bounds the request body an Exchange keeps in a report: a run of a large body
// repeated thousands of times keeps kilobytes of each, not every copy it sent (Config.Observe
// still sees each request whole).
const MaxKeptBody = 64 << 10

// keep adds an exchange to the step's result, its request body cut to MaxKeptBody.
func keep(sr *report.StepResult, ex report.Exchange) {
	if n := len(ex.RequestBody); n > MaxKeptBody {
		cut := MaxKeptBody
		for cut > MaxKeptBody-utf8.UTFMax && !utf8.RuneStart(ex.RequestBody[cut]) {
			cut-- // not inside a character
		}
		ex.RequestBody = ex.RequestBody[:cut] + fmt.Sprintf("... (%d bytes in all)", n)
	}
	sr.Exchanges = append(sr.Exchanges, ex)
}

// fail marks the step failed, saying why.
func fail(sr *report.StepResult, format string, args ...any) {
	sr.Status, sr.Failure = report.StatusFailed, fmt.Sprintf(format, args...)
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
