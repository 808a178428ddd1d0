package scenarios

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/room"
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
	OnStep func(scenario string, index int, st *Step)
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

// RunScenario runs one scenario once, as Run does for each, and reports it. Use it to run
// scenarios under another test runner (see package suite).
func RunScenario(ctx context.Context, sc *Scenario, cfg Config) (*report.ScenarioResult, error) {
	if err := cfg.prepare(); err != nil {
		return nil, err
	}
	return runScenario(ctx, &cfg, sc, 0), nil
}

// DefaultParallel is how many scenarios run at once unless told otherwise.
const DefaultParallel = 1

// Selected returns the scenarios of the files that the tags select, in order.
func Selected(files []*File, tags []string) []*Scenario {
	var out []*Scenario
	for _, f := range files {
		for _, s := range f.Scenarios {
			if selects(tags, s.Tags) {
				out = append(out, s)
			}
		}
	}
	return out
}

// CheckTags returns an error naming each tag of a --tags filter (tag or !tag) that no scenario
// of the files has, with the closest tag and the list of those they have, so that a misspelt
// tag neither selects nothing nor is silently ignored beside others.
func CheckTags(files []*File, filter []string) error {
	known := map[string]bool{}
	for _, f := range files {
		for _, s := range f.Scenarios {
			for _, t := range s.Tags {
				known[t] = true
			}
		}
	}
	names := slices.Sorted(maps.Keys(known))
	list := "the scenarios have no tags"
	if len(names) > 0 {
		list = "the scenarios' tags: " + strings.Join(names, ", ")
	}
	var unknown []string
	for _, t := range filter {
		if name := strings.TrimPrefix(t, "!"); !known[name] {
			unknown = append(unknown, strconv.Quote(name)+text.Suggest(name, names))
		}
	}
	switch len(unknown) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("no scenario has the tag %s; %s", unknown[0], list)
	}
	return fmt.Errorf("no scenario has the tags %s; %s", strings.Join(unknown, ", "), list)
}

func selects(filter, tags []string) bool {
	include := false
	for _, t := range filter {
		if name, neg := strings.CutPrefix(t, "!"); neg {
			if slices.Contains(tags, name) {
				return false
			}
		} else {
			include = true
		}
	}
	if !include {
		return true
	}
	for _, t := range filter {
		if slices.Contains(tags, t) {
			return true
		}
	}
	return false
}

// CheckNames reports scenario names used in more than one file.
func CheckNames(files []*File) error {
	seen := map[string]Pos{}
	var errs []error
	for _, f := range files {
		for _, s := range f.Scenarios {
			if first, dup := seen[s.Name]; dup {
				errs = append(errs, &Error{Pos: s.Pos, Scenario: s.Name, Msg: fmt.Sprintf("the name is used in %s too: names must be unique across the files of a run", first)})
				continue
			}
			seen[s.Name] = s.Pos
		}
	}
	return errors.Join(errs...)
}

// Run runs the scenarios of files against cfg.Endpoint and reports each one. Failures of the
// app backend are in the report, not in the error, which is for a configuration that cannot run.
// Canceling ctx stops the run; the report then says which scenarios did not finish.
func Run(ctx context.Context, files []*File, cfg Config) (*report.Report, error) {
	if err := CheckNames(files); err != nil {
		return nil, err
	}
	if err := cfg.prepare(); err != nil {
		return nil, err
	}
	selected := Selected(files, cfg.Tags)
	cfg.trend = &trendRecorder{}
	rep := &report.Report{
		Target: cfg.Endpoint.URL, SDKAppID: cfg.Endpoint.SDKAppID, Token: cfg.Endpoint.Token != "",
		Seed: cfg.Seed, Timeout: cfg.Timeout, Parallel: cfg.Parallel, Started: time.Now(),
	}
	for _, f := range files {
		rep.Files = append(rep.Files, f.Path)
		for _, s := range f.Scenarios {
			if !selects(cfg.Tags, s.Tags) {
				rep.Deselected++
			}
		}
	}
	// A scenario that repeats runs as several, one per iteration. Runs are made as the workers
	// take them, so that the first goes at once however many the files ask for.
	type job struct {
		sc    *Scenario
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

func notRun(sc *Scenario, iter int, why string) *report.ScenarioResult {
	r := newScenarioResult(sc, iter)
	r.Status, r.SkipReason = report.StatusSkipped, why
	return r
}

func newScenarioResult(sc *Scenario, iter int) *report.ScenarioResult {
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
	sc    *Scenario
	seed  int64
	gen   *generator.Generator
	rooms map[string]*liveRoom
	last  *liveRoom
	// cond are the scenario's delivery conditions; under them, webhook steps go in batches.
	cond    delivery.Conditions
	batch   *batch
	batches int
}

func runScenario(ctx context.Context, cfg *Config, sc *Scenario, iter int) *report.ScenarioResult {
	res := newScenarioResult(sc, iter)
	if cfg.Endpoint.Token == "" {
		if sc.Delivery != nil && sc.Delivery.Skew != 0 {
			return notRun(sc, iter, fmt.Sprintf("needs a callback token (--token): its delivery skews RequestTime by %s", delivery.FormatSkew(time.Duration(sc.Delivery.Skew))))
		}
		for i, st := range sc.Steps {
			if p := st.probe(); p != nil && p.Sign.needsToken() {
				return notRun(sc, iter, fmt.Sprintf("needs a callback token (--token): step %d uses sign: %s", i+1, p.Sign))
			}
		}
	}
	seed := scenarioSeed(cfg.Seed, sc.Name, iter)
	x := &execution{
		cfg: cfg, sc: sc, seed: seed, rooms: map[string]*liveRoom{},
		gen: generator.New(seed, generator.WithRoomPrefix(fmt.Sprintf("lh_%x_", uint32(seed)))),
	}
	x.cond = sc.Delivery.conditions()
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
func (x *execution) step(ctx context.Context, orig *Step, sr *report.StepResult) {
	st, err := x.expand(orig)
	if err != nil {
		fail(sr, "%s", err)
		return
	}
	start := time.Now()
	_, act := st.action()
	act.run(ctx, x, st, sr)
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
