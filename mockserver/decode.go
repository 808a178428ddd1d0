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
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := checkKeys(d, reflect.TypeOf(v), ""); err != nil {
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

// checkKeys walks the next JSON value in d against the type t (nil: any value goes).
func checkKeys(d *json.Decoder, t reflect.Type, path string) *apiError {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := d.Token()
	if err != nil {
		return fail(CodeJSONParse, "body: %v", err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch delim {
	case '{':
		var fields map[string]reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			fields = fieldsOf(t)
		}
		seen := map[string]bool{}
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return fail(CodeJSONParse, "body: %v", err)
			}
			k := kt.(string)
			if seen[k] {
				return fail(CodeBadParameter, "%s%s is given twice: give each field once", path, k)
			}
			seen[k] = true
			ft, known := fields[k]
			if fields != nil && !known {
				for name := range fields {
					if strings.EqualFold(name, k) {
						return fail(CodeBadParameter, "%s%s is not a field: field names are case-sensitive, write %s%s", path, k, path, name)
					}
				}
			}
			if err := checkKeys(d, ft, path+k+"."); err != nil {
				return err
			}
		}
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; d.More(); i++ {
			if err := checkKeys(d, elem, fmt.Sprintf("%s[%d].", strings.TrimSuffix(path, "."), i)); err != nil {
				return err
			}
		}
	}
	if _, err := d.Token(); err != nil { // the closing delimiter
		return fail(CodeJSONParse, "body: %v", err)
	}
	return nil
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
