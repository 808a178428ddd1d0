package scenarios

import (
	"context"

	"github.com/livehook/livehook/scenarios/report"
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

func (s *Send) run(ctx context.Context, x *execution, st *Step, sr *report.StepResult) {
	cmd := webhook.Command(s.Command)
	req := webhook.Request{Command: cmd, Body: []byte(s.Body)}
	opt := x.urlOptions(&s.Probe)
	meta := x.meta(&s.Probe)
	if s.Query != "" {
		req.URL = webhook.AppendQuery(x.cfg.Endpoint.URL, s.Query)
	} else {
		req.URL = x.cfg.Endpoint.RequestURL(cmd, meta, opt)
	}
	x.send(ctx, st, sr, webhook.Message{Meta: meta}, req, opt, s.Query != "")
}
