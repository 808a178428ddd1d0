package scenarios

import (
	"github.com/livehook/livehook/internal/text"

	"maps"
	"slices"

	"gopkg.in/yaml.v3"
)

// Limits on scenario values.
const (
	maxRepeat = 10_000
	// MaxWork bounds what a file asks a run to do, in step runs (a scenario's steps times its
	// repeat; a generate step counts its rooms' webhooks, about five a room).
	MaxWork = 2_000_000
)

// validateFile checks what the types alone cannot: unique names, room references, templates,
// limits. Positions point at the scenario or step at fault.
func (d *decoder) validateFile(f *File) {
	if len(f.Scenarios) == 0 {
		d.errs = append(d.errs, &Error{Pos: Pos{File: d.file, Line: 1, Column: 1}, Msg: "no scenarios: add a scenarios: list (see the README)"})
		return
	}
	names := map[string]Pos{}
	work, overWork := 0, false
	for _, s := range f.Scenarios {
		d.scenario = s.Name
		at := &yaml.Node{Line: s.Pos.Line, Column: s.Pos.Column}
		switch first, dup := names[s.Name]; {
		case s.Name == "":
			d.errorf(at, "scenario has no name: add name: to it")
		case dup:
			d.errorf(at, "scenario name %q is used twice (first at line %d): names must be unique", s.Name, first.Line)
		default:
			names[s.Name] = s.Pos
		}
		if s.Repeat < 0 || s.Repeat > maxRepeat {
			d.errorf(at, "repeat is %d: want 0 to %d", s.Repeat, maxRepeat)
		}
		if len(s.Steps) == 0 {
			d.errorf(at, "no steps: add a steps: list")
		}
		if s.Delivery != nil {
			s.Delivery.validate(d, at)
		}
		if work += s.work(); work > MaxWork && !overWork {
			overWork = true
			d.errorf(at, "the file asks for over %d step runs by this scenario (steps × repeat, about 5 for each generated room): lower repeat, or split the file into runs", MaxWork)
		}
		d.validateSteps(s)
		d.scenario = ""
	}
}

// stepCheck is what a step's action checks when the file is read: where it stands, and which
// rooms the steps before it created.
type stepCheck struct {
	d  *decoder
	at *yaml.Node
	// action is the step's action key, for messages.
	action string
	// defined holds the rooms named (as:) by earlier steps; created is set once any room is.
	defined map[string]bool
	created bool
}

func (c *stepCheck) errorf(format string, args ...any) { c.d.errorf(c.at, format, args...) }

// roomRef checks a reference to a room created by an earlier step ("" is the last one created).
func (c *stepCheck) roomRef(name string) {
	switch {
	case name != "" && !c.defined[name]:
		c.errorf("%s: room %q is not created in an earlier step%s", c.action, name, text.Suggest(name, slices.Sorted(maps.Keys(c.defined))))
	case name == "" && !c.created:
		c.errorf("%s needs a room: add a create_room step before it", c.action)
	}
}

func (d *decoder) validateSteps(s *Scenario) {
	c := &stepCheck{d: d, defined: map[string]bool{}}
	for i, st := range s.Steps {
		d.step = i + 1
		c.at = &yaml.Node{Line: st.Pos.Line, Column: st.Pos.Column}
		key, act := st.action()
		if act == nil {
			continue // reported when the step was decoded
		}
		c.action = key
		act.validate(c)
		if st.Expect != nil && st.Probe() == nil {
			c.errorf("expect applies to webhook steps, not to %s", key)
		}
		if p := st.Probe(); p != nil && p.NoSDKAppID && p.SDKAppID != 0 {
			c.errorf("%s: sdkappid and no_sdkappid: true contradict each other; keep one", key)
		}
		c.checkTemplates(st)
		if cr, ok := act.(*CreateRoom); ok {
			c.created = true
			if cr.As != "" {
				c.defined[cr.As] = true
			}
		}
	}
	d.step = 0
}

// work is what a scenario asks of a run, in step runs.
func (s *Scenario) work() int {
	per := 0
	for _, st := range s.Steps {
		per++
		if st.Generate != nil {
			per += 5 * max(st.Generate.Rooms, 0)
		}
	}
	return per * max(s.Repeat, 1)
}
