package report_test

import (
	"bytes"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/webhook"
)

const (
	unsigned401 = `{"ActionStatus":"FAIL","ErrorInfo":"missing Sign","ErrorCode":401}`
	ok          = `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`
)

func webhookX(status int, body string, outcome webhook.Outcome, err string) report.Exchange {
	return report.Exchange{Command: "Live.CallbackAfterCreateRoom", Method: "POST", URL: "http://127.0.0.1:1/cb?SdkAppid=1",
		RequestBody: `{"CallbackCommand":"Live.CallbackAfterCreateRoom","RoomInfo":{}}`, Status: status, ResponseBody: body, Outcome: &outcome, Error: err}
}

// report makes a report of one step per scenario, each with its exchange and status.
func reportOf(token bool, steps ...report.StepResult) *report.Report {
	r := &report.Report{Target: "http://127.0.0.1:1/cb", Token: token, Seed: 1}
	for i, st := range steps {
		st.Index, st.Action, st.Line, st.Sent = 1, "create_room", 10+i, 1
		for _, x := range st.Exchanges {
			switch {
			case x.Outcome != nil && *x.Outcome == webhook.Acknowledged:
				st.Acknowledged++
			case x.Status > 0 && x.Status != 200:
				st.Refused++
			}
		}
		s := report.ScenarioResult{Name: strings.Repeat("s", i+1), File: "f.yaml", Status: st.Status, Steps: []report.StepResult{st}}
		switch st.Status {
		case report.StatusFailed:
			r.Failed++
		case report.StatusPassed:
			r.Passed++
		}
		r.Scenarios = append(r.Scenarios, s)
	}
	return r
}

func failed(x report.Exchange) report.StepResult {
	return report.StepResult{Status: report.StatusFailed, Failure: "expected acknowledged", Exchanges: []report.Exchange{x}}
}

func passed(x report.Exchange) report.StepResult {
	return report.StepResult{Status: report.StatusPassed, Exchanges: []report.Exchange{x}}
}

func TestDiagnosisOfADeadPort(t *testing.T) {
	g := NewWithT(t)
	refused := webhookX(0, "", webhook.ConnRefused, "dial tcp 127.0.0.1:1: connect: connection refused")
	r := reportOf(false, failed(refused), failed(refused), failed(refused))
	g.Expect(r.Diagnosis()).To(Equal("nothing answered at http://127.0.0.1:1/cb (connection refused): is the app backend running there, and is it the callback URL? Start it, or point --target at it."))

	var b bytes.Buffer
	g.Expect(r.WriteText(&b, report.TextOptions{})).To(Succeed())
	out := b.String()
	g.Expect(out).To(HavePrefix("Nothing answered at http://127.0.0.1:1/cb (connection refused)"), "the diagnosis leads")
	g.Expect(strings.Count(out, `{"CallbackCommand"`)).To(Equal(1), "the request is dumped once, not for each alike answer")
	g.Expect(out).To(ContainSubstring("       1 create_room     FAILED at f.yaml:11, the same way as step 1 of \"s\" above\n"))
	g.Expect(strings.Count(out, "FAILED at f.yaml:")).To(Equal(3), "every failing step is still listed")
	g.Expect(out).To(HaveSuffix("Start it, or point --target at it.\n\n0 passed, 3 failed, 0 skipped\n0 requests in 0s, seed 1 (repeat with --seed 1)\n"), "and closes the report")
}

func TestDiagnosisOfAMissingToken(t *testing.T) {
	g := NewWithT(t)
	foreignRefused := webhookX(403, `{"ActionStatus":"FAIL","ErrorInfo":"not this app","ErrorCode":3}`, webhook.BadStatus, "")
	r := reportOf(false, failed(webhookX(401, unsigned401, webhook.BadStatus, "")), passed(foreignRefused),
		failed(webhookX(200, `{"ActionStatus":"FAIL","ErrorInfo":"bad sign","ErrorCode":9}`, webhook.ContractViolation, "")))
	g.Expect(r.Diagnosis()).To(HavePrefix("the app backend seems to check Sign, and this run had no token: every webhook due an acknowledgement was refused (401 " + unsigned401 + ")"))
	g.Expect(r.Diagnosis()).To(HaveSuffix(`livehook run --target http://127.0.0.1:1/cb --token "$CALLBACK_TOKEN"`))
	var b bytes.Buffer
	g.Expect(r.WriteText(&b, report.TextOptions{})).To(Succeed())
	g.Expect(b.String()).To(HavePrefix("The app backend seems to check Sign"))
}

// Failures that one cause does not explain get no diagnosis: the details speak for themselves.
func TestDiagnosisOfATargetThatRefusesEverything(t *testing.T) {
	g := NewWithT(t)
	sign := failed(webhookX(401, unsigned401, webhook.BadStatus, ""))
	g.Expect(reportOf(true, sign, sign).Diagnosis()).To(HavePrefix("the target refused every webhook (all HTTP 401): is --token the callback token it was configured with?"),
		"with a token, a Sign refusal is the token's, not a missing one's")
	notFound := failed(webhookX(404, "404 page not found", webhook.BadStatus, ""))
	g.Expect(reportOf(false, notFound, passed(webhookX(404, "404 page not found", webhook.BadStatus, ""))).Diagnosis()).To(HavePrefix("the target refused every webhook (all HTTP 404): is the path right?"))
}

func TestNoDiagnosisWithoutOneCause(t *testing.T) {
	sign := failed(webhookX(401, unsigned401, webhook.BadStatus, ""))
	for name, r := range map[string]*report.Report{
		"an unsigned one was acknowledged": reportOf(false, sign, passed(webhookX(200, ok, webhook.Acknowledged, ""))),
		"another refusal too":              reportOf(false, sign, failed(webhookX(500, "boom", webhook.BadStatus, ""))),
		"all passed":                       reportOf(false, passed(webhookX(200, ok, webhook.Acknowledged, ""))),
		"some answered":                    reportOf(false, failed(webhookX(0, "", webhook.Timeout, "timeout")), failed(webhookX(500, "boom", webhook.BadStatus, ""))),
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(r.Diagnosis()).To(BeEmpty())
			var b bytes.Buffer
			g.Expect(r.WriteText(&b, report.TextOptions{})).To(Succeed())
			g.Expect(b.String()).NotTo(ContainSubstring("The details:"))
		})
	}
}

func TestEachDifferentAnswerIsDumpedInFull(t *testing.T) {
	g := NewWithT(t)
	otherFailure := failed(webhookX(500, "boom", webhook.BadStatus, ""))
	otherFailure.Failure = "expected rejected"
	r := reportOf(false, failed(webhookX(500, "boom", webhook.BadStatus, "")), failed(webhookX(500, "bang", webhook.BadStatus, "")),
		failed(webhookX(500, "boom", webhook.BadStatus, "")), otherFailure)
	var b bytes.Buffer
	g.Expect(r.WriteText(&b, report.TextOptions{})).To(Succeed())
	out := b.String()
	g.Expect(strings.Count(out, `{"CallbackCommand"`)).To(Equal(2), "boom and bang, each once")
	g.Expect(out).To(ContainSubstring("FAILED at f.yaml:12, the same way as step 1 of \"s\" above\n"), "the same failure and answer: one line")
	g.Expect(out).To(ContainSubstring("FAILED at f.yaml:13\n         expected rejected\n         answered: the same as step 1 of \"s\" above\n"), "another failure, the same answer")

	b.Reset()
	g.Expect(r.WriteJUnit(&b)).To(Succeed())
	g.Expect(strings.Count(b.String(), "CallbackCommand")).To(Equal(4), "JUnit explains each failure in full, on its own")
}
