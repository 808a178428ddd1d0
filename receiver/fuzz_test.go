package receiver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

func FuzzReceiver(f *testing.F) {
	create, err := json.Marshal(&webhook.CreateRoom{OperatorAccount: "a", RoomInfo: webhook.RoomInfo{RoomId: "r", CreateTime: 1700000000}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("POST", "SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json&ClientIP=1.2.3.4&OptPlatform=iOS", create)
	f.Add("POST", "SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json&Sign=ab&RequestTime=1700000000", []byte(`{"Admin_Account":[1]}`))
	f.Add("GET", "", []byte(nil))
	f.Add("POST", "%zz", []byte(`{`))
	f.Fuzz(func(t *testing.T, method, query string, body []byte) {
		if !validMethod(method) {
			return
		}
		rv, err := receiver.New(receiver.Config{SDKAppID: appID, Token: "tok", LogSize: 4})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/cb", bytes.NewReader(body))
		req.Method = method
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		rv.ServeHTTP(rec, req)
		a := webhook.CheckResponse(rec.Code, rec.Body.Bytes())
		if !a.IsJSON {
			t.Fatalf("answer is not JSON: %d %q", rec.Code, rec.Body)
		}
		if a.Violation == nil {
			if method != http.MethodPost {
				t.Fatalf("accepted a %s", method)
			}
		} else if a.Response.ActionStatus != "FAIL" || a.Response.ErrorInfo == "" {
			t.Fatalf("refusal without a reason: %q", rec.Body)
		}
		if got := len(rv.Deliveries()); got != 1 {
			t.Fatalf("logged %d deliveries, want 1", got)
		}
	})
}

// validMethod keeps the methods an HTTP request can carry, as net/http would parse them.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '/' {
			return false
		}
	}
	return true
}
