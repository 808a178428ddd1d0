package receiver_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/livehook/livehook/receiver"
)

func ExampleNewServer() {
	srv, err := receiver.NewServer(receiver.Config{SDKAppID: 1400000001})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	// A webhook for another app is refused, with the reason.
	resp, err := http.Post(srv.URL+"/cb?SdkAppid=1400999999&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json",
		"application/json", strings.NewReader(`{}`))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	d := srv.Receiver.Deliveries()[0]
	fmt.Println(resp.StatusCode, d.Reason)
	// Output: 403 SdkAppid 1400999999 is not this app's (1400000001)
}
