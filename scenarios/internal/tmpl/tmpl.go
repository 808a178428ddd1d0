// Package tmpl is the grammar of the ${...} references in a scenarios file, shared by checking a
// file (package scenarios) and running it (package runner): what a reference may name, and the
// walk over a step's strings that finds and replaces them.
package tmpl

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/webhook"
)

// Ref matches a ${...} reference; its first group is what stands between ${ and }.
var Ref = regexp.MustCompile(`\$\{([^}]*)\}`)

// Kind is what a ${...} reference stands for.
type Kind int

// The kinds of reference.
const (
	Now   Kind = iota // ${now}: Unix seconds
	NowMs             // ${now_ms}: Unix milliseconds
	Seed              // ${seed}: the run's seed
	Var               // ${vars.NAME}: replaced when the file is read
	Fake              // ${fake.NAME}: gofakeit's value
	Room              // ${ROOM.FIELD}: a field of a room created earlier (ROOM "room": the last)
)

// Reference is one ${...}, parsed.
type Reference struct {
	Kind        Kind
	Name, Field string
}

// Parse parses what stands between ${ and }.
func Parse(ref string) (Reference, error) {
	switch ref {
	case "now":
		return Reference{Kind: Now}, nil
	case "now_ms":
		return Reference{Kind: NowMs}, nil
	case "seed":
		return Reference{Kind: Seed}, nil
	}
	head, field, dotted := strings.Cut(ref, ".")
	switch {
	case !dotted:
		return Reference{}, fmt.Errorf("unknown reference: want now, now_ms, seed, vars.NAME, fake.NAME or ROOM.FIELD%s", text.Suggest(ref, []string{"now", "now_ms", "seed"}))
	case head == "vars":
		return Reference{Kind: Var, Name: field}, nil
	case head == "fake":
		return Reference{Kind: Fake, Name: field}, nil
	}
	return Reference{Kind: Room, Name: head, Field: field}, nil
}

// RoomFields are the names ${ROOM.FIELD} may use.
var RoomFields = func() []string {
	b, _ := json.Marshal(webhook.RoomInfo{})
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return slices.Sorted(maps.Keys(m))
}()

// Copy returns a deep copy of v with fn applied to every exported string in it.
func Copy(v reflect.Value, fn func(string) string) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		n := reflect.New(v.Type()).Elem()
		n.SetString(fn(v.String()))
		return n
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(Copy(v.Elem(), fn))
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type()).Elem()
		n.Set(Copy(v.Elem(), fn))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n.Field(i).Set(Copy(v.Field(i), fn))
			}
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			n.Index(i).Set(Copy(v.Index(i), fn))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			n.SetMapIndex(it.Key(), Copy(it.Value(), fn))
		}
		return n
	}
	return v
}

// Walk calls fn with every exported string reachable from v.
func Walk(v reflect.Value, fn func(string)) {
	switch v.Kind() {
	case reflect.String:
		fn(v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			Walk(v.Elem(), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				Walk(v.Field(i), fn)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			Walk(v.Index(i), fn)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			Walk(it.Value(), fn)
		}
	}
}
