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

// A room's life, and a probe that the receiver must refuse.
const lifecycle = `
scenarios:
  - name: a room opens, gains an admin and closes
    steps:
      - create_room: {as: room, RoomInfo: {MaxSeatCount: 8}}
      - modify_admin: {room: room, op: add, accounts: [mod_1]}
      - destroy_room: {room: room}
  - name: a webhook of another app is refused
    steps:
      - create_room: {sdkappid: 1400999999}
        expect: rejected
`

// Scenarios run against the reference receiver on loopback; the report says what passed.
func ExampleRun() {
	rv, err := receiver.NewServer(receiver.Config{SDKAppID: webhook.DefaultSDKAppID, LogSize: -1})
	if err != nil {
		panic(err)
	}
	defer rv.Close()

	f, err := scenarios.Parse("example.yaml", strings.NewReader(lifecycle))
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
	// passed a room opens, gains an admin and closes
	// passed a webhook of another app is refused
	// true 4 requests
}
