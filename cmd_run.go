package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/internal/plural"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/scenarios/runner"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// webhookPath is where the built-in receiver takes webhooks.
const webhookPath = "/webhook"

func (m *Main) runRun(ctx context.Context, args []string) error {
	fs := m.newFlagSet("run", " [FILE...]", `
Fire the webhooks of the scenarios in FILE (the built-in contract, scenarios.yaml, when none is
given) at an app backend, and check that it answers each as expected: by default HTTP 200 with
{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0} within the timeout.
Without --target it starts livehook's reference receiver on loopback and runs against it, which
shows what a passing run looks like.

Examples:
  livehook run
  livehook run --target https://app.example.com/live/webhook --sdkappid 1400000001 --token $TOKEN
  livehook run --tags lifecycle --parallel 4 --junit report.xml my-scenarios.yaml
  livehook run my-scenarios.yaml --var api=https://staging.example.com   # or LIVEHOOK_VAR_api=...`)
	target := fs.String("target", "", "the app backend's callback `URL` (default: a built-in reference receiver)")
	appID := sdkAppIDFlag(fs, "the app's `SDKAppID`, sent as SdkAppid")
	token := fs.String("token", "", "the callback `TOKEN`: requests are signed, and the Sign checks run (skipped without it)")
	seed := fs.Int64("seed", 0, "seed `N` of the generated values; 0 picks one, which is printed so a run can be repeated")
	parallel := fs.Int("parallel", runner.DefaultParallel, "how many scenarios run at once (each one's steps run in order)")
	timeout := fs.Duration("timeout", webhook.DefaultTimeout, fmt.Sprintf("deadline of each webhook's answer, as the Live backend's; at most %v", maxTimeout))
	tags := fs.String("tags", "", "run only scenarios with a tag in this comma-separated `LIST`; !tag leaves tag out")
	failFast := fs.Bool("fail-fast", false, "start no scenario after one has failed")
	jsonOut := fs.String("json", "", "also write the report as JSON to `FILE`")
	junitOut := fs.String("junit", "", "also write the report as JUnit XML to `FILE`, a test case per scenario")
	verbose := fs.Bool("v", false, "print every request and answer")
	steps := fs.Bool("steps", true, "list every step with its latency, not only failing ones")
	insecure := fs.Bool("insecure", false, "accept any TLS certificate from an https target (self-signed test deployments)")
	vars := varFlag(fs)
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if *parallel < 1 {
		return usagef("--parallel is %d: want 1 or more", *parallel)
	}
	if *token == "" && isSet(fs, "token") {
		// --token "$CALLBACK_TOKEN" with the variable unset must not pass with the Sign checks skipped.
		return usagef("--token is empty (is the variable it came from set?): give the callback token, or leave --token out to skip the Sign checks")
	}
	if err := checkTimeout(*timeout); err != nil {
		return err
	}
	if err := errors.Join(checkOutput("--json", *jsonOut), checkOutput("--junit", *junitOut)); err != nil {
		return err
	}
	files, err := m.readScenarioFiles(fs.Args(), vars)
	if err != nil {
		return err
	}
	if err := scenarios.CheckTags(files, splitList(*tags)); err != nil {
		return usagef("--tags: %w", err)
	}
	*seed = generator.PickSeed(*seed)
	cfg := runner.Config{
		Endpoint: webhook.Endpoint{URL: *target, SDKAppID: *appID, Token: *token},
		Timeout:  *timeout, Seed: *seed, Parallel: *parallel, Tags: splitList(*tags), FailFast: *failFast,
	}
	if *insecure {
		cfg.Client = sender.NewClient(sender.WithTimeout(*timeout), sender.WithInsecureTLS())
	}
	note := ""
	if *target == "" {
		if *token == "" {
			// The demo shows the whole contract: the built-in receiver and the run share a token,
			// so the Sign and clock-skew checks run too.
			*token = demoToken
			cfg.Endpoint.Token = demoToken
		}
		srv, err := receiver.NewServer(receiver.Config{SDKAppID: *appID, Token: *token, LogSize: -1})
		if err != nil {
			return &ioError{fmt.Errorf("starting the built-in receiver: %w", err)}
		}
		defer srv.Close()
		cfg.Endpoint.URL = srv.URL + webhookPath
		note = "built-in reference receiver"
		fmt.Fprintf(m.Stdout, "No --target given: running against livehook's built-in reference receiver at %s.\n"+
			"Point --target at your app backend's callback URL to test it.\n\n", cfg.Endpoint.URL)
	}
	if err := cfg.Endpoint.Validate(); err != nil {
		return usagef("--target: %w", err)
	}
	if *verbose {
		var mu sync.Mutex
		cfg.Observe = func(sc string, step int, x report.Exchange) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(m.Stdout, "-> [%s] step %d: %s %s\n", sc, step, x.Method, x.URL)
			if x.RequestBody != "" {
				fmt.Fprintf(m.Stdout, "   %s\n", x.RequestBody)
			}
			if x.Status > 0 {
				fmt.Fprintf(m.Stdout, "<- %d %s (%s)\n", x.Status, strings.TrimSpace(x.ResponseBody), x.Latency.Round(time.Microsecond))
			} else {
				fmt.Fprintf(m.Stdout, "<- no answer: %s (%s)\n", x.Error, x.Latency.Round(time.Microsecond))
			}
		}
	}
	selected := scenarios.Selected(files, cfg.Tags)
	if len(selected) == 0 {
		return usagef("--tags %q selects no scenario", *tags)
	}
	auth := "no token, so the Sign and clock-skew checks are skipped: give --token to run them"
	switch {
	case *target == "" && *token == demoToken:
		auth = "signed with a demo token the built-in receiver shares"
	case *token != "":
		auth = "signed with the token"
	}
	fmt.Fprintf(m.Stdout, "livehook run: %s against %s (SdkAppid %d, %s), seed %d\n\n",
		plural.Of(len(selected), "scenario"), cfg.Endpoint.URL, *appID, auth, *seed)
	rep, err := runner.Run(ctx, files, cfg)
	if err != nil {
		return usagef("%w", err) // Run refuses only configurations, before sending anything
	}
	rep.TargetNote = note
	if err := rep.WriteText(m.Stdout, report.TextOptions{Steps: *steps}); err != nil {
		return &ioError{err}
	}
	if err := writeReport(*jsonOut, rep.WriteJSON); err != nil {
		return err
	}
	if err := writeReport(*junitOut, rep.WriteJUnit); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !rep.OK() {
		return errNotMet
	}
	return nil
}

func writeReport(path string, write func(io.Writer) error) error {
	if path == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return fmt.Errorf("encoding the report: %w", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return &ioError{fmt.Errorf("writing the report: %w", err)}
	}
	return nil
}

// varFlags are the repeatable --var name=value flags, in the order given.
type varFlags struct {
	names []string
	vals  map[string]string
}

// varFlag defines --var on fs.
func varFlag(fs *flag.FlagSet) *varFlags {
	v := &varFlags{vals: map[string]string{}}
	fs.Var(v, "var", "set the variable `name=value` that the files declare under vars: (repeatable; beats "+scenarios.EnvVarPrefix+"name in the environment, which beats the file)")
	return v
}

func (v *varFlags) String() string { return "" }

func (v *varFlags) Set(s string) error {
	name, value, err := scenarios.ParseVar(s)
	if err != nil {
		return err
	}
	if _, dup := v.vals[name]; !dup {
		v.names = append(v.names, name)
	}
	v.vals[name] = value
	return nil
}

// readScenarioFiles reads the named files, or the built-in contract when none is named, with
// the variables of the environment and then of --var in place of the files' own.
func (m *Main) readScenarioFiles(paths []string, vars *varFlags) ([]*scenarios.File, error) {
	opts := []scenarios.ParseOption{scenarios.WithVars(scenarios.VarsFromEnv(os.Environ())), scenarios.WithVars(vars.vals)}
	if len(paths) == 0 {
		f, err := scenarios.ReadContract(opts...)
		if err != nil {
			return nil, &usageError{err}
		}
		if err := scenarios.CheckVars([]*scenarios.File{f}, vars.names); err != nil {
			return nil, &usageError{fmt.Errorf("--var: %w", err)}
		}
		return []*scenarios.File{f}, nil
	}
	var files []*scenarios.File
	var errs []error
	for _, p := range paths {
		var (
			f   *scenarios.File
			err error
		)
		if p == "-" {
			f, err = scenarios.Parse("<stdin>", m.Stdin, opts...)
		} else {
			f, err = scenarios.ReadFile(p, opts...)
		}
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				err = fmt.Errorf("%s: no such file", p)
			}
			errs = append(errs, err)
			continue
		}
		files = append(files, f)
	}
	if len(errs) == 0 {
		errs = append(errs, scenarios.CheckNames(files))
		if err := scenarios.CheckVars(files, vars.names); err != nil {
			errs = append(errs, fmt.Errorf("--var: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, &usageError{err}
	}
	return files, nil
}

func (m *Main) runValidate(_ context.Context, args []string) error {
	fs := m.newFlagSet("validate", " [FILE...]", `
Check scenario files without sending anything: YAML syntax, known actions and fields, values,
durations, room and template references, unique names. Each problem is reported as
file:line:column with the scenario and step. Without FILE it checks the built-in contract.
--var and LIVEHOOK_VAR_name set the files' vars as they do for run.`)
	vars := varFlag(fs)
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	files, err := m.readScenarioFiles(fs.Args(), vars)
	if err != nil {
		return err
	}
	for _, f := range files {
		steps := 0
		for _, s := range f.Scenarios {
			steps += len(s.Steps)
		}
		fmt.Fprintf(m.Stdout, "%s: ok, %s, %s\n", f.Path, plural.Of(len(f.Scenarios), "scenario"), plural.Of(steps, "step"))
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// demoToken is the callback token of a run against the built-in receiver without --token.
const demoToken = "livehook-demo-token"
