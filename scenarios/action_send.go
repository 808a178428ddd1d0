package scenarios

import (
	"github.com/livehook/livehook/webhook"
)

// Send sends any body as any command: a probe for what the other steps cannot say.
type Send struct {
	// Command goes into the URL's CallbackCommand. Required.
	Command string `yaml:"command" json:"command"`
	// Body is sent as it is, after ${...} substitution. Required.
	Body string `yaml:"body" json:"body"`
	// Query, when set, replaces the whole generated query string.
	Query string `yaml:"query" json:"query,omitempty"`
	Probe `yaml:",inline" json:",inline"`
}

func (s *Send) probe() *Probe { return &s.Probe }

func (s *Send) validate(v *stepCheck) {
	if s.Command == "" {
		v.errorf("send: command is missing, e.g. command: %s", webhook.CommandCreateRoom)
	}
	if s.OwnerAsNumber || len(s.Omit) > 0 || len(s.Extra) > 0 {
		v.errorf("send: owner_as_number, omit and extra do not apply: write the body as you want it")
	}
	if s.Sign != "" && s.Query != "" {
		v.errorf("send: sign does not apply when query is given: put Sign and RequestTime in the query")
	}
}
