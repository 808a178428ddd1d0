package webhook

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// oracle is the straightforward validator: decode with encoding/json, then look. The scanning
// validator must refuse whatever the oracle refuses.
func oracle(cmd Command, body []byte) bool {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var doc any
	if d.Decode(&doc) != nil || d.More() {
		return false
	}
	if _, err := d.Token(); err == nil {
		return false // data after the value
	}
	obj, ok := doc.(map[string]any)
	return ok && oracleObject(cmd, obj, bodyFields[cmd])
}

func oracleObject(cmd Command, obj map[string]any, fields []field) bool {
	for _, f := range fields {
		v, ok := obj[f.name]
		if !ok {
			if f.required {
				return false
			}
			continue
		}
		if !oracleValue(cmd, v, f) {
			return false
		}
	}
	return true
}

func oracleInt(v any) bool {
	n, ok := v.(json.Number)
	return ok && isIntegerLiteral([]byte(n))
}

func oracleValue(cmd Command, v any, f field) bool {
	switch f.kind {
	case kString:
		_, ok := v.(string)
		return ok
	case kInt, kTimeMS, kTimeSecs:
		return oracleInt(v) && checkTimeUnit(fullName{}, []byte(v.(json.Number)), f.kind) == nil
	case kBool:
		_, ok := v.(bool)
		return ok
	case kAccount:
		_, ok := v.(string)
		return ok || oracleInt(v)
	case kInts, kStrings:
		items, ok := v.([]any)
		if !ok {
			return false
		}
		for _, it := range items {
			_, isStr := it.(string)
			if (f.kind == kStrings && !isStr) || (f.kind == kInts && !oracleInt(it)) {
				return false
			}
		}
		return true
	case kObject:
		obj, ok := v.(map[string]any)
		return ok && oracleObject(cmd, obj, f.fields)
	case kCommand, kEnum:
		s, ok := v.(string)
		if !ok {
			return false
		}
		if f.kind == kCommand {
			return Command(s) == cmd
		}
		return slices.Contains(f.enum, s)
	}
	return true
}

func FuzzValidateAgainstOracle(f *testing.F) {
	for _, name := range []string{"create_room.json", "modify_admin.json", "destroy_room.json", "destroy_by_system.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"CallbackCommand":"Live.CallbackAfterModifyAdmin","Room\u0049d":"r","EventTime":1703589922780,"Operator_Account":"a","Admin_Account":["x\"y"],"opType":"add"}`))
	f.Add([]byte(`{"RoomInfo":{"Category":[1,"2"]}} `))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, cmd := range Commands {
			scanned := ValidateBody(cmd, body) == nil
			want := oracle(cmd, body)
			if !want && scanned {
				t.Fatalf("%s: the scanner accepts what the oracle refuses:\n%s", cmd, body)
			}
			// The scanner checks every copy of a repeated key; else it must agree exactly.
			if want && !scanned && !hasDuplicateKeys(body) {
				t.Fatalf("%s: the scanner refuses what the oracle accepts: %v\n%s", cmd, ValidateBody(cmd, body), body)
			}
		}
	})
}

// hasDuplicateKeys reports whether an object in the JSON repeats a key.
func hasDuplicateKeys(body []byte) bool {
	d := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		keys   map[string]bool
		object bool
		isKey  bool
	}
	var stack []*frame
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if top != nil && top.object {
					top.isKey = true
				}
				stack = append(stack, &frame{keys: map[string]bool{}, object: v == '{', isKey: true})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if top != nil && top.object && top.isKey {
				if top.keys[v] {
					return true
				}
				top.keys[v] = true
				top.isKey = false
				continue
			}
		}
		if top != nil && top.object {
			top.isKey = true
		}
	}
}
