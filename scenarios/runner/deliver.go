package runner

import (
	"context"
	"fmt"
	"net/http"
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
