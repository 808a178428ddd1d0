package runner

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
)

// A refusal is evidence only beside an acknowledgement: a target that refuses everything (a
// wrong path answering 404, a backend that is down answering 502) refuses a foreign SdkAppid or
// a bad Sign too, and would pass every "is refused" scenario. So a run credits refusals only
// when the same target acknowledged a valid webhook in it; when nothing else did, the run sends
// a control of its own, and when the control is refused too, the scenarios that passed on
// refusals fail and the report leads with the cause.

// ControlName names the control scenario in reports.
const ControlName = "control: a valid room's creation and destruction are acknowledged"

const controlYAML = `scenarios:
  - name: "` + ControlName + `"
    steps:
      - create_room: {}
      - destroy_room: {}
`

var controlScenario = sync.OnceValues(func() (*scenarios.Scenario, error) {
	f, err := scenarios.Parse("control (built-in)", strings.NewReader(controlYAML))
	if err != nil {
		return nil, err
	}
	return f.Scenarios[0], nil
})

// Control sends a valid room's creation and destruction to cfg.Endpoint, signed as the run is,
// and reports them. Its status is passed when the target acknowledged both. A control that was
// answered, though not with OK/0, still shows that the target tells a valid webhook from an
// invalid one; only a refused or unanswered control discredits refusals. Run calls it when a
// run credits refusals and acknowledged nothing else; package suite calls it before it passes a
// spec that rests on refusals.
func Control(ctx context.Context, cfg Config) (*report.ScenarioResult, error) {
	sc, err := controlScenario()
	if err != nil {
		return nil, fmt.Errorf("the control scenario: %w", err)
	}
	return RunScenario(ctx, sc, cfg)
}

// control checks the refusals credited in results against an acknowledgement: when some
// scenario passed on refusals and none acknowledged anything, it sends the control and, when
// the control fails, discredits those scenarios. It returns the control's result, nil when
// none was needed.
func control(ctx context.Context, cfg *Config, results []*report.ScenarioResult) *report.ScenarioResult {
	credited, acknowledged := false, 0
	for _, r := range results {
		credited = credited || r.RestsOnRefusals()
		acknowledged += r.Acknowledged()
	}
	if !credited || acknowledged > 0 || ctx.Err() != nil {
		return nil
	}
	sc, err := controlScenario()
	if err != nil {
		// A defect of livehook's own; the refusals are not credited without a control.
		sc = &scenarios.Scenario{Name: ControlName}
		ctl := notRun(sc, 0, err.Error())
		for _, r := range results {
			if r.RestsOnRefusals() {
				r.Discredit(ctl)
			}
		}
		return ctl
	}
	ctl := runScenario(ctx, cfg, sc, 0)
	if !ctl.Discredits() {
		// Acknowledged, or answered in a broken shape that is no refusal either: the target
		// tells a valid webhook from an invalid one, so its refusals stand.
		return ctl
	}
	for _, r := range results {
		if r.RestsOnRefusals() {
			r.Discredit(ctl)
		}
	}
	return ctl
}
