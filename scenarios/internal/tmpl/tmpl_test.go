package tmpl

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for ref, want := range map[string]Reference{
		"now":              {Kind: Now},
		"now_ms":           {Kind: NowMs},
		"seed":             {Kind: Seed},
		"vars.foreign":     {Kind: Var, Name: "foreign"},
		"fake.uuid":        {Kind: Fake, Name: "uuid"},
		"room.RoomId":      {Kind: Room, Name: "room", Field: "RoomId"},
		"vip.Owner.Nested": {Kind: Room, Name: "vip", Field: "Owner.Nested"},
	} {
		got, err := Parse(ref)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", ref, got, err, want)
		}
	}
	for _, ref := range []string{"", "nwo", "room"} {
		if _, err := Parse(ref); err == nil || !strings.Contains(err.Error(), "unknown reference") {
			t.Errorf("Parse(%q): want an unknown-reference error, got %v", ref, err)
		}
	}
	if _, err := Parse("nwo"); !strings.Contains(err.Error(), `"now"`) {
		t.Errorf("Parse(nwo) suggests nothing: %v", err)
	}
}

type inner struct{ S string }

type outer struct {
	A  string
	P  *inner
	L  []string
	M  map[string]any
	I  any
	Nn *inner
	n  string
}

func TestCopyAndWalk(t *testing.T) {
	in := &outer{A: "a", P: &inner{S: "p"}, L: []string{"l0", "l1"}, M: map[string]any{"k": "m"}, I: "i", n: "unexported"}
	up := func(s string) string { return strings.ToUpper(s) }
	out := Copy(reflect.ValueOf(in), up).Interface().(*outer)
	if out.A != "A" || out.P.S != "P" || out.L[1] != "L1" || out.M["k"] != "M" || out.I != "I" || out.Nn != nil {
		t.Errorf("Copy missed a string: %+v", out)
	}
	if in.A != "a" || in.P.S != "p" || in.L[1] != "l1" || in.M["k"] != "m" {
		t.Errorf("Copy changed its input: %+v", in)
	}
	var seen []string
	Walk(reflect.ValueOf(in), func(s string) { seen = append(seen, s) })
	if strings.Join(seen, ",") != "a,p,l0,l1,m,i" {
		t.Errorf("Walk saw %v", seen)
	}
	if !Ref.MatchString("x ${room.RoomId} y") || Ref.MatchString("$room") {
		t.Error("Ref matches what it should not, or misses a reference")
	}
}
