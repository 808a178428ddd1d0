package scenarios_test

import (
	"fmt"
	"strings"

	"github.com/livehook/livehook/scenarios"
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

// A mistake in a file is an error that names the file, line and column, the scenario and the step,
// and how to fix it.
func ExampleParse() {
	_, err := scenarios.Parse("my.yaml", strings.NewReader(`
scenarios:
  - name: vip room
    steps:
      - create_room: {}
        sign: bad
      - destory_room: {}
`))
	fmt.Println(err)
	// Output:
	// my.yaml:6:9: scenario "vip room": step 1: sign modifies the webhook a step sends: put it inside the action's map, not beside it, e.g. create_room: {sign: bad}
	// my.yaml:7:9: scenario "vip room": step 2: unknown action "destory_room" (did you mean "destroy_room"?)
}

// The same file serves every environment: WithVars gives its vars: other values, as
// livehook run --var does.
func ExampleWithVars() {
	f, err := scenarios.Parse("example.yaml", strings.NewReader(exampleFile), scenarios.WithVars(map[string]string{"foreign": "1400000002"}))
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Scenarios[1].Steps[0].CreateRoom.SDKAppID)
	fmt.Println(scenarios.CheckVars([]*scenarios.File{f}, []string{"foriegn"}))
	// Output:
	// 1400000002
	// variable "foriegn" is not declared under vars: in any file (did you mean "foreign"?); the files declare foreign
}

// The schema editors use to complete and check scenarios files; a file names it in its first line.
func ExampleSchema() {
	b, err := scenarios.Schema()
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.Contains(string(b), scenarios.SchemaID))
	fmt.Println(scenarios.SchemaComment)
	// Output:
	// true
	// # yaml-language-server: $schema=https://raw.githubusercontent.com/livehook/livehook/main/schemas/scenarios.schema.json
}
