package explore_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/livehook/livehook/explore"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

// Explore finds that a receiver refuses RoomIds over 32 bytes, which the protocol allows up to
// 48, and shrinks what it found to one creation with the shortest RoomId that still fails.
func ExampleExplore() {
	rv, err := receiver.New(receiver.Config{SDKAppID: webhook.DefaultSDKAppID})
	if err != nil {
		panic(err)
	}
	short := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if ev, err := webhook.Decode(body); err == nil && len(ev.Room()) > 32 {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"ActionStatus":"FAIL","ErrorInfo":"Data too long for column 'room_id'","ErrorCode":1}`)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rv.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(short)
	defer srv.Close()

	res, err := explore.Explore(context.Background(), explore.Config{
		Endpoint: webhook.Endpoint{URL: srv.URL + "/webhook", SDKAppID: webhook.DefaultSDKAppID},
		Seed:     1, Budget: 200, MaxFindings: 1,
	})
	if err != nil {
		panic(err)
	}
	f := res.Findings[0]
	fmt.Println(len(res.Findings), "finding:", f.Steps, "step,", f.Reproduced, "of", f.Verified, "reproduced")
	_, steps, _ := strings.Cut(f.Scenario, "steps:\n")
	fmt.Print(steps)
	// Output:
	// 1 finding: 1 step, 2 of 2 reproduced
	//       - create_room: {as: r1, RoomInfo: {RoomId: x001eoaaaaaaaaaaaaaaaaaaaaaaaaaaa, RoomName: a}, platform: Android}
}
