package runner

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"sync"
	"time"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// Config says where and how to run scenarios.
type Config struct {
	// Endpoint is the app backend's callback URL, SDKAppID and token.
	Endpoint webhook.Endpoint
	// Timeout is each webhook's deadline (webhook.DefaultTimeout unless set).
	Timeout time.Duration
	// Seed makes the generated values; the same seed sends the same rooms.
	Seed int64
	// Parallel is how many scenarios run at once (1 unless set); each one's steps run in order.
	Parallel int
	// Tags, when set, select the scenarios with any of them; "!tag" leaves those with tag out.
	Tags []string
	// FailFast starts no scenario after one has failed.
	FailFast bool
	// Client delivers the webhooks; one with Timeout is made unless set.
	Client *sender.Client
	// HTTPClient makes the check steps' requests; one is made unless set.
	HTTPClient *http.Client
	// Observe, when set, is called with every request and answer as it completes (for -v).
	// It may be called from several goroutines at once under Parallel.
	Observe func(scenario string, step int, x report.Exchange)
	// OnStep, when set, is called as each step starts, from the scenario's goroutine.
	OnStep func(scenario string, index int, st *scenarios.Step)
	// Now is the clock of EventTime, CreateTime, RequestTime and ${now}; time.Now unless set.
	Now func() time.Time

	trend *trendRecorder // Run's, for the report's report.Trend
}

// prepare checks the configuration and fills in its defaults.
func (cfg *Config) prepare() error {
	if err := cfg.Endpoint.Validate(); err != nil {
		return err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = webhook.DefaultTimeout
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultParallel
	}
	if cfg.Client == nil {
		cfg.Client = sender.NewClient(sender.WithTimeout(cfg.Timeout))
	}
	if cfg.HTTPClient == nil {
		// Each check has its own deadline, and a redirect is an answer, not a detour.
		cfg.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return nil
}

// DefaultParallel is how many scenarios run at once unless told otherwise.
const DefaultParallel = 1

// RunScenario runs one scenario once, as Run does for each, and reports it. Use it to run
// scenarios under another test runner (see package suite).
func RunScenario(ctx context.Context, sc *scenarios.Scenario, cfg Config) (*report.ScenarioResult, error) {
	if err := cfg.prepare(); err != nil {
		return nil, err
	}
	return runScenario(ctx, &cfg, sc, 0), nil
}

// Run runs the scenarios of files against cfg.Endpoint and reports each one. Failures of the
// app backend are in the report, not in the error, which is for a configuration that cannot run.
// Canceling ctx stops the run; the report then says which scenarios did not finish.
func Run(ctx context.Context, files []*scenarios.File, cfg Config) (*report.Report, error) {
	if err := scenarios.CheckNames(files); err != nil {
		return nil, err
	}
	if err := cfg.prepare(); err != nil {
		return nil, err
	}
	selected := scenarios.Selected(files, cfg.Tags)
	cfg.trend = &trendRecorder{}
	rep := &report.Report{
		Target: cfg.Endpoint.URL, SDKAppID: cfg.Endpoint.SDKAppID, Token: cfg.Endpoint.Token != "",
		Seed: cfg.Seed, Timeout: cfg.Timeout, Parallel: cfg.Parallel, Started: time.Now(),
	}
	for _, f := range files {
		rep.Files = append(rep.Files, f.Path)
		rep.Deselected += len(f.Scenarios)
	}
	rep.Deselected -= len(selected)
	// A scenario that repeats runs as several, one per iteration. Runs are made as the workers
	// take them, so that the first goes at once however many the files ask for.
	type job struct {
		sc    *scenarios.Scenario
		iter  int
		index int
	}
	total := 0
	for _, s := range selected {
		total += max(s.Repeat, 1)
	}
	results := make([]*report.ScenarioResult, total)
	var (
		mu     sync.Mutex
		failed bool
		wg     sync.WaitGroup
		queue  = make(chan job)
	)
	for range min(cfg.Parallel, max(total, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				mu.Lock()
				stop := cfg.FailFast && failed
				mu.Unlock()
				if stop {
					results[j.index] = notRun(j.sc, j.iter, "not run: an earlier scenario failed and --fail-fast is set")
					continue
				}
				res := runScenario(ctx, &cfg, j.sc, j.iter)
				results[j.index] = res
				if res.Status == report.StatusFailed {
					mu.Lock()
					failed = true
					mu.Unlock()
				}
			}
		}()
	}
	index := 0
	for _, s := range selected {
		n := max(s.Repeat, 1)
		for i := 1; i <= n; i++ {
			it := 0
			if n > 1 {
				it = i
			}
			queue <- job{sc: s, iter: it, index: index}
			index++
		}
	}
	close(queue)
	wg.Wait()
	if ctl := control(ctx, &cfg, results); ctl != nil {
		rep.Control = ctl
		for _, st := range ctl.Steps {
			rep.Requests += st.Sent
		}
	}
	for _, r := range results {
		rep.Add(*r)
	}
	rep.Trend = cfg.trend.trend()
	rep.Duration = time.Since(rep.Started)
	return rep, nil
}

func notRun(sc *scenarios.Scenario, iter int, why string) *report.ScenarioResult {
	r := newScenarioResult(sc, iter)
	r.Status, r.SkipReason = report.StatusSkipped, why
	return r
}

func newScenarioResult(sc *scenarios.Scenario, iter int) *report.ScenarioResult {
	return &report.ScenarioResult{Name: sc.Name, Description: sc.Description, Tags: sc.Tags, File: sc.Pos.File, Line: sc.Pos.Line, Iteration: iter}
}

// scenarioSeed derives a scenario's own seed from the run's, so that a scenario sends the same
// values whatever runs beside it.
func scenarioSeed(seed int64, name string, iter int) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%d", seed, name, iter)
	return int64(h.Sum64() >> 1)
}

// execution is one run of one scenario.
type execution struct {
	cfg   *Config
	sc    *scenarios.Scenario
	seed  int64
	gen   *generator.Generator
	rooms map[string]*liveRoom
	last  *liveRoom
	// cond are the scenario's delivery conditions; under them, webhook steps go in batches.
	cond    delivery.Conditions
	batch   *batch
	batches int
}

func runScenario(ctx context.Context, cfg *Config, sc *scenarios.Scenario, iter int) *report.ScenarioResult {
	res := newScenarioResult(sc, iter)
	if cfg.Endpoint.Token == "" {
		if sc.Delivery != nil && sc.Delivery.Skew != 0 {
			return notRun(sc, iter, fmt.Sprintf("needs a callback token (--token): its delivery skews RequestTime (%s)", delivery.Conditions{Skew: time.Duration(sc.Delivery.Skew)}))
		}
		for i, st := range sc.Steps {
			if p := st.Probe(); p != nil && needsToken(p.Sign) {
				return notRun(sc, iter, fmt.Sprintf("needs a callback token (--token): step %d uses sign: %s", i+1, p.Sign))
			}
		}
	}
	seed := scenarioSeed(cfg.Seed, sc.Name, iter)
	x := &execution{
		cfg: cfg, sc: sc, seed: seed, rooms: map[string]*liveRoom{},
		gen: generator.New(seed, generator.WithRoomPrefix(fmt.Sprintf("lh_%x_", uint32(seed)))),
	}
	x.cond = sc.Delivery.Conditions()
	if !x.cond.IsZero() {
		res.Delivery = x.cond.String()
	}
	start := time.Now()
	steps := make([]*report.StepResult, len(sc.Steps))
	// failed is the first failing step, found after each step and after each batch delivered.
	failed := func() *report.StepResult {
		for _, sr := range steps {
			if sr != nil && sr.Status == report.StatusFailed {
				return sr
			}
		}
		return nil
	}
	for i, st := range sc.Steps {
		sr := &report.StepResult{Index: i + 1, Action: st.Action(), Name: st.Name, Line: st.Pos.Line}
		steps[i] = sr
		if failed() != nil || ctx.Err() != nil {
			sr.Status = report.StatusSkipped
			continue
		}
		if cfg.OnStep != nil {
			cfg.OnStep(sc.Name, i+1, st)
		}
		x.step(ctx, st, sr)
	}
	x.flush(ctx)
	res.Status = report.StatusPassed
	for _, sr := range steps {
		if sr.Status == "" {
			sr.Status = report.StatusPassed
		}
		res.Steps = append(res.Steps, *sr)
	}
	if sr := failed(); sr != nil {
		res.Status = report.StatusFailed
		res.Failure = fmt.Sprintf("step %d (%s, %s:%d): %s", sr.Index, sr.Action, sc.Pos.File, sr.Line, sr.Failure)
	}
	if ctx.Err() != nil && res.Status == report.StatusPassed {
		res.Status, res.SkipReason = report.StatusSkipped, "interrupted"
	}
	res.Duration = time.Since(start)
	return res
}

// step runs one step and fills in its result.
func (x *execution) step(ctx context.Context, orig *scenarios.Step, sr *report.StepResult) {
	st, err := x.expand(orig)
	if err != nil {
		fail(sr, "%s", err)
		return
	}
	start := time.Now()
	x.act(ctx, st, sr)
	if sr.Latency == 0 && x.cond.IsZero() {
		sr.Latency = time.Since(start)
	}
}

// now is the scenario's clock: the configuration's, or the wall clock.
func (x *execution) now() time.Time {
	if x.cfg.Now != nil {
		return x.cfg.Now()
	}
	return time.Now()
}

// room is the room a step names: the last one created for "".
func (x *execution) room(name string) (*liveRoom, error) {
	if name == "" {
		if x.last == nil {
			return nil, fmt.Errorf("no room is created before this step")
		}
		return x.last, nil
	}
	r := x.rooms[name]
	if r == nil {
		return nil, fmt.Errorf("room %q was not created", name)
	}
	return r, nil
}

// liveRoom is a room a scenario created: the room model, and its info as JSON for ${ROOM.FIELD}.
type liveRoom struct {
	*room.Room
	fields map[string]any
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func deref[T any](v *T, def T) T {
	if v == nil {
		return def
	}
	return *v
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// needsToken reports whether a sign: only makes sense with a callback token.
func needsToken(s scenarios.Signing) bool { return s != "" && s != "valid" }
