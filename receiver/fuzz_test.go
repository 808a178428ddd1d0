package receiver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
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
	f.Add("POST", "SdkAppId=1400000001&CallbackCommand=Live.CallbackAfterSomethingNew", []byte(`{"CallbackCommand":"Live.CallbackAfterSomethingNew","RoomId":"r"}`))
	f.Add("POST", "SdkAppid=1400000001&WebhookCommand=Live.CallbackBeforeSendGift&contenttype=JSON&ClientIP=&OptPlatform=Unknown", []byte(`{"GiftWater":{"Count":1}}`))
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

// FuzzDeliveriesLog posts up to eight requests cut from the input (query and body separated by
// a newline, requests by 0xff 0xfe), then reads the log: it must be JSON that lists each request
// once, in order, with its body byte for byte when it was accepted.
func FuzzDeliveriesLog(f *testing.F) {
	modify, err := os.ReadFile("../webhook/testdata/modify_admin.json")
	if err != nil {
		f.Fatal(err)
	}
	q := "SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json"
	f.Add([]byte(q + "\n" + string(modify)))
	f.Add([]byte(q + "\n" + string(modify) + "\xff\xfe" + q + "\n{\"a\":\"\\ud800\"}\xff\xfe%zz\n\xff"))
	f.Add([]byte(q + "\n" + strings.Repeat("[", 2000)))
	f.Fuzz(func(t *testing.T, in []byte) {
		rv, err := receiver.New(receiver.Config{SDKAppID: appID, LogSize: 5, LogBytes: 32 << 10})
		if err != nil {
			t.Fatal(err)
		}
		reqs := bytes.Split(in, []byte("\xff\xfe"))
		if len(reqs) > 8 {
			reqs = reqs[:8]
		}
		var sent [][]byte
		for _, r := range reqs {
			query, body, _ := bytes.Cut(r, []byte("\n"))
			req := httptest.NewRequest(http.MethodPost, "/cb", bytes.NewReader(body))
			req.URL.RawQuery = string(query)
			rv.ServeHTTP(httptest.NewRecorder(), req)
			sent = append(sent, body)
		}
		rec := httptest.NewRecorder()
		rv.ServeHTTP(rec, loopback(httptest.NewRequest(http.MethodGet, receiver.DeliveriesPath, nil)))
		var page struct {
			Accepted, Rejected int
			Deliveries         []receiver.Delivery
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			t.Fatalf("the log is not JSON: %v\n%s", err, rec.Body)
		}
		if page.Accepted+page.Rejected != len(sent) || len(page.Deliveries) > 5 || len(page.Deliveries) == 0 {
			t.Fatalf("%d sent, the log counts %d+%d and lists %d", len(sent), page.Accepted, page.Rejected, len(page.Deliveries))
		}
		for i, d := range page.Deliveries {
			if want := uint64(len(sent) - len(page.Deliveries) + i + 1); d.Seq != want {
				t.Fatalf("delivery %d has seq %d, want %d", i, d.Seq, want)
			}
			body := sent[d.Seq-1]
			if d.Accepted && !bytes.Equal(compact(t, body), compact(t, d.Body)) {
				t.Fatalf("delivery %d: logged body %s, sent %s", d.Seq, d.Body, body)
			}
			if !d.Accepted && (d.Body != nil || len(d.BodyText) > receiver.RefusedBodyBytes) {
				t.Fatalf("delivery %d: a refused body kept as %d bytes of JSON, %d of text", d.Seq, len(d.Body), len(d.BodyText))
			}
		}
	})
}

func compact(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatalf("not JSON: %v: %q", err, b)
	}
	return buf.Bytes()
}
