package webhook

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// oracle is the straightforward validator: check the text with encoding/json's tokenizer, then
// decode and look. The scanning validator must agree with it on every body.
func oracle(cmd Command, body []byte) bool {
	if !utf8.Valid(body) || !strictJSON(body) {
		return false
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var doc any
	if d.Decode(&doc) != nil {
		return false
	}
	obj, ok := doc.(map[string]any)
	return ok && oracleAccepts(cmd, obj)
}

// strictJSON reports whether body is one JSON value with no key twice in an object, no lone
// surrogate escape, and no deeper nesting than MaxBodyDepth.
func strictJSON(body []byte) bool {
	d := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		keys   map[string]bool
		object bool
		isKey  bool
	}
	var stack []*frame
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return err.Error() == "EOF" && len(stack) == 0 && before > 0
		}
		if _, ok := tok.(string); ok {
			raw := body[before:d.InputOffset()]
			if loneSurrogate(string(raw[bytes.IndexByte(raw, '"'):])) {
				return false
			}
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
				if len(stack) > MaxBodyDepth {
					return false
				}
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if top != nil && top.object && top.isKey {
				if top.keys[v] {
					return false
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

// loneSurrogate reports whether the JSON string raw escapes a UTF-16 surrogate without its pair.
func loneSurrogate(raw string) bool {
	var units []uint16
	flush := func() bool {
		lone := count(utf16.Decode(units), 0xfffd) > count(units, 0xfffd)
		units = units[:0]
		return lone
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			if flush() {
				return true
			}
			continue
		}
		i++
		if raw[i] == 'u' {
			v, _ := strconv.ParseUint(raw[i+1:i+5], 16, 16)
			units = append(units, uint16(v))
			i += 4
			continue
		}
		if flush() {
			return true
		}
	}
	return flush()
}

func count[T comparable](xs []T, x T) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

func FuzzValidateAgainstOracle(f *testing.F) {
	names, err := filepath.Glob("testdata/*.json")
	if err != nil || len(names) < len(EventCommands) {
		f.Fatalf("testdata holds %d samples (%v), want one a command at least", len(names), err)
	}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"CallbackCommand":"Live.CallbackAfterModifyAdmin","Room\u0049d":"r","EventTime":1703589922780,"Operator_Account":"a","Admin_Account":["x\"y"],"opType":"add"}`))
	f.Add([]byte(`{"RoomInfo":{"Category":[1,"2"]}} `))
	f.Add([]byte(`{"a":"\ud83d\ude00","b":"\ud800","c":"\\ud800","d":"\ufffd\udc00"}`))
	f.Add([]byte(`{"a":1,"\u0061":2}`))
	f.Add([]byte("{\"a\":\"\xff\"}"))
	f.Add([]byte(`{"RoomInfo":{"MaxMemberCount":-1,"Owner_Account":18446744073709551616}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, cmd := range EventCommands {
			err := ValidateBody(cmd, body)
			if want := oracle(cmd, body); want != (err == nil) {
				t.Fatalf("%s: the scanner says %v, the oracle %v:\n%q", cmd, err, want, body)
			}
		}
	})
}
