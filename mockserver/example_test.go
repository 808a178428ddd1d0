package mockserver_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

func ExampleNewServer() {
	// The app backend's webhook endpoint.
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	defer app.Close()

	live, err := mockserver.NewServer(mockserver.Config{SDKAppID: 1400000001, SkipUserSig: true, CallbackURL: app.URL + "/live/webhook"})
	if err != nil {
		panic(err)
	}
	defer live.Close()

	// The app creates a room through the REST API...
	resp, err := http.Post(live.URL+"/v4/live_engine_http_srv/create_room?sdkappid=1400000001&identifier=administrator&random=1&contenttype=json",
		"application/json", strings.NewReader(`{"RoomInfo":{"RoomId":"live_1","RoomType":"Live"}}`))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()

	// ...and the webhook comes back.
	ds, err := live.Await(context.Background(), 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(ds[0].Command, ds[0].RoomId, ds[0].Acknowledged)
	// Output: Live.CallbackAfterCreateRoom live_1 true
}
