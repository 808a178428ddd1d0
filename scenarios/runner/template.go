package runner

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/internal/tmpl"
)

// expand returns a copy of the step with every ${...} replaced. What the references make is
// bounded as it is made: a fake value by MaxFakeBytes, the step's in all by MaxExpandedBytes
// (a room's field used thousands of times, say); past either, expanding stops and the error
// says which.
func (x *execution) expand(st *scenarios.Step) (*scenarios.Step, error) {
	budget := scenarios.MaxExpandedBytes
	var failure error
	fn := func(s string) string {
		if failure != nil || !strings.Contains(s, "${") {
			return s
		}
		return tmpl.Ref.ReplaceAllStringFunc(s, func(m string) string {
			if failure != nil {
				return ""
			}
			ref, err := tmpl.Parse(m[2 : len(m)-1])
			if err != nil {
				return m // the parser has reported it
			}
			v := x.resolve(ref, m)
			switch {
			case ref.Kind == tmpl.Fake && len(v) > scenarios.MaxFakeBytes:
				failure = fmt.Errorf("%s made a value of %d bytes, over the %d KiB a fake value may hold: use another fake, or a fixed value under vars:", m, len(v), scenarios.MaxFakeBytes>>10)
				return ""
			case len(v) > budget:
				failure = fmt.Errorf("the step's ${...} make over %d MiB of text (%s among them): use each large value fewer times", scenarios.MaxExpandedBytes>>20, m)
				return ""
			}
			budget -= len(v)
			return v
		})
	}
	out := tmpl.Copy(reflect.ValueOf(st), fn).Interface().(*scenarios.Step)
	if failure != nil {
		return nil, failure
	}
	return out, nil
}

// resolve returns what a reference stands for; the parser has checked that it exists.
func (x *execution) resolve(ref tmpl.Reference, orig string) string {
	switch ref.Kind {
	case tmpl.Now:
		return strconv.FormatInt(x.now().Unix(), 10)
	case tmpl.NowMs:
		return strconv.FormatInt(x.now().UnixMilli(), 10)
	case tmpl.Seed:
		return strconv.FormatInt(x.cfg.Seed, 10)
	case tmpl.Fake:
		return x.gen.Faker().Generate("{" + ref.Name + "}")
	case tmpl.Room:
		r := x.rooms[ref.Name]
		if r == nil && ref.Name == "room" {
			r = x.last
		}
		if r == nil {
			return orig
		}
		switch v := r.fields[ref.Field].(type) {
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
