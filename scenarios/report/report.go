package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/livehook/livehook/internal/human"
	"github.com/livehook/livehook/internal/plural"
	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/webhook"
)

// Statuses of scenarios and steps.
const (
	StatusPassed  = "passed"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
)

// Report is the outcome of a run.
type Report struct {
	Files      []string      `json:"files"`
	Target     string        `json:"target"`
	TargetNote string        `json:"target_note,omitempty"`
	SDKAppID   uint64        `json:"sdkappid"`
	Token      bool          `json:"token"`
	Seed       int64         `json:"seed"`
	Timeout    time.Duration `json:"timeout_ns"`
	Parallel   int           `json:"parallel"`
	Started    time.Time     `json:"started"`
	Duration   time.Duration `json:"duration_ns"`
	// Deselected counts the scenarios that the tags left out.
	Deselected int `json:"deselected"`
	Passed     int `json:"passed"`
	Failed     int `json:"failed"`
	Skipped    int `json:"skipped"`
	// Requests counts every request sent, webhooks and checks alike.
	Requests  int              `json:"requests"`
	Scenarios []ScenarioResult `json:"scenarios"`
	// Control is the valid webhooks the run sent of its own because scenarios passed on
	// refusals and nothing else was acknowledged (see Control); nil when none was needed.
	Control *ScenarioResult `json:"control,omitempty"`
	// Trend compares the first and the last webhooks sent one at a time; nil for a short run.
	Trend *Trend `json:"trend,omitempty"`
}

// ScenarioResult is the outcome of one scenario (one iteration of it, when it repeats).
type ScenarioResult struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	File        string   `json:"file"`
	Line        int      `json:"line"`
	// Iteration is 1, 2, ... for a scenario that repeats, else 0.
	Iteration int    `json:"iteration,omitempty"`
	Status    string `json:"status"`
	// SkipReason says why a skipped scenario did not run.
	SkipReason string `json:"skip_reason,omitempty"`
	// Failure names the failing step and what broke.
	Failure string `json:"failure,omitempty"`
	// Delivery is the scenario's delivery conditions (package delivery's text form), if any.
	Delivery string        `json:"delivery,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Steps    []StepResult  `json:"steps,omitempty"`
}

// Title is the scenario's name, with the iteration for one that repeats.
func (s *ScenarioResult) Title() string {
	if s.Iteration > 0 {
		return fmt.Sprintf("%s #%d", s.Name, s.Iteration)
	}
	return s.Name
}

// Explain says what failed, step by step, with what was sent and what came back; "" for a
// scenario that did not fail.
func (s *ScenarioResult) Explain() string {
	if s.Status != StatusFailed {
		return ""
	}
	var b strings.Builder
	ew := &text.Writer{W: &b}
	for _, st := range s.Steps {
		if st.Status == StatusFailed {
			writeStep(ew, s, &st, nil)
		}
	}
	return b.String()
}

// StepResult is the outcome of one step.
type StepResult struct {
	Index   int    `json:"index"`
	Action  string `json:"action"`
	Name    string `json:"name,omitempty"`
	Line    int    `json:"line"`
	Status  string `json:"status"`
	Failure string `json:"failure,omitempty"`
	// Latency is the answer's latency (the slowest one's, for a step that sends several).
	Latency time.Duration `json:"latency_ns"`
	// Sent counts the requests the step sent.
	Sent int `json:"sent"`
	// Acknowledged and Refused count the webhooks answered OK/0 and the ones refused (a status
	// other than 200, FAIL or a non-zero ErrorCode), whatever the step expected.
	Acknowledged int `json:"acknowledged"`
	Refused      int `json:"refused"`
	// Unrefused marks a step whose webhook was to be refused and was acknowledged with OK/0
	// instead: a receiver that checks too little (see Diagnosis).
	Unrefused bool `json:"unrefused,omitempty"`
	// Discredited marks a step whose due refusal was failed for want of a control (see Control).
	Discredited bool `json:"discredited,omitempty"`
	// Exchanges holds the request and answer (for a generate step, the first and the failing ones).
	Exchanges []Exchange `json:"exchanges,omitempty"`
}

// Exchange is one request and its answer.
type Exchange struct {
	Command      string `json:"command,omitempty"`
	Method       string `json:"method"`
	URL          string `json:"url"`
	RequestBody  string `json:"request_body,omitempty"`
	Status       int    `json:"status"`
	ResponseBody string `json:"response_body,omitempty"`
	// Outcome is how a webhook's delivery ended; nil for a check's REST call, which is no webhook.
	Outcome *webhook.Outcome `json:"outcome,omitempty"`
	Error   string           `json:"error,omitempty"`
	Latency time.Duration    `json:"latency_ns"`
}

// Add counts a scenario's result into the report and appends it.
func (r *Report) Add(s ScenarioResult) {
	switch s.Status {
	case StatusPassed:
		r.Passed++
	case StatusFailed:
		r.Failed++
	default:
		r.Skipped++
	}
	for _, st := range s.Steps {
		r.Requests += st.Sent
	}
	r.Scenarios = append(r.Scenarios, s)
}

// answered reports whether any request got an HTTP answer.
func (r *Report) answered() bool {
	for _, s := range r.Scenarios {
		for _, st := range s.Steps {
			if st.Acknowledged > 0 || st.Refused > 0 {
				return true
			}
			for _, x := range st.Exchanges {
				if x.Status > 0 {
					return true
				}
			}
		}
	}
	return false
}

// OK reports whether no scenario failed.
func (r *Report) OK() bool { return r.Failed == 0 }

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// TextOptions choose what the text report shows.
type TextOptions struct {
	// Steps lists every step with its latency, not only failing ones.
	Steps bool
}

// WriteText writes the report for people: a line per scenario, the failing steps with what was
// sent and what came back, and a summary.
func (r *Report) WriteText(w io.Writer, opt TextOptions) error {
	ew := &text.Writer{W: w}
	diagnosis := r.Diagnosis()
	if diagnosis != "" {
		ew.Printf("%s\n\nThe details:\n\n", capitalize(diagnosis))
	}
	dumped := map[string]string{} // failures and answers shown in full already, and where
	width := 0
	for _, s := range r.Scenarios {
		width = max(width, len(s.Title()))
	}
	width = min(width, 60)
	for _, s := range r.Scenarios {
		label := map[string]string{StatusPassed: "PASS", StatusFailed: "FAIL", StatusSkipped: "SKIP"}[s.Status]
		switch s.Status {
		case StatusSkipped:
			ew.Printf("%s  %-*s  %s\n", label, width, s.Title(), s.SkipReason)
			continue
		default:
			ew.Printf("%s  %-*s  %s, %s\n", label, width, s.Title(), plural.Of(len(s.Steps), "step"), round(s.Duration))
		}
		if s.Status == StatusFailed && s.Description != "" {
			ew.Printf("       %s\n", s.Description)
		}
		if s.Delivery != "" && (opt.Steps || s.Status == StatusFailed) {
			ew.Printf("       delivered under %s\n", s.Delivery)
		}
		for _, st := range s.Steps {
			if !opt.Steps && st.Status != StatusFailed {
				continue
			}
			writeStep(ew, &s, &st, dumped)
		}
	}
	if c := r.Control; c != nil {
		switch {
		case c.Status == StatusPassed:
			ew.Printf("\nNo scenario had a webhook acknowledged, so the run sent a control of its own to show that its refusals mean something:\n")
		case !c.refusedOrUnanswered():
			ew.Printf("\nNo scenario had a webhook acknowledged, so the run sent a control of its own; it was answered, not acknowledged, but not refused either, so the refusals stand:\n")
		default:
			ew.Printf("\nNo scenario had a webhook acknowledged, so the run sent a control of its own; it was not acknowledged either, so no refusal counts:\n")
		}
		label := map[string]string{StatusPassed: "PASS", StatusFailed: "FAIL", StatusSkipped: "SKIP"}[c.Status]
		ew.Printf("%s  %s  %s, %s\n", label, c.Title(), plural.Of(len(c.Steps), "step"), round(c.Duration))
		for _, st := range c.Steps {
			if opt.Steps || st.Status == StatusFailed {
				writeStep(ew, c, &st, dumped)
			}
		}
	}
	if diagnosis != "" {
		ew.Printf("\n%s\n", capitalize(diagnosis))
	}
	if r.Trend.Rising() && !strings.HasPrefix(diagnosis, "latency rose") {
		ew.Printf("\n%s.\n", capitalize(trendText(r.Trend)))
	}
	for _, s := range r.Scenarios {
		if s.Delivery != "" && s.Status != StatusSkipped {
			ew.Printf("\nScenarios delivered under conditions follow the seed's schedule; the order their answers arrive in may vary.\n")
			break
		}
	}
	ew.Printf("\n%d passed, %d failed, %d skipped\n", r.Passed, r.Failed, r.Skipped)
	ew.Printf("%s in %s, seed %d (repeat with --seed %d)\n", plural.Of(r.Requests, "request"), round(r.Duration), r.Seed, r.Seed)
	return ew.Err
}

// writeStep writes a step's line and, for a failed one, what was sent and what came back. When
// dumped is not nil, a step that failed as one before it did is written in a line that points at
// the first, and a step whose answers were all written already says so instead of writing its
// requests: a dead port or a missing token answers every request alike, and one dump says it.
func writeStep(ew *text.Writer, s *ScenarioResult, st *StepResult, dumped map[string]string) {
	name := st.Action
	if st.Name != "" {
		name += " " + fmt.Sprintf("%q", st.Name)
	}
	where := fmt.Sprintf("%s:%d", s.File, st.Line)
	switch st.Status {
	case StatusSkipped:
		ew.Printf("      %2d %-14s  not run (%s)\n", st.Index, name, where)
		return
	case StatusPassed:
		extra := ""
		if st.Sent > 1 {
			extra = fmt.Sprintf(", %s, slowest", plural.Of(st.Sent, "request"))
		} else if len(st.Exchanges) == 1 && st.Exchanges[0].Command != "" && refused(st.Exchanges[0]) {
			// A refusal that was due reads as one, not as a plain "ok" that looks like an acknowledgement.
			extra = fmt.Sprintf(", refused as expected (HTTP %d)", st.Exchanges[0].Status)
		}
		ew.Printf("      %2d %-14s  ok%s %s\n", st.Index, name, extra, round(st.Latency))
		return
	}
	answers := make([]string, len(st.Exchanges))
	allSeen := dumped != nil && len(answers) > 0
	for i, x := range st.Exchanges {
		answers[i] = fmt.Sprintf("%d %s", x.Status, clip(x.ResponseBody, 2000))
		if x.Status == 0 {
			answers[i] = "nothing: " + x.Error
		}
		_, seen := dumped[answers[i]]
		allSeen = allSeen && seen
	}
	failure := st.Failure + "\x00" + strings.Join(answers, "\x00")
	if first, again := dumped[failure]; again {
		ew.Printf("      %2d %-14s  FAILED at %s, the same way as %s above\n", st.Index, name, where, first)
		return
	}
	here := fmt.Sprintf("step %d of %q", st.Index, s.Title())
	ew.Printf("      %2d %-14s  FAILED at %s\n", st.Index, name, where)
	ew.Printf("         %s\n", st.Failure)
	if dumped != nil {
		dumped[failure] = here
	}
	if allSeen {
		ew.Printf("         answered: the same as %s above\n", dumped[answers[0]])
		return
	}
	for i, x := range st.Exchanges {
		if _, seen := dumped[answers[i]]; !seen && dumped != nil {
			dumped[answers[i]] = here
		}
		ew.Printf("         sent:     %s %s\n", x.Method, x.URL)
		if x.RequestBody != "" {
			ew.Printf("                   %s\n", clip(x.RequestBody, 2000))
		}
		verb := "in"
		if x.Status == 0 {
			verb = "after"
		}
		ew.Printf("         answered: %s (%s %s)\n", answers[i], verb, round(x.Latency))
	}
}

// WriteJUnit writes the report as JUnit XML: a test suite per file, a test case per scenario.
func (r *Report) WriteJUnit(w io.Writer) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	type skipped struct {
		Message string `xml:"message,attr"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Time      string   `xml:"time,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		Skipped   *skipped `xml:"skipped,omitempty"`
	}
	type testsuite struct {
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Time     string     `xml:"time,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName  xml.Name    `xml:"testsuites"`
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Skipped  int         `xml:"skipped,attr"`
		Time     string      `xml:"time,attr"`
		Suites   []testsuite `xml:"testsuite"`
	}
	secs := func(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
	out := testsuites{Name: "livehook", Tests: len(r.Scenarios), Failures: r.Failed, Skipped: r.Skipped, Time: secs(r.Duration)}
	index := map[string]int{}
	var suiteTime []time.Duration
	for _, s := range r.Scenarios {
		i, ok := index[s.File]
		if !ok {
			i = len(out.Suites)
			index[s.File] = i
			out.Suites = append(out.Suites, testsuite{Name: s.File})
			suiteTime = append(suiteTime, 0)
		}
		tc := testcase{Name: s.Title(), Classname: s.File, Time: secs(s.Duration)}
		suite := &out.Suites[i]
		suite.Tests++
		suiteTime[i] += s.Duration
		suite.Time = secs(suiteTime[i])
		switch s.Status {
		case StatusFailed:
			suite.Failures++
			tc.Failure = &failure{Message: s.Failure, Type: "expectation", Text: s.Explain()}
		case StatusSkipped:
			suite.Skipped++
			tc.Skipped = &skipped{Message: s.SkipReason}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// round shortens a duration for people: 1.234ms, 12.3ms, 1.23s.
func round(d time.Duration) string { return human.Duration(d) }

// capitalize starts a sentence.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		return s[:n] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}

// refused reports whether a webhook's answer was a refusal: a status other than 200, or FAIL or
// a non-zero ErrorCode in the body.
func refused(x Exchange) bool {
	if x.Status == 0 {
		return false
	}
	return webhook.CheckResponse(x.Status, []byte(x.ResponseBody)).Refusal()
}
