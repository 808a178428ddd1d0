package scenarios_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	internaltext "github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/scenarios"
)

func TestParseErrorsNameFileLineAndFix(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want string
	}{
		{"unknown action", `
scenarios:
  - name: vip room
    steps:
      - create_room: {}
      - modify_admin: {}
      - destory: {}
`, `f.yaml:7:9: scenario "vip room": step 3: unknown action "destory" (did you mean "destroy_room"?)`},
		{"unknown field", `
scenarios:
  - name: s
    steps:
      - create_room: {RoomInfo: {MaxSeats: 8}}
`, `f.yaml:5:34: scenario "s": step 1: create_room.RoomInfo: unknown field "MaxSeats" (did you mean "MaxSeatCount"?)`},
		{"unknown scenario field", `
scenarios:
  - name: s
    tag: [x]
    steps: [{create_room: {}}]
`, `f.yaml:4:5: scenario "s": unknown field "tag" (did you mean "tags"?)`},
		{"unknown top-level key", `
scenario:
  - name: s
`, `f.yaml:2:1: unknown field "scenario" (did you mean "scenarios"?)`},
		{"bad enum", `
scenarios:
  - name: s
    steps:
      - create_room: {sign: wrong}
`, `f.yaml:5:29: scenario "s": step 1: create_room.sign: unknown value "wrong": want one of valid, bad, stale, missing`},
		{"bad expect", `
scenarios:
  - name: s
    steps:
      - create_room: {}
        expect: refused
`, `f.yaml:6:17: scenario "s": step 1: expect: unknown value "refused": want one of acknowledged, rejected`},
		{"bad duration", `
scenarios:
  - name: s
    steps:
      - wait: 2 seconds
`, `f.yaml:5:15: scenario "s": step 1: wait: bad duration "2 seconds": write a Go duration such as 200ms, 2s or 1m30s`},
		{"duration without unit", `
scenarios:
  - name: s
    steps:
      - wait: 200
`, `add a unit, e.g. 200s or 200ms`},
		{"wrong type", `
scenarios:
  - name: s
    steps:
      - create_room: {RoomInfo: {MaxSeatCount: eight}}
`, `f.yaml:5:48: scenario "s": step 1: create_room.RoomInfo.MaxSeatCount: want an integer, got "eight"`},
		{"two actions", `
scenarios:
  - name: s
    steps:
      - create_room: {}
        wait: 1s
`, `f.yaml:5:9: scenario "s": step 1: 2 actions (create_room, wait): a step has exactly one; split it into 2 steps`},
		{"no action", `
scenarios:
  - name: s
    steps:
      - expect: rejected
`, `step 1: no action: a step needs one of create_room`},
		{"undefined room", `
scenarios:
  - name: s
    steps:
      - create_room: {as: vip}
      - destroy_room: {room: vpi}
`, `f.yaml:6:9: scenario "s": step 2: destroy_room: room "vpi" is not created in an earlier step (did you mean "vip"?)`},
		{"no room yet", `
scenarios:
  - name: s
    steps:
      - modify_admin: {}
`, `step 1: modify_admin needs a room: add a create_room step before it`},
		{"undefined variable", `
vars: {app: "1"}
scenarios:
  - name: s
    steps:
      - create_room: {sdkappid: "${vars.ap}"}
`, `f.yaml:6:33: scenario "s": step 1: create_room.sdkappid: undefined variable "ap" in ${vars.ap} (did you mean "app"?)`},
		{"undefined template", `
scenarios:
  - name: s
    steps:
      - create_room: {RoomInfo: {RoomName: "${fake.usernme}"}}
`, `${fake.usernme}: unknown fake data "usernme" (did you mean "username"?)`},
		{"unknown room field", `
scenarios:
  - name: s
    steps:
      - create_room: {}
      - send: {command: x, body: "${room.RoomID}"}
`, `${room.RoomID}: a room has no field "RoomID" (did you mean "RoomId"?)`},
		{"duplicate name", `
scenarios:
  - name: s
    steps: [{create_room: {}}]
  - name: s
    steps: [{create_room: {}}]
`, `f.yaml:5:5: scenario "s": scenario name "s" is used twice (first at line 3): names must be unique`},
		{"RoomId too long", `
scenarios:
  - name: s
    steps:
      - create_room: {RoomInfo: {RoomId: "` + strings.Repeat("r", 49) + `"}}
`, `step 1: create_room: RoomInfo.RoomId is 49 bytes, at most 48 are allowed`},
		{"bad omit", `
scenarios:
  - name: s
    steps:
      - create_room: {omit: [RoomInfo.Categroy]}
`, `omit: CreateRoom has no field "RoomInfo.Categroy" (did you mean "RoomInfo.Category"?)`},
		{"duplicate key", `
scenarios:
  - name: s
    steps:
      - create_room: {as: a, as: b}
`, `"as" is given twice`},
		{"expect on wait", `
scenarios:
  - name: s
    steps:
      - wait: 1s
        expect: rejected
`, `step 1: expect applies to webhook steps, not to wait`},
		{"YAML syntax", "scenarios:\n  - name: s\n    steps: [\n", `f.yaml:3:5: scenario "s": YAML syntax: did not find expected node content`},
		// yaml.v3 names the line its block began on (1 here): the error is on line 5.
		{"a step indented one space short", "scenarios:\n  - name: s\n    steps:\n      - create_room: {}\n     - destroy_room: {}\n",
			`f.yaml:5:6: scenario "s": after step 1: YAML syntax: did not find expected key; line 5 is indented 5 spaces and line 4 6 spaces: YAML nests by indentation, so indent line 5 as the lines it belongs with`},
		{"a scenario's key indented one space too far", "scenarios:\n  - name: s\n    steps:\n      - create_room: {}\n  - name: t\n     steps:\n      - create_room: {}\n",
			`f.yaml:6:6: scenario "t": YAML syntax: mapping values are not allowed in this context; line 6 is indented 5 spaces and line 5 2 spaces`},
		{"tab indentation", "scenarios:\n\t- name: s\n", `f.yaml:2:1: YAML syntax: found character that cannot start any token`},
		{"empty", "", `f.yaml:1:1: file is empty`},
		{"no scenarios", "vars: {a: b}\n", `f.yaml:1:1: no scenarios`},
		{"not a map", "- a\n", `f.yaml:1:1: the file must be a map with vars: and scenarios:, not a list`},
		{"binary", "scenarios:\x00\x01\x02", `f.yaml:1:1: file is not UTF-8 text (binary data at byte 10)`},
		{"latin-1", "scenarios:\n  - name: caf\xe9\n", `f.yaml:2:1: file is not UTF-8 text`},
		{"negative repeat", `
scenarios:
  - name: s
    repeat: -1
    steps: [{create_room: {}}]
`, `repeat is -1: want 0 to 10000`},
		{"generate zero rooms", `
scenarios:
  - name: s
    steps: [{generate: {rooms: 0}}]
`, `generate: rooms is 0: want 1 to 100000`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := scenarios.Parse("f.yaml", strings.NewReader(tc.yaml))
			g.Expect(err).To(HaveOccurred())
			g.Expect(err.Error()).To(ContainSubstring(tc.want))
			g.Expect(errors.Is(err, scenarios.ErrInvalid)).To(BeTrue())
			var pe *scenarios.Error
			g.Expect(errors.As(err, &pe)).To(BeTrue())
		})
	}
}

func TestAliasBombIsRefused(t *testing.T) {
	g := NewWithT(t)
	bomb := `
a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
scenarios:
  - name: s
    steps: [{create_room: {extra: {x: *g}}}]
`
	_, err := scenarios.Parse("bomb.yaml", strings.NewReader(bomb))
	g.Expect(err).To(HaveOccurred())
	g.Expect(err.Error()).To(ContainSubstring("the file expands to over 1000000 YAML nodes (an alias bomb?)"))
}

func TestAliasesWithinReasonWork(t *testing.T) {
	g := NewWithT(t)
	f, err := scenarios.Parse("f.yaml", strings.NewReader(`
scenarios:
  - name: a
    steps:
      - create_room: &big {RoomInfo: {MaxSeatCount: 16, MaxMemberCount: 1000}}
  - name: b
    steps:
      - create_room: *big
`))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*f.Scenarios[1].Steps[0].CreateRoom.RoomInfo.MaxSeatCount).To(Equal(16))
}

func TestVarsStandForTypedValues(t *testing.T) {
	g := NewWithT(t)
	f, err := scenarios.Parse("f.yaml", strings.NewReader(`
vars: {seats: 9, app: 1400999999, wait: 150ms}
scenarios:
  - name: a
    steps:
      - create_room: {sdkappid: "${vars.app}", RoomInfo: {MaxSeatCount: "${vars.seats}", RoomName: "room with ${vars.seats} seats"}}
      - wait: ${vars.wait}
`))
	g.Expect(err).NotTo(HaveOccurred())
	c := f.Scenarios[0].Steps[0].CreateRoom
	g.Expect(*c.RoomInfo.MaxSeatCount).To(Equal(9))
	g.Expect(c.SDKAppID).To(Equal(uint64(1400999999)))
	g.Expect(*c.RoomInfo.RoomName).To(Equal("room with 9 seats"))
	g.Expect(f.Scenarios[0].Steps[1].Action()).To(Equal("wait"))
}

func TestTheBuiltInContractParses(t *testing.T) {
	g := NewWithT(t)
	f, err := scenarios.ReadFile("../scenarios.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(len(f.Scenarios)).To(BeNumerically(">=", 15))
}

func TestSuggest(t *testing.T) {
	g := NewWithT(t)
	g.Expect(internaltext.Suggest("destory", scenarios.Actions)).To(Equal(` (did you mean "destroy_room"?)`))
	g.Expect(internaltext.Suggest("zzzzzz", scenarios.Actions)).To(Equal(""))
	g.Expect(internaltext.Suggest("wait", scenarios.Actions)).To(Equal(""))
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"scenarios:\n  - name: s\n    steps: [{create_room: {}}]\n",
		"vars: {a: 1}\nscenarios:\n  - name: s\n    steps:\n      - create_room: {as: r, RoomInfo: {MaxSeatCount: \"${vars.a}\"}}\n      - destroy_room: {room: r, by: system}\n        expect: {status: 403, within: 1s}\n",
		"scenarios:\n  - name: s\n    steps:\n      - check: {url: \"http://x/${room.RoomId}\", json: {a.b: [1, {c: d}]}}\n",
		"a: &a [x]\nscenarios: [*a]\n",
		"scenarios:\n  - {name: x, steps: [{wait: 1s}, {send: {command: c, body: '{}'}}, {generate: {rooms: 2}}]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := scenarios.Parse("fuzz.yaml", bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, scenarios.ErrInvalid) {
				t.Fatalf("error is not ErrInvalid: %v", err)
			}
			return
		}
		if len(file.Scenarios) == 0 {
			t.Fatal("a file without scenarios parsed")
		}
		for _, s := range file.Scenarios {
			for _, st := range s.Steps {
				if st.Action() == "" {
					t.Fatal("a step without an action parsed")
				}
			}
		}
	})
}

func TestEmbeddedContractIsTheTopLevelFile(t *testing.T) {
	g := NewWithT(t)
	top, err := os.ReadFile("../scenarios.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(scenarios.Contract)).To(Equal(string(top)), "scenarios/contract.yaml differs from scenarios.yaml: run go generate ./scenarios")
	_, err = scenarios.ReadContract()
	g.Expect(err).NotTo(HaveOccurred())
}
