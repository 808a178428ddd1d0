package webhook

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"sync/atomic"
	"unsafe"
)

// Every event is encoded by an encoder made from its struct's tags when the package loads (see
// fields.go): a list of the fields with their wire names, pre-quoted, their offsets in the
// struct, and a function that appends a value of their type. Load runs encode one body per
// request, and encoding/json's reflection was the largest part of a request's cost after the
// system calls; this costs one allocation a body. The output is byte for byte what encoding/json
// makes of the struct tags (HTML-safe escaping included), with two rules of the protocol's:
// CallbackCommand is always the event's command, and a nil list goes as [] unless its live tag
// says null (TestEncodeMatchesEncodingJSON and FuzzEncodeMatchesEncodingJSON check it).

// encoder appends the JSON of one struct type.
type encoder struct {
	fields []encField
	// hint is the longest body encoded so far, the next one's starting capacity.
	hint atomic.Int64
}

// encOp is how a value is appended.
type encOp uint8

const (
	opString  encOp = iota // a string (or Command)
	opBool                 // a bool
	opInt                  // an int
	opInt64                // an int64
	opAccount              // an Account
	opConst                // the encoder's command, whatever the field holds
	opStruct               // a struct, by sub
	opPointer              // a pointer, to a value appended by elem; nil is null
	opSlice                // a list of values appended by elem; nil is empty
)

// Omissions: the json tag's omitempty and omitzero, as encoding/json has them.
const (
	keep      = iota
	omitEmpty // the zero value, or an empty list; never a struct
	omitZero  // the zero value
)

// encField is one field of an encoder, or the element of a pointer or a list.
type encField struct {
	key   string // "Name":
	off   uintptr
	op    encOp
	omit  uint8
	konst string    // opConst: the command, quoted
	sub   *encoder  // opStruct
	elem  *encField // opPointer, opSlice
	size  uintptr   // opSlice: of an element
	empty string    // opSlice: a nil list, [] or null
}

// newEventEncoder makes the encoder of event type T.
func newEventEncoder[T any, P interface {
	*T
	Event
}]() *encoder {
	return newEncoder(reflect.TypeFor[T](), P(new(T)).Command())
}

// event encodes the event at p, then extra.
func (enc *encoder) event(p unsafe.Pointer, extra Extra) ([]byte, error) {
	b := make([]byte, 0, enc.hint.Load()+16)
	b, err := enc.append(b, p)
	if err != nil {
		return nil, err
	}
	if n := int64(len(b)); n > enc.hint.Load() {
		enc.hint.Store(n)
	}
	return appendExtra(b, extra)
}

func (enc *encoder) append(b []byte, p unsafe.Pointer) ([]byte, error) {
	b = append(b, '{')
	start := len(b)
	var err error
	for i := range enc.fields {
		f := &enc.fields[i]
		fp := unsafe.Add(p, f.off)
		if f.omit != keep && f.omitted(fp) {
			continue
		}
		if len(b) > start {
			b = append(b, ',')
		}
		b = append(b, f.key...)
		switch f.op { // the common kinds here, the others in put
		case opString:
			b = appendString(b, *(*string)(fp))
		case opBool:
			b = strconv.AppendBool(b, *(*bool)(fp))
		case opInt:
			b = strconv.AppendInt(b, int64(*(*int)(fp)), 10)
		case opInt64:
			b = strconv.AppendInt(b, *(*int64)(fp), 10)
		case opConst:
			b = append(b, f.konst...)
		case opStruct:
			if b, err = f.sub.append(b, fp); err != nil {
				return nil, err
			}
		default:
			if b, err = f.put(b, fp); err != nil {
				return nil, err
			}
		}
	}
	return append(b, '}'), nil
}

// put appends the value at p.
func (f *encField) put(b []byte, p unsafe.Pointer) ([]byte, error) {
	switch f.op {
	case opString:
		return appendString(b, *(*string)(p)), nil
	case opBool:
		return strconv.AppendBool(b, *(*bool)(p)), nil
	case opInt:
		return strconv.AppendInt(b, int64(*(*int)(p)), 10), nil
	case opInt64:
		return strconv.AppendInt(b, *(*int64)(p), 10), nil
	case opAccount:
		return appendAccount(b, *(*Account)(p))
	case opConst:
		return append(b, f.konst...), nil
	case opStruct:
		return f.sub.append(b, p)
	case opPointer:
		if q := *(*unsafe.Pointer)(p); q != nil {
			return f.elem.put(b, q)
		}
		return append(b, "null"...), nil
	}
	s := (*sliceHeader)(p) // opSlice
	if s.data == nil {
		return append(b, f.empty...), nil
	}
	b = append(b, '[')
	var err error
	for i := range s.len {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = f.elem.put(b, unsafe.Add(s.data, uintptr(i)*f.size)); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// omitted reports whether the value at p is left out.
func (f *encField) omitted(p unsafe.Pointer) bool {
	switch f.op {
	case opString:
		return *(*string)(p) == ""
	case opBool:
		return !*(*bool)(p)
	case opInt:
		return *(*int)(p) == 0
	case opInt64:
		return *(*int64)(p) == 0
	case opAccount:
		return f.omit == omitZero && *(*Account)(p) == Account{}
	case opPointer:
		return *(*unsafe.Pointer)(p) == nil
	case opSlice:
		s := (*sliceHeader)(p)
		return s.data == nil || (f.omit == omitEmpty && s.len == 0)
	}
	return false
}

// sliceHeader is the layout of a slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// newEncoder makes the encoder of struct type t; cmd is the command its kCommand field holds.
func newEncoder(t reflect.Type, cmd Command) *encoder {
	enc := &encoder{}
	for _, f := range taggedFields(t) {
		ef := encField{key: string(appendString(nil, f.name)) + ":", off: t.Field(f.index).Offset}
		encodeAs(&ef, f, f.typ, cmd)
		switch f.omit {
		case "omitempty":
			ef.omit = omitEmpty
		case "omitzero":
			ef.omit = omitZero
		}
		if ef.omit != keep && (ef.op == opStruct || ef.op == opConst) {
			panic(fmt.Sprintf("webhook: %s.%s: %s is not supported here", t.Name(), f.name, f.omit))
		}
		enc.fields = append(enc.fields, ef)
	}
	return enc
}

// encodeAs sets how ef appends a value of type t, of the protocol field f.
func encodeAs(ef *encField, f tagged, t reflect.Type, cmd Command) {
	switch {
	case f.kind == kCommand:
		ef.op, ef.konst = opConst, string(appendString(nil, string(cmd)))
		return
	case t == reflect.TypeFor[Account]():
		ef.op = opAccount
		return
	}
	switch t.Kind() {
	case reflect.String:
		ef.op = opString
	case reflect.Bool:
		ef.op = opBool
	case reflect.Int:
		ef.op = opInt
	case reflect.Int64:
		ef.op = opInt64
	case reflect.Struct:
		ef.op, ef.sub = opStruct, newEncoder(t, cmd)
	case reflect.Pointer, reflect.Slice:
		ef.op, ef.elem = opPointer, &encField{}
		if t.Kind() == reflect.Slice {
			ef.op, ef.size, ef.empty = opSlice, t.Elem().Size(), "[]"
			if f.null {
				ef.empty = "null"
			}
		}
		encodeAs(ef.elem, f, t.Elem(), cmd)
	default:
		panic(fmt.Sprintf("webhook: field %s: no encoding for type %s", f.name, t))
	}
}

// appendString appends s as encoding/json writes a string: as is when no byte needs escaping,
// and through encoding/json otherwise (HTML-safe escapes, invalid UTF-8, U+2028 and U+2029).
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plain[s[i]] {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plain marks the bytes that encoding/json writes in a string as they are.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

func appendAccount(b []byte, a Account) ([]byte, error) {
	if !a.Number {
		return appendString(b, a.ID), nil
	}
	if !isIntegerLiteral([]byte(a.ID)) {
		return nil, fmt.Errorf("account %q cannot be sent as a JSON number: it is not an integer", a.ID)
	}
	return append(b, a.ID...), nil
}

// appendExtra appends the fields of extra, in the order of their names, to an encoded object.
func appendExtra(b []byte, extra Extra) ([]byte, error) {
	if len(extra) == 0 {
		return b, nil
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := b[:len(b)-1] // drop the closing brace
	for _, k := range keys {
		raw := extra[k]
		if !json.Valid(raw) {
			return nil, fmt.Errorf("extra field %q: value is not valid JSON: %q", k, raw)
		}
		out = append(out, ',')
		out = appendString(out, k)
		out = append(out, ':')
		out = append(out, raw...)
	}
	return append(out, '}'), nil
}
