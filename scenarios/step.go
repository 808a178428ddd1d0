package scenarios

import (
	"reflect"
	"strings"
)

// Step is one action and what to expect of it. Exactly one action field is set.
type Step struct {
	// Name optionally labels the step in reports.
	Name        string       `yaml:"name" json:"name,omitempty"`
	CreateRoom  *CreateRoom  `yaml:"create_room" json:"create_room,omitempty"`
	ModifyAdmin *ModifyAdmin `yaml:"modify_admin" json:"modify_admin,omitempty"`
	DestroyRoom *DestroyRoom `yaml:"destroy_room" json:"destroy_room,omitempty"`
	Wait        *Wait        `yaml:"wait" json:"wait,omitempty"`
	Send        *Send        `yaml:"send" json:"send,omitempty"`
	Generate    *Generate    `yaml:"generate" json:"generate,omitempty"`
	Check       *Check       `yaml:"check" json:"check,omitempty"`
	Replay      *Replay      `yaml:"replay" json:"replay,omitempty"`
	// Expect is what the answer must be; acknowledged unless set.
	Expect *Expect `yaml:"expect" json:"expect,omitempty"`

	Pos Pos `yaml:"-" json:"-"`
}

// action is what a step does. Each action is a type of its own, in a file of its own
// (action_*.go): its YAML fields and what it checks when the file is read beyond what the types
// say; package runner says what running it does. A step's action is the one action field it
// sets.
type action interface {
	// validate checks the action when the file is read.
	validate(c *stepCheck)
}

// webhookAction is an action that sends a webhook, and so takes the modifiers of a Probe.
type webhookAction interface {
	action
	probe() *Probe
}

var actionType = reflect.TypeOf((*action)(nil)).Elem()

// actionFields are the indexes and YAML keys of Step's action fields, in their order.
var actionFields = func() (out []struct {
	index int
	key   string
}) {
	t := reflect.TypeOf(Step{})
	for i := range t.NumField() {
		if f := t.Field(i); f.Type.Implements(actionType) {
			key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			out = append(out, struct {
				index int
				key   string
			}{i, key})
		}
	}
	return out
}()

var probeType = reflect.TypeOf(Probe{})

// webhookActions are the keys of the actions that send a webhook, and so take a Probe's modifiers.
var webhookActions = func() []string {
	var out []string
	t := reflect.TypeOf(Step{})
	for _, f := range actionFields {
		if t.Field(f.index).Type.Implements(reflect.TypeOf((*webhookAction)(nil)).Elem()) {
			out = append(out, f.key)
		}
	}
	return out
}()

// Actions are the keys that name a step's action.
var Actions = func() []string {
	var out []string
	for _, f := range actionFields {
		out = append(out, f.key)
	}
	return out
}()

// action returns the step's action and its key; nil and "" when none is set.
func (s *Step) action() (string, action) {
	v := reflect.ValueOf(s).Elem()
	for _, f := range actionFields {
		if fv := v.Field(f.index); !fv.IsNil() {
			return f.key, fv.Interface().(action)
		}
	}
	return "", nil
}

// Action returns the name of the step's action, or "" when none is set.
func (s *Step) Action() string {
	key, _ := s.action()
	return key
}

// Probe returns the step's webhook modifiers, or nil for a step that sends no webhook.
func (s *Step) Probe() *Probe {
	if _, a := s.action(); a != nil {
		if w, ok := a.(webhookAction); ok {
			return w.probe()
		}
	}
	return nil
}
