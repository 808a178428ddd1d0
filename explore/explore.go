// Package explore looks for what a webhook receiver gets wrong that nobody wrote a scenario
// for, as property-based API testing does: it draws valid webhook sequences from the whole
// documented value space (lengths at their limits, every character a field allows, counts up to
// theirs, optional fields present and absent, rooms created again after their destroy, every
// delivery condition) and, with a token, authentication that is nearly right; and it shrinks
// every failure to a minimal case, written as a scenario that `livehook run` reproduces.
//
// Each case is a scenario run by package scenarios, so the explorer holds a receiver to the
// contract's own rules: the same deadline, the same acknowledgement (webhook.CheckResponse), and
// a refusal that counts only beside an acknowledgement (runner.Control). A correct receiver
// is never failed.
package explore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/scenarios/runner"
	"github.com/livehook/livehook/webhook"
)

// Defaults of a Config.
const (
	// DefaultBudget is how many requests an exploration sends unless told otherwise.
	DefaultBudget = 1000
	// DefaultShrinkRuns bounds the candidate cases run to shrink one finding.
	DefaultShrinkRuns = 200
	// DefaultShrinkParallel is how many shrink candidates run at once.
	DefaultShrinkParallel = 8
	// DefaultMaxFindings is how many distinct findings end an exploration early.
	DefaultMaxFindings = 5
)

// Config says what to explore and for how long.
type Config struct {
	// Endpoint is the receiver's callback URL, SDKAppID and token. With a token, near-miss
	// authentication is drawn too, and RequestTime is skewed within the 60 s window.
	Endpoint webhook.Endpoint
	// Seed makes the exploration: the same seed draws the same cases (and so sends the same
	// webhooks, with the clock's times).
	Seed int64
	// Budget bounds the requests of the exploration, shrinking apart (DefaultBudget unless set).
	Budget int
	// Duration, when set, bounds the whole exploration's wall time, shrinking included.
	Duration time.Duration
	// Timeout is each webhook's deadline (webhook.DefaultTimeout unless set).
	Timeout time.Duration
	// ShrinkRuns bounds the candidates run to shrink each finding (DefaultShrinkRuns unless set).
	ShrinkRuns int
	// ShrinkParallel is how many candidates of a shrink run at once (DefaultShrinkParallel
	// unless set). Only a failing target is shrunk against, so a correct one never sees them.
	ShrinkParallel int
	// MaxFindings ends the exploration after this many distinct findings (DefaultMaxFindings
	// unless set).
	MaxFindings int
	// Insecure accepts any TLS certificate from an https target (self-signed test deployments).
	Insecure bool
	// Client delivers the webhooks; one with Timeout (and Insecure) is made unless set.
	Client *Client
	// Progress, when set, is called after each case run, from the exploring goroutine.
	Progress func(Progress)
}

// Progress is how far an exploration has come.
type Progress struct {
	Cases, Requests, Budget, Findings int
	// Shrinking is set while a finding is being shrunk; ShrinkRuns counts its candidates so far.
	Shrinking  bool
	ShrinkRuns int
	Elapsed    time.Duration
}

// Result is what an exploration found.
type Result struct {
	Target   string
	SDKAppID uint64
	Token    bool
	Seed     int64
	Budget   int
	// Cases counts the cases drawn and run; Requests their requests, ShrinkRequests those of
	// shrinking.
	Cases, Requests, ShrinkRequests int
	// Acknowledged counts the webhooks the target acknowledged while exploring.
	Acknowledged int
	// Stopped says why the exploration ended: "budget", "duration", "findings" or "interrupted".
	Stopped  string
	Duration time.Duration
	Findings []Finding
	// Diagnosis leads the report when one cause explains the findings (report.Report.Diagnosis).
	Diagnosis string
}

// Finding is one failure, shrunk.
type Finding struct {
	// Name is the reproducer scenario's name.
	Name string
	// Case is the number of the case that found it; Seen counts the cases that failed alike.
	Case, Seen int
	// Failure says what failed in the shrunk case, as `livehook run` reports it.
	Failure string
	// Explain is the failing steps with what was sent and what came back.
	Explain string
	// Steps and Webhooks count the shrunk case's steps and webhooks; Original the drawn case's steps.
	Steps, Webhooks, Original int
	// ShrinkRuns counts the candidates run to shrink it.
	ShrinkRuns int
	// Reproduced counts the runs of the shrunk case, with other RoomIds and seeds, that failed
	// alike, of Verified.
	Reproduced, Verified int
	// Scenario is the reproducer: one scenario in YAML, an item of a scenarios: list.
	Scenario string
	// Curl is a curl command per webhook of the reproducer's last run.
	Curl []string

	sig string
	key string
	k   *kase
	run uint64 // the run whose RoomIds the reproducer has
}

// OK reports whether nothing was found.
func (r *Result) OK() bool { return len(r.Findings) == 0 }

// foreignApp is another app's SdkAppid for e's probes.
func foreignApp(e webhook.Endpoint) uint64 {
	if e.SDKAppID == 1400999999 {
		return 1400999998
	}
	return 1400999999
}

// explorer is one exploration.
type explorer struct {
	cfg     Config
	foreign uint64
	res     *Result
	runs    uint64 // run numbers handed out, each run's RoomIds its own
	start   time.Time
}

// Explore draws cases and runs them against cfg.Endpoint until the budget or the duration is
// spent, shrinking each distinct failure. The failures of the target are in the result; the
// error is for a configuration that cannot run, or a defect of livehook's own.
func Explore(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Endpoint.Validate(); err != nil {
		return nil, err
	}
	if cfg.Budget <= 0 {
		cfg.Budget = DefaultBudget
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = webhook.DefaultTimeout
	}
	if cfg.ShrinkRuns <= 0 {
		cfg.ShrinkRuns = DefaultShrinkRuns
	}
	if cfg.ShrinkParallel <= 0 {
		cfg.ShrinkParallel = DefaultShrinkParallel
	}
	if cfg.MaxFindings <= 0 {
		cfg.MaxFindings = DefaultMaxFindings
	}
	if cfg.Client == nil {
		cfg.Client = newClient(cfg.Timeout, cfg.Insecure)
	}
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	x := &explorer{
		cfg: cfg, foreign: foreignApp(cfg.Endpoint), start: time.Now(),
		res: &Result{Target: cfg.Endpoint.URL, SDKAppID: cfg.Endpoint.SDKAppID, Token: cfg.Endpoint.Token != "", Seed: cfg.Seed, Budget: cfg.Budget},
	}
	d := newDrawer(cfg.Seed, cfg.Endpoint.Token != "")
	var lastReport *report.Report
	for {
		if ctx.Err() != nil {
			x.res.Stopped = stopReason(ctx)
			break
		}
		if x.res.Requests >= cfg.Budget {
			x.res.Stopped = "budget"
			break
		}
		if len(x.res.Findings) >= cfg.MaxFindings {
			x.res.Stopped = "findings"
			break
		}
		k := d.draw()
		if !k.valid() {
			return x.res, fmt.Errorf("explore: a drawn case is not a valid sequence (a defect of livehook's own, please report it with --seed %d)", cfg.Seed)
		}
		x.res.Cases++
		o, err := x.try(ctx, k)
		if err != nil {
			return x.res, err
		}
		x.res.Requests += o.requests
		x.res.Acknowledged += o.acknowledged
		x.report(false, 0)
		if !o.failed || ctx.Err() != nil {
			continue
		}
		lastReport = o.rep
		if f := x.seen(o.sig); f != nil {
			f.Seen++
			continue
		}
		f, err := x.shrink(ctx, k, o)
		if err != nil {
			return x.res, err
		}
		f.Case = x.res.Cases
		if g := x.seenKey(f.key); g != nil {
			g.Seen++
			continue
		}
		x.res.Findings = append(x.res.Findings, *f)
	}
	if lastReport != nil && x.res.Acknowledged == 0 {
		x.res.Diagnosis = lastReport.Diagnosis()
	}
	for i := range x.res.Findings {
		f := &x.res.Findings[i]
		f.Name = fmt.Sprintf("explore finding %d (seed %d, case %d)", i+1, cfg.Seed, f.Case)
		f.Scenario = scenarioItem(f.k.render(f.Name, f.description(), f.run, x.foreign))
	}
	x.res.Duration = time.Since(x.start)
	return x.res, nil
}

func stopReason(ctx context.Context) string {
	if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		return "duration"
	}
	return "interrupted"
}

func (x *explorer) seen(sig string) *Finding {
	for i := range x.res.Findings {
		if x.res.Findings[i].sig == sig {
			return &x.res.Findings[i]
		}
	}
	return nil
}

func (x *explorer) seenKey(key string) *Finding {
	for i := range x.res.Findings {
		if x.res.Findings[i].key == key {
			return &x.res.Findings[i]
		}
	}
	return nil
}

func (x *explorer) report(shrinking bool, runs int) {
	if x.cfg.Progress == nil {
		return
	}
	x.cfg.Progress(Progress{
		Cases: x.res.Cases, Requests: x.res.Requests + x.res.ShrinkRequests, Budget: x.cfg.Budget, Findings: len(x.res.Findings),
		Shrinking: shrinking, ShrinkRuns: runs, Elapsed: time.Since(x.start),
	})
}

// outcome is what became of one run of a case.
type outcome struct {
	failed                 bool
	sig                    string // how it failed: the same failure keeps the same signature
	requests, acknowledged int
	rep                    *report.Report
	text                   []byte
	run                    uint64
}

// try runs a case once, with RoomIds and generated values of its own.
func (x *explorer) try(ctx context.Context, k *kase) (*outcome, error) {
	x.runs++
	return x.tryRun(ctx, k, x.runs)
}

// tryRun runs a case as run number run; runs of different numbers may go at once.
func (x *explorer) tryRun(ctx context.Context, k *kase, run uint64) (*outcome, error) {
	text := k.render(caseName, "", run, x.foreign)
	f, err := scenarios.Parse("explore case", bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("explore: a drawn case does not parse (a defect of livehook's own, please report it with --seed %d): %w\n%s", x.cfg.Seed, err, text)
	}
	rep, err := runner.Run(ctx, []*scenarios.File{f}, runner.Config{
		Endpoint: x.cfg.Endpoint, Timeout: x.cfg.Timeout, Client: x.cfg.Client, Seed: runSeed(x.cfg.Seed, run),
	})
	if err != nil {
		return nil, fmt.Errorf("explore: %w", err)
	}
	o := &outcome{rep: rep, requests: rep.Requests, text: text, run: run}
	for _, s := range append(rep.Scenarios, controlOf(rep)...) {
		o.acknowledged += s.Acknowledged()
	}
	if ctx.Err() != nil || rep.Failed == 0 {
		return o, nil
	}
	sc := &rep.Scenarios[0]
	for _, st := range sc.Steps {
		if st.Status == report.StatusFailed && st.Sent == 0 && len(st.Exchanges) == 0 && !strings.HasPrefix(st.Failure, "refused as expected") && !strings.HasPrefix(st.Failure, "not sent") {
			return nil, fmt.Errorf("explore: a drawn case cannot be sent (a defect of livehook's own, please report it with --seed %d): step %d: %s\n%s", x.cfg.Seed, st.Index, st.Failure, text)
		}
	}
	o.failed = true
	o.sig = signature(sc, k.roomIDs(run))
	return o, nil
}

func controlOf(rep *report.Report) []report.ScenarioResult {
	if rep.Control == nil {
		return nil
	}
	return []report.ScenarioResult{*rep.Control}
}

// runSeed is the seed of a case's run: each run generates values of its own, so that a
// failure that holds is not one of the generated values.
func runSeed(seed int64, run uint64) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%d", seed, run)
	return int64(h.Sum64() >> 1)
}

var digits = regexp.MustCompile(`[0-9]+`)

// signature says how a scenario failed, so that a shrunk candidate fails the same way and not
// another: what the failing step wanted, and how it was answered (outcome, status and the
// answer with the run's RoomIds and all numbers taken out).
func signature(sc *report.ScenarioResult, ids []string) string {
	for _, st := range sc.Steps {
		if st.Status != report.StatusFailed {
			continue
		}
		if strings.HasPrefix(st.Failure, "refused as expected") {
			return "discredited"
		}
		want := "acknowledged"
		if strings.Contains(st.Failure, "expected rejected") {
			want = "rejected"
		}
		for _, ex := range st.Exchanges {
			if ex.Command == "" {
				continue
			}
			acked := ex.Outcome != nil && *ex.Outcome == webhook.Acknowledged
			if want == "acknowledged" && acked {
				continue
			}
			if want == "rejected" && !acked {
				continue
			}
			body := withoutRoomIDs(ex.ResponseBody, ids)
			body = digits.ReplaceAllString(strings.TrimSpace(body), "0")
			if len(body) > 120 {
				body = body[:120]
			}
			return fmt.Sprintf("%s/%s/%d/%s", want, ex.Outcome, ex.Status, body)
		}
		return want + "/" + st.Failure
	}
	return "failed"
}

// withoutRoomIDs takes the run's RoomIds out of an answer, as sent and as an answer quotes them
// (in JSON, with or without HTML escapes, or as a Go string: `\"`, `\\`, `\u003c`), so that a
// RoomId of punctuation quoted in an error message does not make each run's failure another.
func withoutRoomIDs(body string, ids []string) string {
	for _, id := range ids {
		if id == "" {
			continue
		}
		forms := []string{id, strings.Trim(strconv.Quote(id), `"`)}
		var b strings.Builder
		enc := json.NewEncoder(&b)
		for _, html := range []bool{true, false} {
			b.Reset()
			enc.SetEscapeHTML(html)
			if enc.Encode(id) == nil {
				forms = append(forms, strings.Trim(strings.TrimSpace(b.String()), `"`))
			}
		}
		// The longest first: a form that holds another is taken out whole.
		slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
		for _, f := range forms {
			body = strings.ReplaceAll(body, f, "")
		}
	}
	return body
}

// scenarioItem cuts a rendered file down to its one scenario, an item of a scenarios: list.
func scenarioItem(file []byte) string {
	s, _ := strings.CutPrefix(string(file), "scenarios:\n")
	return s
}

// description says where the reproducer came from, for its description: field.
func (f *Finding) description() string {
	return fmt.Sprintf("Found by livehook explore in case %d, shrunk from %d steps to %d: %s", f.Case, f.Original, f.Steps, firstLine(f.Failure))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
