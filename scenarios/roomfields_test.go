package scenarios

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/livehook/livehook/webhook"
)

// unsettableRoomInfo are webhook.RoomInfo's JSON names that a scenario's create_room cannot
// set under RoomInfo, each with why. None today: every field of the room is the scenario's to
// choose.
var unsettableRoomInfo = map[string]string{}

// tagNames returns the names the tag key gives t's fields, sorted, "-" and untagged ones left out.
func tagNames(t reflect.Type, key string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get(key), ",")
		if name != "" && name != "-" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// roomFieldsDrift returns the names in info (less those unsettable) that fields lacks, and
// those fields has that info does not, or that are listed as unsettable all the same.
func roomFieldsDrift(fields, info reflect.Type, unsettable map[string]string) (missing, extra []string) {
	have := tagNames(fields, "yaml")
	want := tagNames(info, "json")
	for _, n := range want {
		if _, skip := unsettable[n]; !skip && !slices.Contains(have, n) {
			missing = append(missing, n)
		}
	}
	for _, n := range have {
		_, skip := unsettable[n]
		if skip || !slices.Contains(want, n) {
			extra = append(extra, n)
		}
	}
	return missing, extra
}

// TestRoomFieldsMatchRoomInfo keeps RoomFields, the RoomInfo a scenario may set, and
// webhook.RoomInfo from drifting apart: a field added to one must be added to the other, or
// listed in unsettableRoomInfo with the reason.
func TestRoomFieldsMatchRoomInfo(t *testing.T) {
	missing, extra := roomFieldsDrift(reflect.TypeFor[RoomFields](), reflect.TypeFor[webhook.RoomInfo](), unsettableRoomInfo)
	if len(missing) > 0 {
		t.Errorf("RoomFields lacks webhook.RoomInfo's %v; add them, or list them in unsettableRoomInfo", missing)
	}
	if len(extra) > 0 {
		t.Errorf("RoomFields has %v, which webhook.RoomInfo does not send (or which are listed as unsettable)", extra)
	}
	for _, n := range slices.Sorted(maps.Keys(unsettableRoomInfo)) {
		if unsettableRoomInfo[n] == "" {
			t.Errorf("unsettableRoomInfo[%q] gives no reason", n)
		}
	}
}

// TestRoomFieldsDriftCaught is the check's other direction: a RoomFields missing a field, one
// with a field RoomInfo lacks, and one setting a field listed as unsettable are each caught.
func TestRoomFieldsDriftCaught(t *testing.T) {
	type info struct {
		RoomId   string `json:"RoomId"`
		RoomName string `json:"RoomName"`
		Skipped  int    `json:"-"`
	}
	type short struct {
		RoomId *string `yaml:"RoomId"`
	}
	type long struct {
		RoomId   *string `yaml:"RoomId"`
		RoomName *string `yaml:"RoomName"`
		Colour   *string `yaml:"Colour"`
	}
	type exact struct {
		RoomId   *string `yaml:"RoomId"`
		RoomName *string `yaml:"RoomName"`
	}
	it := reflect.TypeFor[info]()
	if m, e := roomFieldsDrift(reflect.TypeFor[short](), it, nil); !slices.Equal(m, []string{"RoomName"}) || e != nil {
		t.Errorf("short: missing %v extra %v, want [RoomName] []", m, e)
	}
	if m, e := roomFieldsDrift(reflect.TypeFor[long](), it, nil); m != nil || !slices.Equal(e, []string{"Colour"}) {
		t.Errorf("long: missing %v extra %v, want [] [Colour]", m, e)
	}
	if m, e := roomFieldsDrift(reflect.TypeFor[exact](), it, map[string]string{"RoomName": "sent by the server"}); m != nil || !slices.Equal(e, []string{"RoomName"}) {
		t.Errorf("exact with RoomName unsettable: missing %v extra %v, want [] [RoomName]", m, e)
	}
	if m, e := roomFieldsDrift(reflect.TypeFor[short](), it, map[string]string{"RoomName": "sent by the server"}); m != nil || e != nil {
		t.Errorf("short with RoomName unsettable: missing %v extra %v, want none", m, e)
	}
	if m, e := roomFieldsDrift(reflect.TypeFor[exact](), it, nil); m != nil || e != nil {
		t.Errorf("exact: missing %v extra %v, want none", m, e)
	}
}
