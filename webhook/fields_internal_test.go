package webhook

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestEveryCommandHasATypedEvent(t *testing.T) {
	for _, c := range EventCommands {
		mk, ok := eventTypes[c]
		if !ok {
			t.Errorf("%s has no entry in eventTypes", c)
			continue
		}
		if got := mk().Command(); got != c {
			t.Errorf("eventTypes[%s] makes an event of %s", c, got)
		}
	}
	if len(eventTypes) != len(EventCommands) {
		t.Errorf("eventTypes has %d commands, EventCommands %d", len(eventTypes), len(EventCommands))
	}
}

// TestTagsAreRead: the field lists come from the tags, and a tag that says nothing the package
// knows stops it from loading instead of checking nothing.
func TestTagsAreRead(t *testing.T) {
	type inner struct {
		N int `json:"N" live:"count,required"`
	}
	type good struct {
		A string   `json:"A" live:"user,required"`
		B []int    `json:"B,omitempty" live:"int32s,null"`
		C string   `json:"C" live:"enum(OpTypes)"`
		D []inner  `json:"D" live:"objects"`
		E *inner   `json:"E,omitempty" live:"object"`
		X Extra    `json:"-"`
		F []string `json:"F" live:"strings"`
	}
	tf := taggedFields(reflect.TypeFor[good]())
	var names []string
	for _, f := range tf {
		names = append(names, f.name)
	}
	if !slices.Equal(names, []string{"A", "B", "C", "D", "E", "F"}) {
		t.Fatalf("names %v", names)
	}
	if !tf[0].required || tf[0].kind != kUser || tf[1].omit != "omitempty" || !tf[1].null || tf[1].kind != kInt32s ||
		!slices.Equal(tf[2].enum, OpTypes) || tf[3].kind != kObjects || len(tf[3].fields) != 1 ||
		tf[3].fields[0].kind != kCount || !tf[3].fields[0].required || tf[4].kind != kObject || tf[4].fields[0].name != "N" {
		t.Errorf("fields read wrong: %+v", tf)
	}
	for _, tc := range []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[struct {
			A string `json:"A"`
		}](), "no json name or no live tag"},
		{reflect.TypeFor[struct {
			A string `json:"A" live:"text"`
		}](), `no kind "text"`},
		{reflect.TypeFor[struct {
			A string `json:"A" live:"enum(Colours)"`
		}](), `no enumeration "Colours"`},
		{reflect.TypeFor[struct {
			A string `json:"A" live:"string,needed"`
		}](), `no option "needed"`},
		{reflect.TypeFor[struct {
			A string `json:"A" live:"object"`
		}](), "holds no struct"},
	} {
		func() {
			defer func() {
				r, _ := recover().(string)
				if !strings.Contains(r, tc.want) {
					t.Errorf("%v: panic %q, want one saying %q", tc.typ, r, tc.want)
				}
			}()
			taggedFields(tc.typ)
		}()
	}
}
