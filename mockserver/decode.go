package mockserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// decode reads a JSON body into v as the Live backend does: field names match exactly (a key that
// differs from a field only in case, such as "roomid" or "optype", is a bad parameter, though
// encoding/json would take it), a key given twice is a bad parameter, and a field of the wrong
// type is one too. Keys that name no field are ignored, as clients send fields of newer versions
// (the vendor's console sends SeatTemplate, KeepOwnerOnSeat, SortDirection). The body must be
// valid JSON; serveAPI checks that first.
func decode(body []byte, v any) *apiError {
	var w keyWalker
	if _, err := w.walk(body, 0, reflect.TypeOf(v)); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			what := "a JSON " + te.Value
			if n, ok := strings.CutPrefix(te.Value, "number "); ok {
				what = "the number " + n
			}
			return fail(CodeBadParameter, "%s is %s, want %s", te.Field, what, typeName(te.Type))
		}
		return fail(CodeJSONParse, "body: %v", err)
	}
	return nil
}

// keyWalker checks the keys of valid JSON against a type in one pass over the bytes, without
// decoding: it is on every call's path. path holds the keys and indexes above the value being
// walked, turned into a name only for an error.
type keyWalker struct {
	path []pathStep
}

type pathStep struct {
	key []byte
	idx int // for an array element: its index; key is nil
}

// name is the dotted name of key within the current path, e.g. RoomInfo.Metadata[1].Key.
func (w *keyWalker) name(key string) string {
	var sb strings.Builder
	for _, p := range w.path {
		if p.key == nil {
			fmt.Fprintf(&sb, "[%d]", p.idx)
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.Write(p.key)
	}
	if key != "" {
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(key)
	}
	return sb.String()
}

// walk checks the value at b[i:] against t (nil: any value goes) and returns the index past it.
func (w *keyWalker) walk(b []byte, i int, t reflect.Type) (int, *apiError) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	i = skipSpace(b, i)
	if i >= len(b) {
		return i, fail(CodeJSONParse, "body ends early")
	}
	switch b[i] {
	case '{':
		var fields map[string]reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			fields = fieldsOf(t)
		}
		var seen [16][]byte
		nseen := 0
		var seenMap map[string]bool
		i = skipSpace(b, i+1)
		for i < len(b) && b[i] != '}' {
			end := skipString(b, i)
			key := b[i+1 : end-1]
			if bytes.IndexByte(key, '\\') >= 0 {
				var k string
				_ = json.Unmarshal(b[i:end], &k)
				key = []byte(k)
			}
			dup := false
			if seenMap != nil {
				dup = seenMap[string(key)]
				seenMap[string(key)] = true
			} else {
				for _, k := range seen[:nseen] {
					if bytes.Equal(k, key) {
						dup = true
					}
				}
				if nseen < len(seen) {
					seen[nseen] = key
					nseen++
				} else {
					seenMap = map[string]bool{string(key): true}
					for _, k := range seen {
						seenMap[string(k)] = true
					}
				}
			}
			if dup {
				return i, fail(CodeBadParameter, "%s is given twice: give each field once", w.name(string(key)))
			}
			ft, known := fields[string(key)]
			if fields != nil && !known {
				for name := range fields {
					if strings.EqualFold(name, string(key)) {
						return i, fail(CodeBadParameter, "%s is not a field: field names are case-sensitive, write %s", w.name(string(key)), w.name(name))
					}
				}
			}
			i = skipSpace(b, end)
			var err *apiError
			if i, err = w.member(b, skipSpace(b, i+1), pathStep{key: key}, ft); err != nil {
				return i, err
			}
		}
		return i + 1, nil
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		i = skipSpace(b, i+1)
		for n := 0; i < len(b) && b[i] != ']'; n++ {
			var err *apiError
			if i, err = w.member(b, i, pathStep{idx: n}, elem); err != nil {
				return i, err
			}
		}
		return i + 1, nil
	case '"':
		return skipString(b, i), nil
	}
	for ; i < len(b); i++ { // a number, true, false or null
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i, nil
		}
	}
	return i, nil
}

// member walks the value of an object member or array element at b[i:], named by step, and
// passes the comma after it.
func (w *keyWalker) member(b []byte, i int, step pathStep, t reflect.Type) (int, *apiError) {
	w.path = append(w.path, step)
	i, err := w.walk(b, i, t)
	w.path = w.path[:len(w.path)-1]
	if err != nil {
		return i, err
	}
	i = skipSpace(b, i)
	if i < len(b) && b[i] == ',' {
		i = skipSpace(b, i+1)
	}
	return i, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// fieldsOf maps a struct's JSON field names to their types.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	fieldCache.Store(t, m)
	return m
}

func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint32, reflect.Uint64:
		return "an integer of 0 or more"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}
