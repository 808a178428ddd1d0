package report

import (
	"fmt"
	"slices"
	"strings"
)

// A refusal is evidence only beside an acknowledgement: a target that refuses everything (a
// wrong path answering 404, a backend that is down answering 502) refuses a foreign SdkAppid or
// a bad Sign too, and would pass every "is refused" scenario. The runner sends a control when
// nothing else was acknowledged; these are how a result is judged against it.

// Acknowledged counts the webhooks the target acknowledged in the scenario.
func (s *ScenarioResult) Acknowledged() int {
	n := 0
	for _, st := range s.Steps {
		n += st.Acknowledged
	}
	return n
}

// RestsOnRefusals reports whether the scenario passed with refusals among its answers, each
// one due: a pass that says nothing unless the target acknowledges valid webhooks.
func (s *ScenarioResult) RestsOnRefusals() bool {
	return s.Status == StatusPassed && slices.ContainsFunc(s.Steps, func(st StepResult) bool { return st.Refused > 0 })
}

// Discredit fails a scenario that passed on refusals, because the control was refused too:
// its first refused step fails, saying why, with the control's answer.
func (s *ScenarioResult) Discredit(control *ScenarioResult) {
	why := "refused as expected, but that shows nothing: the target acknowledged no valid webhook in this run, not even " + control.controlAnswer()
	s.Status = StatusFailed
	for i := range s.Steps {
		st := &s.Steps[i]
		if st.Refused > 0 {
			st.Status, st.Failure, st.Discredited = StatusFailed, why, true
			s.Failure = fmt.Sprintf("step %d (%s, %s:%d): %s", st.Index, st.Action, s.File, st.Line, why)
			return
		}
	}
}

// Discredits reports whether a control's result discredits refusals: one of its webhooks was
// refused or got no answer.
func (s *ScenarioResult) Discredits() bool { return s.refusedOrUnanswered() }

// refusedOrUnanswered reports whether a webhook of the scenario was refused or got no answer.
func (s *ScenarioResult) refusedOrUnanswered() bool {
	for _, st := range s.Steps {
		if st.Refused > 0 {
			return true
		}
		for _, x := range st.Exchanges {
			if x.Command != "" && x.Status == 0 {
				return true
			}
		}
	}
	return s.Status == StatusSkipped
}

// controlAnswer says how the control was answered: "the control (HTTP 404 ...)".
func (s *ScenarioResult) controlAnswer() string {
	for _, st := range s.Steps {
		for _, x := range st.Exchanges {
			if x.Command == "" {
				continue
			}
			if x.Status == 0 {
				return fmt.Sprintf("the control webhook (%s: nothing: %s)", x.Command, x.Error)
			}
			return fmt.Sprintf("the control webhook (%s answered %d %s)", x.Command, x.Status, clip(strings.TrimSpace(x.ResponseBody), 80))
		}
	}
	if s.Status == StatusSkipped {
		return "the control webhook (not sent: " + s.SkipReason + ")"
	}
	return "the control webhook"
}

// refusalSummary says how the target's refusals were answered: "all HTTP 404", or
// "HTTP 404 ×3, HTTP 500 ×1", with a hint for the most common status.
func refusalSummary(statuses map[int]int, token bool) (summary, hint string) {
	type count struct{ status, n int }
	var cs []count
	for s, n := range statuses {
		cs = append(cs, count{s, n})
	}
	slices.SortFunc(cs, func(a, b count) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return a.status - b.status
	})
	if len(cs) == 0 {
		return "", ""
	}
	if len(cs) == 1 {
		summary = fmt.Sprintf("all HTTP %d", cs[0].status)
	} else {
		parts := make([]string, len(cs))
		for i, c := range cs {
			parts[i] = fmt.Sprintf("HTTP %d ×%d", c.status, c.n)
		}
		summary = strings.Join(parts, ", ")
	}
	switch s := cs[0].status; {
	case s == 404:
		hint = "is the path right?"
	case s == 405 || s == 501:
		hint = "does that path take POST? The Live backend posts every webhook."
	case s == 401 && token:
		hint = "is --token the callback token it was configured with?"
	case s == 401:
		hint = "does it check a Sign with a token this run was not given (--token)?"
	case s == 403:
		hint = "does it expect another SdkAppid (--sdkappid)?"
	case s == 200:
		hint = "it answered FAIL or a non-zero ErrorCode to every webhook; its ErrorInfo below says why."
	case s >= 500:
		hint = "it fails on every webhook; its answers below say why."
	default:
		hint = "see its answers below."
	}
	return summary, hint
}

// refusedEverything reports whether the target refused every webhook of the report that it
// was sent, the control's included, for one cause: one status, or any mix when the control was
// refused too. statuses counts the refusals of the exchanges kept.
func (r *Report) refusedEverything() (statuses map[int]int, all bool) {
	statuses = map[int]int{}
	acknowledged, other := 0, 0
	scan := func(s *ScenarioResult) {
		for _, st := range s.Steps {
			acknowledged += st.Acknowledged
			for _, x := range st.Exchanges {
				switch {
				case x.Command == "":
				case refused(x):
					statuses[x.Status]++
				default:
					other++
				}
			}
		}
	}
	for i := range r.Scenarios {
		scan(&r.Scenarios[i])
	}
	discredited := false
	if r.Control != nil {
		scan(r.Control)
		discredited = r.Control.refusedOrUnanswered()
	}
	return statuses, acknowledged == 0 && other == 0 && (len(statuses) == 1 || discredited && len(statuses) > 0)
}
