package runner_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/runner"
	"github.com/livehook/livehook/webhook"
)

const exampleFile = `
vars:
  foreign: 1400999999
scenarios:
  - name: full lifecycle
    steps:
      - create_room: {as: room, RoomInfo: {MaxSeatCount: 8}}
      - modify_admin: {room: room, op: add, accounts: [mod_1]}
      - destroy_room: {room: room}
  - name: a foreign SdkAppid is refused
    steps:
      - create_room: {sdkappid: "${vars.foreign}"}
        expect: rejected
`

// Scenarios run against the reference receiver on loopback; the report says what passed.
func ExampleRun() {
	rv, err := receiver.NewServer(receiver.Config{SDKAppID: webhook.DefaultSDKAppID, LogSize: -1})
	if err != nil {
		panic(err)
	}
	defer rv.Close()

	f, err := scenarios.Parse("example.yaml", strings.NewReader(exampleFile))
	if err != nil {
		panic(err)
	}
	rep, err := runner.Run(context.Background(), []*scenarios.File{f}, runner.Config{
		Endpoint: webhook.Endpoint{URL: rv.URL + "/webhook", SDKAppID: webhook.DefaultSDKAppID},
		Seed:     1,
	})
	if err != nil {
		panic(err)
	}
	for _, s := range rep.Scenarios {
		fmt.Println(s.Status, s.Name)
	}
	fmt.Println(rep.OK(), rep.Requests, "requests")
	// Output:
	// passed full lifecycle
	// passed a foreign SdkAppid is refused
	// true 4 requests
}
