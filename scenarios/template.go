package scenarios

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/scenarios/internal/tmpl"
)

// A step's strings may hold ${...} references (package tmpl has their grammar): ${now},
// ${now_ms}, ${seed}, ${vars.NAME}, ${fake.NAME} and ${ROOM.FIELD}. Reading a file checks each
// one here; the runner replaces them as each step starts.

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

// checkReference returns what is wrong with the reference at a step where the rooms in defined have been
// named, and some room created when created is set; "" when nothing is.
func checkReference(r tmpl.Reference, defined map[string]bool, created bool) string {
	switch r.Kind {
	case tmpl.Fake:
		info := gofakeit.GetFuncLookup(r.Name)
		switch {
		case info == nil:
			return fmt.Sprintf("unknown fake data %q%s (gofakeit's names: username, name, email, uuid, ...)", r.Name, text.Suggest(r.Name, fakeNames()))
		case !textFake(info):
			return fmt.Sprintf("fake data %q makes bytes (%s), not text a template can hold: use a text one (username, sentence, uuid, ...), or put a fixed value under vars:", r.Name, cmp.Or(info.ContentType, info.Description))
		}
		return ""
	case tmpl.Room:
		switch {
		case r.Name == "room" && !defined["room"]:
			if !created {
				return "no room is created before this step"
			}
		case !defined[r.Name]:
			names := slices.Sorted(maps.Keys(defined))
			if created {
				names = append(names, "room")
			}
			return fmt.Sprintf("room %q is not created in an earlier step%s", r.Name, text.Suggest(r.Name, names))
		}
		if !slices.Contains(tmpl.RoomFields, r.Field) {
			return fmt.Sprintf("a room has no field %q%s", r.Field, text.Suggest(r.Field, tmpl.RoomFields))
		}
	}
	return "" // vars are replaced, or reported, when the file is read
}

// checkTemplates checks every ${...} in the step's strings.
func (c *stepCheck) checkTemplates(st *Step) {
	fakes := 0
	tmpl.Walk(reflect.ValueOf(st).Elem(), func(s string) {
		for _, m := range tmpl.Ref.FindAllStringSubmatch(s, -1) {
			ref, err := tmpl.Parse(m[1])
			msg := ""
			if err != nil {
				msg = err.Error()
			} else {
				msg = checkReference(ref, c.defined, c.created)
			}
			if ref.Kind == tmpl.Fake {
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
