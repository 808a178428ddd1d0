// Package suite registers the Live webhook contract, or any scenario files, as Ginkgo specs in
// the caller's suite, with Gomega matchers for deliveries (they judge a webhook.Result, or a
// mockserver.Delivery by the webhook.Result it keeps) and access to the mock Live backend.
//
// Five lines in a suite of your own:
//
//	var _ = suite.Register(suite.Config{
//		Handler:  myapp.NewRouter(), // or Target: "https://staging.example.com/live/webhook"
//		Path:     "/live/webhook",
//		SDKAppID: 1400000001,
//		Token:    os.Getenv("LIVE_CALLBACK_TOKEN"),
//	})
package suite

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/scenarios/runner"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// Environment variables FromEnv reads.
const (
	EnvTarget   = "LIVEHOOK_TARGET"
	EnvSDKAppID = "LIVEHOOK_SDKAPPID"
	EnvToken    = "LIVEHOOK_TOKEN"
	EnvSeed     = "LIVEHOOK_SEED"
)

// Config says what the specs test and how.
type Config struct {
	// Target is the webhook endpoint's URL. Set Target or Handler.
	Target string
	// Handler is your own handler, served on loopback for each spec and closed after it.
	Handler http.Handler
	// Path is where Handler takes webhooks ("/live/webhook", say); "/" unless set.
	Path string
	// SDKAppID is the app's (webhook.DefaultSDKAppID unless set).
	SDKAppID uint64
	// Token is the callback token; without it the Sign specs are skipped.
	Token string
	// Seed makes the generated values; Ginkgo's random seed unless set.
	Seed int64
	// Timeout is each webhook's deadline (webhook.DefaultTimeout unless set).
	Timeout time.Duration
	// Files are scenario files to register; the built-in contract when none.
	Files []string
	// Vars give the files' vars: other values (scenarios.WithVars), as --var does for livehook run.
	Vars map[string]string
	// Text is the container's text ("Live webhook contract" unless set).
	Text string
	// Labels are added to every spec, beside each scenario's tags.
	Labels []string

	targetFromEnv bool // FromEnv took Target from LIVEHOOK_TARGET
}

// FromEnv returns cfg with Target, SDKAppID, Token and Seed taken from LIVEHOOK_TARGET,
// LIVEHOOK_SDKAPPID, LIVEHOOK_TOKEN and LIVEHOOK_SEED where they are set: a set target replaces
// cfg's Handler, and takes its token from LIVEHOOK_TOKEN alone (cfg's token is for cfg's
// handler, not for someone else's endpoint): without LIVEHOOK_TOKEN the Sign specs are skipped,
// saying so. LIVEHOOK_VAR_name sets Vars[name] (scenarios.EnvVarPrefix). Malformed values are
// reported by the specs.
func FromEnv(cfg Config) (Config, error) { return fromEnviron(cfg, os.Environ()) }

// fromEnviron is FromEnv reading environ (as os.Environ gives it) rather than the process's
// environment, so that livehook's own tests never depend on what the shell holds.
func fromEnviron(cfg Config, environ []string) (Config, error) {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			if _, seen := env[k]; !seen { // the first, as os.Getenv takes it
				env[k] = v
			}
		}
	}
	var errs []error
	if vars := scenarios.VarsFromEnv(environ); len(vars) > 0 {
		merged := maps.Clone(cfg.Vars)
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, vars)
		cfg.Vars = merged
	}
	if t := env[EnvTarget]; t != "" {
		cfg.Target, cfg.Handler, cfg.Token = t, nil, ""
		cfg.targetFromEnv = true
	}
	if v := env[EnvSDKAppID]; v != "" {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want the app's SDKAppID, a number", EnvSDKAppID, v))
		}
		cfg.SDKAppID = id
	}
	if v, ok := env[EnvToken]; ok {
		cfg.Token = v
	}
	if v := env[EnvSeed]; v != "" {
		seed, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want a number", EnvSeed, v))
		}
		cfg.Seed = seed
	}
	return cfg, errors.Join(errs...)
}

// Register adds a container with one spec per scenario (one per iteration of a scenario that
// repeats): the steps show as By lines, the tags as labels, so --label-filter and --focus work.
// Call it at the top level of a test file: var _ = suite.Register(cfg).
func Register(cfg Config) bool {
	// The caller's line: a failing spec points there, not into this package or Ginkgo.
	at := types.NewCodeLocation(1)
	text := cfg.Text
	if text == "" {
		text = "Live webhook contract"
	}
	files, err := readFiles(cfg.Files, scenarios.WithVars(cfg.Vars))
	if err == nil && cfg.Target == "" && cfg.Handler == nil {
		err = errors.New("suite: set Config.Target (a URL) or Config.Handler (your handler)")
	}
	if err == nil && cfg.Target != "" && cfg.Handler != nil {
		err = errors.New("suite: set Config.Target or Config.Handler, not both")
	}
	ctl := &controlOnce{}
	return ginkgo.Describe(text, at, ginkgo.Label(cfg.Labels...), func() {
		if err != nil {
			ginkgo.It("reads its configuration", at, func() { failAt(at, err.Error()) })
			return
		}
		for _, f := range files {
			for _, sc := range f.Scenarios {
				for iter := range max(sc.Repeat, 1) {
					name := sc.Name
					if sc.Repeat > 1 {
						name = fmt.Sprintf("%s #%d", sc.Name, iter+1)
					}
					ginkgo.It(name, at, ginkgo.Label(sc.Tags...), func(ctx ginkgo.SpecContext) {
						runSpec(ctx, cfg, sc, at, ctl)
					})
				}
			}
		}
	})
}

func readFiles(paths []string, opts ...scenarios.ParseOption) ([]*scenarios.File, error) {
	if len(paths) == 0 {
		f, err := scenarios.ReadContract(opts...)
		return []*scenarios.File{f}, err
	}
	var files []*scenarios.File
	for _, p := range paths {
		f, err := scenarios.ReadFile(p, opts...)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, scenarios.CheckNames(files)
}

// runSpec runs one scenario inside a spec. at is the user's Register call, and every location
// Ginkgo prints for a failing spec points there: its header, "[FAILED] in ... -", "In ... at:"
// and the summary. ginkgo.Fail takes the last two from the stack, where no frame of the user's
// is when a spec runs; the one public way to fail with a location of one's own is a
// DeferCleanup given that location whose callback returns the failure, so a failing scenario
// fails that way, and Ginkgo names the failing node "DeferCleanup (Each)".
func runSpec(ctx context.Context, cfg Config, sc *scenarios.Scenario, at types.CodeLocation, ctl *controlOnce) {
	ginkgo.GinkgoHelper()
	target := cfg.Target
	if cfg.Handler != nil {
		srv := httptest.NewServer(cfg.Handler)
		ginkgo.DeferCleanup(srv.Close)
		target = srv.URL + "/" + strings.TrimPrefix(cfg.Path, "/")
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = ginkgo.GinkgoRandomSeed()
	}
	appID := cfg.SDKAppID
	if appID == 0 {
		appID = webhook.DefaultSDKAppID
	}
	run := runner.Config{
		Endpoint: webhook.Endpoint{URL: target, SDKAppID: appID, Token: cfg.Token},
		Timeout:  cfg.Timeout, Seed: seed,
		OnStep: func(_ string, i int, st *scenarios.Step) {
			ginkgo.By(fmt.Sprintf("step %d: %s (%s)", i, st.Action(), st.Pos))
		},
	}
	res, err := runner.RunScenario(ctx, sc, run)
	registered := fmt.Sprintf("\n\nscenario %q (%s), registered at %s", sc.Name, sc.Pos, at)
	if err != nil {
		failAt(at, fmt.Sprintf("the scenario cannot run: %v", err)+registered)
		return
	}
	if res.RestsOnRefusals() && res.Acknowledged() == 0 {
		// A refusal counts only beside an acknowledgement (see runner.Control).
		run.OnStep = nil
		if c := ctl.get(ctx, run); c.Discredits() {
			res.Discredit(c)
		}
	}
	switch res.Status {
	case report.StatusSkipped:
		reason := res.SkipReason
		if cfg.targetFromEnv && cfg.Token == "" { // the only reason RunScenario skips: no token
			reason += fmt.Sprintf(" (%s is set without %s: set it to the app's callback token to run this spec)", EnvTarget, EnvToken)
		}
		ginkgo.Skip(reason)
	case report.StatusFailed:
		failAt(at, "scenario failed: "+res.Failure+"\n\n"+res.Explain()+registered)
	}
}

// controlOnce sends the control of a Register call once, for the first spec that needs it.
type controlOnce struct {
	mu  sync.Mutex
	res *report.ScenarioResult
}

func (c *controlOnce) get(ctx context.Context, cfg runner.Config) *report.ScenarioResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.res == nil || c.res.Status == report.StatusSkipped {
		res, err := runner.Control(ctx, cfg)
		if err != nil {
			res = &report.ScenarioResult{Name: runner.ControlName, Status: report.StatusSkipped, SkipReason: err.Error()}
		}
		c.res = res
	}
	return c.res
}

// failAt fails the current spec at the location at (see runSpec), when its node returns.
func failAt(at types.CodeLocation, msg string) {
	failure := errors.New(msg)
	ginkgo.DeferCleanup(func() error { return failure }, at)
}

// StartMock starts a mock Live backend for the current spec and closes it when the spec ends,
// after delivering every webhook it fired. Call it in a spec or a setup node.
func StartMock(cfg mockserver.Config) *mockserver.Server {
	ginkgo.GinkgoHelper()
	if cfg.SDKAppID == 0 {
		cfg.SDKAppID = webhook.DefaultSDKAppID
	}
	s, err := mockserver.NewServer(cfg)
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	ginkgo.DeferCleanup(s.Close)
	return s
}

// Deliver sends one event to the endpoint and returns what became of it, for matchers such as
// BeAcknowledged. meta gives ClientIP and OptPlatform for create and destroy.
func Deliver(ctx context.Context, e webhook.Endpoint, ev webhook.Event, meta webhook.Meta) webhook.Result {
	return client.Send(ctx, e, webhook.Message{Event: ev, Meta: meta}, webhook.URLOptions{})
}

var client = sender.NewClient()
