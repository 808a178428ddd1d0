package webhook_test

import (
	"fmt"
	"time"

	"github.com/livehook/livehook/webhook"
)

func ExampleSign() {
	fmt.Println(webhook.Sign("xxxxyyyy", 1669872112))
	// Output: 17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061
}

func ExampleEndpoint_RequestURL() {
	e := webhook.Endpoint{URL: "https://www.example.com/live?key=1", SDKAppID: 1400000001, Token: "xxxxyyyy"}
	meta := webhook.Meta{ClientIP: "127.0.0.1", OptPlatform: "RESTAPI"}
	fmt.Println(e.RequestURL(webhook.CommandCreateRoom, meta, webhook.URLOptions{Now: time.Unix(1669872112, 0)}))
	// Output: https://www.example.com/live?key=1&SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI&Sign=17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061&RequestTime=1669872112
}

func ExampleCheckResponse() {
	a := webhook.CheckResponse(200, []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":"0"}`))
	fmt.Println(a.Violation)
	// Output: ErrorCode is the string "0", want the integer 0
}
