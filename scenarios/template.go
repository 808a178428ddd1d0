package scenarios

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/webhook"
)

// templateRef matches a ${...} reference.
var templateRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// refKind is what a ${...} reference stands for.
type refKind int

const (
	refNow   refKind = iota // ${now}: Unix seconds
	refNowMs                // ${now_ms}: Unix milliseconds
	refSeed                 // ${seed}: the run's seed
	refVar                  // ${vars.NAME}: replaced when the file is read
	refFake                 // ${fake.NAME}: gofakeit's value
	refRoom                 // ${ROOM.FIELD}: a field of a room created earlier (ROOM "room": the last)
)

// reference is one ${...}, parsed by the one grammar that checking a file and running it share.
type reference struct {
	kind        refKind
	name, field string
}

// parseReference parses what stands between ${ and }.
func parseReference(ref string) (reference, error) {
	switch ref {
	case "now":
		return reference{kind: refNow}, nil
	case "now_ms":
		return reference{kind: refNowMs}, nil
	case "seed":
		return reference{kind: refSeed}, nil
	}
	head, field, dotted := strings.Cut(ref, ".")
	switch {
	case !dotted:
		return reference{}, fmt.Errorf("unknown reference: want now, now_ms, seed, vars.NAME, fake.NAME or ROOM.FIELD%s", text.Suggest(ref, []string{"now", "now_ms", "seed"}))
	case head == "vars":
		return reference{kind: refVar, name: field}, nil
	case head == "fake":
		return reference{kind: refFake, name: field}, nil
	}
	return reference{kind: refRoom, name: head, field: field}, nil
}

// roomFields are the names ${ROOM.FIELD} may use.
var roomFields = func() []string {
	b, _ := json.Marshal(webhook.RoomInfo{})
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return slices.Sorted(maps.Keys(m))
}()

// MaxFakeBytes bounds one ${fake.NAME} value. gofakeit's text values are far smaller (its
// longest, email_text, is about 1.5 KB); a value over it fails its step rather than growing a
// run's memory without end.
const MaxFakeBytes = 4 << 10

// maxFakeRefs bounds the ${fake.NAME} references of one step, so that what a step's fakes can
// make stays within MaxExpandedBytes: validate refuses what run could not expand.
const maxFakeRefs = MaxExpandedBytes / MaxFakeBytes

var fakeNames = sync.OnceValue(func() []string {
	var names []string
	for name, info := range gofakeit.FuncLookups {
		if textFake(&info) {
			names = append(names, name)
		}
	}
	return slices.Sorted(slices.Values(names))
})

// textFake reports whether a gofakeit function makes text for a template. Those that make bytes
// (imagepng, imagejpeg: megabytes printed as a list of numbers; csv, json, xml: an error message
// without their parameters) are not offered.
func textFake(info *gofakeit.Info) bool { return info.Output != "[]byte" }

// check returns what is wrong with the reference at a step where the rooms in defined have been
// named, and some room created when created is set; "" when nothing is.
func (r reference) check(defined map[string]bool, created bool) string {
	switch r.kind {
	case refFake:
		info := gofakeit.GetFuncLookup(r.name)
		switch {
		case info == nil:
			return fmt.Sprintf("unknown fake data %q%s (gofakeit's names: username, name, email, uuid, ...)", r.name, text.Suggest(r.name, fakeNames()))
		case !textFake(info):
			return fmt.Sprintf("fake data %q makes bytes (%s), not text a template can hold: use a text one (username, sentence, uuid, ...), or put a fixed value under vars:", r.name, orDefault(info.ContentType, info.Description))
		}
		return ""
	case refRoom:
		switch {
		case r.name == "room" && !defined["room"]:
			if !created {
				return "no room is created before this step"
			}
		case !defined[r.name]:
			names := slices.Sorted(maps.Keys(defined))
			if created {
				names = append(names, "room")
			}
			return fmt.Sprintf("room %q is not created in an earlier step%s", r.name, text.Suggest(r.name, names))
		}
		if !slices.Contains(roomFields, r.field) {
			return fmt.Sprintf("a room has no field %q%s", r.field, text.Suggest(r.field, roomFields))
		}
	}
	return "" // vars are replaced, or reported, when the file is read
}

// checkTemplates checks every ${...} in the step's strings.
func (c *stepCheck) checkTemplates(st *Step) {
	fakes := 0
	walkStrings(reflect.ValueOf(st).Elem(), func(s string) {
		for _, m := range templateRef.FindAllStringSubmatch(s, -1) {
			ref, err := parseReference(m[1])
			msg := ""
			if err != nil {
				msg = err.Error()
			} else {
				msg = ref.check(c.defined, c.created)
			}
			if ref.kind == refFake {
				fakes++
			}
			if msg != "" {
				c.errorf("%s: %s", m[0], msg)
			}
		}
	})
	if fakes > maxFakeRefs {
		c.errorf("the step uses ${fake...} %d times: at up to %d KiB each that may make over %d MiB; use at most %d", fakes, MaxFakeBytes>>10, MaxExpandedBytes>>20, maxFakeRefs)
	}
}

// expand returns a copy of the step with every ${...} replaced. What the references make is
// bounded as it is made: a fake value by MaxFakeBytes, the step's in all by MaxExpandedBytes
// (a room's field used thousands of times, say); past either, expanding stops and the error
// says which.
func (x *execution) expand(st *Step) (*Step, error) {
	budget := MaxExpandedBytes
	var failure error
	fn := func(s string) string {
		if failure != nil || !strings.Contains(s, "${") {
			return s
		}
		return templateRef.ReplaceAllStringFunc(s, func(m string) string {
			if failure != nil {
				return ""
			}
			ref, err := parseReference(m[2 : len(m)-1])
			if err != nil {
				return m // the parser has reported it
			}
			v := x.resolve(ref, m)
			switch {
			case ref.kind == refFake && len(v) > MaxFakeBytes:
				failure = fmt.Errorf("%s made a value of %d bytes, over the %d KiB a fake value may hold: use another fake, or a fixed value under vars:", m, len(v), MaxFakeBytes>>10)
				return ""
			case len(v) > budget:
				failure = fmt.Errorf("the step's ${...} make over %d MiB of text (%s among them): use each large value fewer times", MaxExpandedBytes>>20, m)
				return ""
			}
			budget -= len(v)
			return v
		})
	}
	out := expandCopy(reflect.ValueOf(st), fn).Interface().(*Step)
	if failure != nil {
		return nil, failure
	}
	return out, nil
}

// resolve returns what a reference stands for; the parser has checked that it exists.
func (x *execution) resolve(ref reference, orig string) string {
	switch ref.kind {
	case refNow:
		return strconv.FormatInt(x.now().Unix(), 10)
	case refNowMs:
		return strconv.FormatInt(x.now().UnixMilli(), 10)
	case refSeed:
		return strconv.FormatInt(x.cfg.Seed, 10)
	case refFake:
		return x.gen.Faker().Generate("{" + ref.name + "}")
	case refRoom:
		r := x.rooms[ref.name]
		if r == nil && ref.name == "room" {
			r = x.last
		}
		if r == nil {
			return orig
		}
		switch v := r.fields[ref.field].(type) {
		case string:
			return v
		case nil:
			return ""
		default:
			b, _ := json.Marshal(v)
			return string(b)
		}
	}
	return orig
}

func expandCopy(v reflect.Value, fn func(string) string) reflect.Value {
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
		n.Elem().Set(expandCopy(v.Elem(), fn))
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type()).Elem()
		n.Set(expandCopy(v.Elem(), fn))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n.Field(i).Set(expandCopy(v.Field(i), fn))
			}
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			n.Index(i).Set(expandCopy(v.Index(i), fn))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			n.SetMapIndex(it.Key(), expandCopy(it.Value(), fn))
		}
		return n
	}
	return v
}

// walkStrings calls fn with every string reachable from v.
func walkStrings(v reflect.Value, fn func(string)) {
	switch v.Kind() {
	case reflect.String:
		fn(v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkStrings(v.Field(i), fn)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkStrings(v.Index(i), fn)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			walkStrings(it.Value(), fn)
		}
	}
}
