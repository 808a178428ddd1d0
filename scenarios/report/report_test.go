package report_test

import (
	"bytes"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/internal/golden"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/webhook"
)

// fixedReport is a report with every kind of result and fixed times.
func fixedReport() *report.Report {
	acknowledged := webhook.Acknowledged
	ms := time.Millisecond
	return &report.Report{
		Files: []string{"scenarios.yaml"}, Target: "http://127.0.0.1:8080/webhook", SDKAppID: 1400000001,
		Seed: 42, Timeout: 2 * time.Second, Parallel: 1, Started: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
		Duration: 25 * ms, Passed: 1, Failed: 1, Skipped: 1, Requests: 4,
		Scenarios: []report.ScenarioResult{
			{Name: "full lifecycle", Tags: []string{"lifecycle"}, File: "scenarios.yaml", Line: 3, Status: report.StatusPassed, Duration: 3 * ms,
				Steps: []report.StepResult{
					{Index: 1, Action: "create_room", Line: 6, Status: report.StatusPassed, Latency: 1200 * time.Microsecond, Sent: 1},
					{Index: 2, Action: "generate", Line: 7, Status: report.StatusPassed, Latency: 900 * time.Microsecond, Sent: 2},
				}},
			{Name: "a foreign SdkAppid is refused", File: "scenarios.yaml", Line: 9, Status: report.StatusFailed, Duration: 2 * ms,
				Failure: "step 1 (create_room, scenarios.yaml:11): expected rejected (a non-200 status, FAIL, or a non-zero ErrorCode) within 2s, but it was acknowledged with OK/0",
				Steps: []report.StepResult{
					{Index: 1, Action: "create_room", Line: 11, Status: report.StatusFailed, Latency: 800 * time.Microsecond, Sent: 1,
						Failure:   "expected rejected (a non-200 status, FAIL, or a non-zero ErrorCode) within 2s, but it was acknowledged with OK/0",
						Unrefused: true,
						Exchanges: []report.Exchange{{Command: "Live.CallbackAfterCreateRoom", Method: "POST",
							URL:         "http://127.0.0.1:8080/webhook?SdkAppid=1400999999&CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json&ClientIP=10.0.0.1&OptPlatform=iOS",
							RequestBody: `{"CallbackCommand":"Live.CallbackAfterCreateRoom","Operator_Account":"host_1","RoomInfo":{"RoomId":"live_1"},"EventTime":1795342800000}`,
							Status:      200, ResponseBody: `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, Outcome: &acknowledged, Latency: 800 * time.Microsecond}}},
					{Index: 2, Action: "destroy_room", Line: 13, Status: report.StatusSkipped},
				}},
			{Name: "a wrong Sign is refused", File: "scenarios.yaml", Line: 15, Status: report.StatusSkipped,
				SkipReason: "needs a callback token (--token): step 1 uses sign: bad"},
		},
	}
}

func TestGoldenText(t *testing.T) {
	var b bytes.Buffer
	NewWithT(t).Expect(fixedReport().WriteText(&b, report.TextOptions{Steps: true})).To(Succeed())
	golden.Check(t, "report.txt", b.Bytes())
}

func TestGoldenTextFailuresOnly(t *testing.T) {
	var b bytes.Buffer
	NewWithT(t).Expect(fixedReport().WriteText(&b, report.TextOptions{})).To(Succeed())
	golden.Check(t, "report-failures.txt", b.Bytes())
}

func TestGoldenJSON(t *testing.T) {
	var b bytes.Buffer
	NewWithT(t).Expect(fixedReport().WriteJSON(&b)).To(Succeed())
	golden.Check(t, "report.json", b.Bytes())
}

func TestGoldenJUnit(t *testing.T) {
	var b bytes.Buffer
	NewWithT(t).Expect(fixedReport().WriteJUnit(&b)).To(Succeed())
	golden.Check(t, "report.xml", b.Bytes())
}
