package webhook_test

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/webhook"
)

func TestCheckResponseAccepts(t *testing.T) {
	g := NewWithT(t)
	for _, body := range []string{
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`,
		`{"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0}` + "\n",
		`{"ErrorCode":0,"ActionStatus":"OK","ErrorInfo":"fine","Extra":1}`,
	} {
		a := webhook.CheckResponse(200, []byte(body))
		g.Expect(a.Violation).To(BeNil(), body)
		g.Expect(a.Refusal()).To(BeFalse())
		g.Expect(a.Response.ActionStatus).To(Equal("OK"))
	}
}

func TestCheckResponseViolations(t *testing.T) {
	g := NewWithT(t)
	for _, tc := range []struct {
		status  int
		body    string
		field   string
		message string
		refusal bool
	}{
		{500, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, "", "HTTP status is 500 Internal Server Error, want 200 OK", true},
		{200, ``, "", "body is empty, want a JSON object", false},
		{200, `OK`, "", `body is not JSON: "OK"`, false},
		{200, `[1]`, "", "body is an array, want a JSON object", false},
		{200, `"OK"`, "", `body is the string "OK", want a JSON object`, false},
		{200, `{"ErrorInfo":"","ErrorCode":0}`, "ActionStatus", `ActionStatus is missing, want "OK"`, false},
		{200, `{"ActionStatus":"ok","ErrorInfo":"","ErrorCode":0}`, "ActionStatus", `ActionStatus is "ok", want "OK"`, false},
		{200, `{"ActionStatus":1,"ErrorInfo":"","ErrorCode":0}`, "ActionStatus", `ActionStatus is the number 1, want the string "OK"`, false},
		{200, `{"ActionStatus":"FAIL","ErrorInfo":"no","ErrorCode":1}`, "ActionStatus", `ActionStatus is "FAIL", want "OK"`, true},
		{200, `{"ActionStatus":"OK","ErrorInfo":""}`, "ErrorCode", "ErrorCode is missing, want the integer 0", false},
		{200, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":"0"}`, "ErrorCode", `ErrorCode is the string "0", want the integer 0`, false},
		{200, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0.0}`, "ErrorCode", `ErrorCode is the number 0.0, want the integer 0`, false},
		{200, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":null}`, "ErrorCode", `ErrorCode is null, want the integer 0`, false},
		{200, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":7}`, "ErrorCode", `ErrorCode is 7, want 0`, true},
		{200, `{"ActionStatus":"OK","ErrorCode":0}`, "ErrorInfo", "ErrorInfo is missing, want a string (empty is fine)", false},
		{200, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":null}`, "ErrorInfo", "ErrorInfo is null, want a string", false},
		{200, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":false}`, "ErrorInfo", "ErrorInfo is the boolean false, want a string", false},
	} {
		a := webhook.CheckResponse(tc.status, []byte(tc.body))
		g.Expect(a.Violation).NotTo(BeNil(), "%d %s", tc.status, tc.body)
		g.Expect(a.Violation.Field).To(Equal(tc.field), tc.body)
		g.Expect(a.Violation.Error()).To(Equal(tc.message), tc.body)
		g.Expect(a.Refusal()).To(Equal(tc.refusal), tc.body)
	}
}

func TestCheckResponseKeepsFields(t *testing.T) {
	g := NewWithT(t)
	a := webhook.CheckResponse(200, []byte(`{"ActionStatus":"FAIL","ErrorInfo":"foreign app","ErrorCode":60006}`))
	g.Expect(a.Response).To(Equal(webhook.Response{ActionStatus: "FAIL", ErrorInfo: "foreign app", ErrorCode: 60006}))
	g.Expect(a.IsJSON).To(BeTrue())
}
