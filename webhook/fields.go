package webhook

import (
	"fmt"
	"reflect"
	"strings"
)

// A protocol field is declared once, on the struct field that holds it: its json tag names it on
// the wire, and its live tag says what the protocol allows there:
//
//	live:"KIND[,required][,null]"
//
// KIND is one of kindNames' keys; an enumeration names its values, enum(TakeSeatModes), from
// enums. required marks a field every documented shape carries; null sends a nil list as null
// where the others send []. The validator's field lists (ValidateBody), the names a decoder
// keeps out of Extra, and the encoder (MarshalJSON) are all made from these tags when the
// package loads, so a field added to a struct is checked, decoded and sent with nothing else to
// edit; a struct field without a live tag stops the package from loading.

// kindNames are the KIND words of the live tag.
var kindNames = map[string]kind{
	"string": kString, "count": kCount, "int32": kInt32, "total": kTotal, "bool": kBool,
	"user": kUser, "account": kAccount, "int32s": kInt32s, "users": kUsers, "object": kObject,
	"command": kCommand, "enum": kEnum, "ms": kTimeMS, "secs": kTimeSecs, "strings": kStrings,
	"objects": kObjects, "intenum": kIntEnum, "secs0": kSecsOr0,
}

// enums are the enumerations a live tag may name.
var enums = map[string][]string{
	"TakeSeatModes":     TakeSeatModes,
	"OpTypes":           OpTypes,
	"DestroyEventTypes": DestroyEventTypes,
	"MemberEventTypes":  MemberEventTypes,
	"MemberEventCauses": MemberEventCauses,
	"BattleEnds":        BattleEnds,
}

// tagged is one protocol field of a struct, as its tags declare it.
type tagged struct {
	field
	index int          // of the struct field
	typ   reflect.Type // of the struct field
	// omit is the json tag's omitempty or omitzero, if either: an empty or a zero value is
	// left out.
	omit string
	// null sends a nil list as null.
	null bool
}

// taggedFields reads the protocol fields of struct type t from its tags. Extra, whose json tag
// is "-", is not a protocol field.
func taggedFields(t reflect.Type) []tagged {
	var out []tagged
	for i := range t.NumField() {
		sf := t.Field(i)
		name, jsonOpts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		tag, ok := sf.Tag.Lookup("live")
		if !ok || name == "" {
			panic(fmt.Sprintf("webhook: %s.%s has no json name or no live tag", t.Name(), sf.Name))
		}
		f := tagged{field: field{name: name}, index: i, typ: sf.Type}
		for _, o := range strings.Split(jsonOpts, ",") {
			if o == "omitempty" || o == "omitzero" {
				f.omit = o
			}
		}
		words := strings.Split(tag, ",")
		k, arg, _ := strings.Cut(strings.TrimSuffix(words[0], ")"), "(")
		if f.kind, ok = kindNames[k]; !ok {
			panic(fmt.Sprintf("webhook: %s.%s: live tag %q: no kind %q", t.Name(), sf.Name, tag, k))
		}
		if arg != "" {
			if f.enum, ok = enums[arg]; !ok {
				panic(fmt.Sprintf("webhook: %s.%s: live tag %q: no enumeration %q", t.Name(), sf.Name, tag, arg))
			}
		}
		for _, w := range words[1:] {
			switch w {
			case "required":
				f.required = true
			case "null":
				f.null = true
			default:
				panic(fmt.Sprintf("webhook: %s.%s: live tag %q: no option %q", t.Name(), sf.Name, tag, w))
			}
		}
		if f.kind == kObject || f.kind == kObjects {
			f.fields = fieldList(elemStruct(sf.Type))
		}
		out = append(out, f)
	}
	return out
}

// elemStruct is the struct type behind a struct, a pointer to one, or a slice of them.
func elemStruct(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("webhook: %s is tagged object but holds no struct", t))
	}
	return t
}

// fieldList is the validator's field list of struct type t.
func fieldList(t reflect.Type) []field {
	tf := taggedFields(t)
	out := make([]field, len(tf))
	for i, f := range tf {
		out[i] = f.field
	}
	return out
}

// fieldNames are the wire names of struct type t's protocol fields: what a decoder keeps out of
// Extra.
func fieldNames(t reflect.Type) []string {
	tf := taggedFields(t)
	out := make([]string, len(tf))
	for i, f := range tf {
		out[i] = f.name
	}
	return out
}
