package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/livehook/livehook/delivery"
	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/load"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// thresholdFlags collects repeated --threshold flags.
type thresholdFlags []load.Threshold

func (t *thresholdFlags) String() string { return "" }
func (t *thresholdFlags) Set(s string) error {
	th, err := load.ParseThreshold(s)
	if err != nil {
		return err
	}
	*t = append(*t, th)
	return nil
}

// reportFlags are the outputs and thresholds of load and report merge.
type reportFlags struct {
	json, html string
	thresholds thresholdFlags
	// quiet leaves out the text report.
	quiet bool
}

func (m *Main) runLoad(ctx context.Context, args []string) error {
	fs := m.newFlagSet("load", "", fmt.Sprintf(`
Measure a webhook receiver under Live traffic. Every request is a distinct, realistic, correctly
signed webhook, and each room's webhooks go in order (create, admin changes, destroy).

The open model (the default) sends at --rate requests/s, or along a ramp to --ramp-to, whatever
the receiver does; the closed model (--model closed, or --concurrency alone) has --concurrency
senders that each wait for their answer. Latency counts from each request's scheduled time, so a
receiver that stalls shows in the latency instead of hiding behind a lower rate (no coordinated
omission). A flag of one model or traffic given for another is refused, not ignored.

--traffic rooms plays the generator's model instead of a flat mix: rooms open, change admins and
close at the times it gives, --speedup times faster than the simulated clock.

--duration bounds the run's wall time, whatever --timeout is: what is in flight at its end is
canceled and reported as cut off (neither acknowledged nor an error, as its deadline had not
passed), and what no sender was free to send is reported as not sent. Ctrl-C stops the sending
and reports, the requests in flight getting the rest of their deadline; a second Ctrl-C
abandons them.

Exit code: 0 when every --threshold is met, 1 when one is not, 2 for usage errors, 3 when a
report cannot be written, 130 when interrupted. Without --threshold the run fails (1) when no
request was acknowledged or more than %s were not: the same as
--threshold 'acknowledged>0' --threshold 'errors<=%s'.

Examples:
  livehook load --target http://127.0.0.1:8000/live/webhook --rate 1000 --duration 30s --threshold 'p99<300ms' --threshold 'errors<0.1%%'
  livehook load --target $URL --concurrency 50 --count 100000 --html report.html
  livehook load --target $URL --traffic rooms --speedup 120 --duration 5m --seed 5 --shard 0/4 --json shard0.json   (every shard the same --seed)`, load.MaxDefaultErrorShare, load.MaxDefaultErrorShare))
	target := fs.String("target", "", "the receiver's callback `URL` (required)")
	appID := sdkAppIDFlag(fs, "the app's `SDKAppID`")
	token := fs.String("token", "", "callback `TOKEN`: every request is signed")
	model := fs.String("model", "open", "`open` (a rate) or closed (a number of senders); --concurrency alone means closed")
	rate := fs.Float64("rate", load.DefaultRate, "open model, flat mix: requests per second")
	rampTo := fs.Float64("ramp-to", 0, "open model, flat mix: change the rate linearly to this over the duration")
	// The closed model's and the rooms traffic's defaults are said in the text, not as the
	// flags' defaults: -h would show them as the defaults of a run (open, mix) they do not apply to.
	concurrency := fs.Int("concurrency", 0, fmt.Sprintf("closed model: how many senders, %d unless set (given alone, it chooses the closed model)", load.DefaultConcurrency))
	workers := fs.Int("workers", load.DefaultWorkers, "open model: requests in flight at most")
	duration := fs.Duration("duration", 0, "how long to send (default 10s unless --count is given)")
	count := fs.Int64("count", 0, "how many requests to send")
	traffic := fs.String("traffic", "mix", "`mix` (the three webhooks by --weights) or rooms (the generator's model)")
	weights := fs.String("weights", "create=1,modify=2,destroy=1", "flat mix: the three webhooks' shares")
	speedup := fs.Float64("speedup", 0, fmt.Sprintf("rooms traffic: how much faster than the simulated clock, %g unless set", load.DefaultSpeedup))
	roomRate := fs.Float64("room-rate", 0, "rooms traffic: rooms opening per simulated second (default the generator's)")
	seed := fs.Int64("seed", 0, "seed `N` of the generated values; 0 picks one, which the report gives")
	timeout := fs.Duration("timeout", webhook.DefaultTimeout, fmt.Sprintf("deadline of each answer, at most %v", maxTimeout))
	shard := fs.String("shard", "0/1", "run part `i/n` of the schedule, for a run split over n machines (merge with 'livehook report merge')")
	quiet := fs.Bool("q", false, "print neither the progress line nor the text report (the exit code, --json and --html still tell)")
	insecure := fs.Bool("insecure", false, "accept any TLS certificate from an https target (self-signed test deployments)")
	deliveryFlag := fs.String("delivery", "", "deliver as the Live backend does: `CONDITIONS` such as 'duplicate=1%,reorder=1%,jitter=5ms,skew=-30s,retry=same-url' (see the README's Delivery section; redeliveries count on top of --count)")
	var rf reportFlags
	fs.StringVar(&rf.json, "json", "", "write the report as JSON to `FILE` (mergeable); - writes it to standard output and the text report to standard error")
	fs.StringVar(&rf.html, "html", "", "write the report as a self-contained HTML page to `FILE`")
	fs.Var(&rf.thresholds, "threshold", "a `CHECK` such as 'p99<300ms', 'errors<0.1%', 'acknowledged>0', 'rate>=950' or 'destroy:p99<1s' (repeatable)")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: load takes only flags", fs.Arg(0))
	}
	rf.quiet = *quiet
	if *target == "" {
		return usagef("--target is required: the receiver's callback URL (try 'livehook receive' for one to practise on)")
	}
	if err := checkTimeout(*timeout); err != nil {
		return err
	}
	set := func(name string) bool { return isSet(fs, name) }
	// The flags of one model or traffic reach the configuration only when given, so that
	// load.Config refuses them for a run they do not apply to, and its defaults fill in the rest.
	cfg := load.Config{Endpoint: webhook.Endpoint{URL: *target, SDKAppID: *appID, Token: *token}, RampTo: *rampTo,
		Concurrency: *concurrency, Duration: *duration, Count: *count, Speedup: *speedup, RoomRate: *roomRate,
		Seed: generator.PickSeed(*seed), Timeout: *timeout, Abort: m.Abort}
	if set("workers") {
		cfg.Workers = *workers
	}
	if *deliveryFlag != "" {
		c, err := delivery.Parse(*deliveryFlag)
		if err != nil {
			return usagef("--delivery: %v", err)
		}
		cfg.Delivery = c
	}
	switch *model {
	case "open":
		cfg.Model = load.Open
		if !set("model") && set("concurrency") {
			cfg.Model = load.Closed
		}
	case "closed":
		cfg.Model = load.Closed
	default:
		return usagef("--model %q: want open or closed", *model)
	}
	switch *traffic {
	case "mix":
		cfg.Traffic = load.Mix
	case "rooms":
		cfg.Traffic = load.Rooms
	default:
		return usagef("--traffic %q: want mix or rooms", *traffic)
	}
	if set("rate") || (cfg.Model == load.Open && cfg.Traffic == load.Mix) {
		cfg.Rate = *rate
	}
	var err error
	if set("weights") {
		if cfg.Weights, err = load.ParseWeights(*weights); err != nil {
			return usagef("--weights: %w", err)
		}
	}
	if err := loadScope(cfg, set); err != nil {
		return err
	}
	if *duration < 0 || *count < 0 {
		return usagef("--duration and --count cannot be negative")
	}
	if cfg.Shard, err = load.ParseShard(*shard); err != nil {
		return usagef("--shard: %w", err)
	}
	if err := cfg.Endpoint.Validate(); err != nil {
		return usagef("--target: %w", err)
	}
	if err := rf.check(); err != nil {
		return err
	}
	if *insecure {
		cfg.Client = sender.NewClient(sender.WithTimeout(*timeout), sender.WithFastTransport(), sender.WithInsecureTLS())
	}
	if !*quiet && isTerminal(m.Stderr) {
		cfg.Progress = func(p load.Progress) {
			fmt.Fprintf(m.Stderr, "\r\033[K%6s  %8d sent  %8.1f req/s  p99 %-8s errors %d", p.Elapsed.Round(time.Second), p.Sent, p.Rate, p.P99.Round(10*time.Microsecond), p.Errors)
		}
	}
	said := m.sayOnInterrupt(ctx, "livehook load: stopping: the requests in flight get the rest of their deadline (interrupt again to abandon them)")
	tuneGC()
	rep, err := load.Run(ctx, cfg)
	said()
	if cfg.Progress != nil {
		fmt.Fprint(m.Stderr, "\r\033[K")
	}
	if err != nil {
		return err
	}
	return m.finishReport(rep, rf, ctx.Err())
}

// loadScope refuses, before anything else is judged, the flags of one model or traffic given
// for another: load.Config holds the rule (see load.ScopeError), and this says it in flags, with
// the flag that chose the model. The configuration's other errors wait for load.Run.
func loadScope(cfg load.Config, set func(string) bool) error {
	var refusals []error
	var all interface{ Unwrap() []error }
	if !errors.As(cfg.Validate(), &all) {
		return nil
	}
	for _, e := range all.Unwrap() {
		var se *load.ScopeError
		if !errors.As(e, &se) {
			continue
		}
		runs := se.Runs
		switch runs {
		case "the flat mix":
			runs += " (--traffic mix)"
		case "the rooms traffic":
			runs += " (--traffic rooms)"
		}
		run := se.Run()
		if se.Model == load.Closed && !set("model") {
			run = strings.Replace(run, "the closed model", "the closed model (--concurrency chose it)", 1)
		}
		refusals = append(refusals, fmt.Errorf("--%s applies only to %s, and this run is %s", se.Field, runs, run))
	}
	if len(refusals) > 0 {
		return &usageError{errors.Join(refusals...)}
	}
	return nil
}

// check refuses, before the run, outputs that cannot be written as asked.
func (rf reportFlags) check() error {
	if rf.html == "-" {
		return usagef("--html -: only the JSON report goes to standard output (--json -); name a file for the HTML page")
	}
	json := rf.json
	if json == "-" {
		json = ""
	}
	return errors.Join(checkOutput("--json", json), checkOutput("--html", rf.html))
}

// finishReport judges, prints and writes a load report. With --json -, the JSON report goes to
// standard output alone and the text report to standard error, so that standard output can be
// piped or collected (kubectl logs) as a mergeable report.
func (m *Main) finishReport(rep *load.Report, rf reportFlags, interrupted error) error {
	thresholds := []load.Threshold(rf.thresholds)
	if len(thresholds) == 0 {
		thresholds = load.DefaultThresholds()
	}
	met := rep.Check(thresholds)
	text := m.Stdout
	if rf.json == "-" {
		text = m.Stderr
	}
	if !rf.quiet {
		if err := rep.WriteText(text); err != nil {
			return &ioError{err}
		}
	}
	if rf.json == "-" {
		if err := rep.WriteJSON(m.Stdout); err != nil {
			return &ioError{err}
		}
	} else if err := writeReport(rf.json, rep.WriteJSON); err != nil {
		return err
	}
	if err := writeReport(rf.html, rep.WriteHTML); err != nil {
		return err
	}
	if rf.html != "" && !rf.quiet {
		fmt.Fprintf(text, "HTML report written to %s\n", rf.html)
	}
	if interrupted != nil {
		return interrupted
	}
	if !met {
		return errNotMet
	}
	return nil
}

// tuneGC trades memory for speed in load runs and the mock backend: their live heap is a few
// megabytes (histograms, open rooms), so collecting at 5× that rather than 2× halves the
// collector's share of the CPU, and a soft limit keeps the process within 48 MB all the same.
// GOGC or GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(48 << 20)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (m *Main) runReport(_ context.Context, args []string) error {
	if len(args) == 0 || args[0] != "merge" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			args = []string{"merge", "-h"}
		} else {
			return usagef("want 'livehook report merge FILE...'")
		}
	}
	fs := m.newFlagSet("report merge", " FILE...", `
Combine the JSON reports of the shards of one load run (livehook load --shard i/n --json FILE)
into one: counts add up and the HDR histograms merge exactly, so the percentiles are those of
the whole run. Thresholds judge the merged figures and set the exit code.`)
	var rf reportFlags
	fs.StringVar(&rf.json, "json", "", "write the merged report as JSON to `FILE`; - writes it to standard output and the text report to standard error")
	fs.StringVar(&rf.html, "html", "", "write the merged report as HTML to `FILE`")
	fs.Var(&rf.thresholds, "threshold", "a `CHECK` such as 'p99<300ms' or 'errors<0.1%' (repeatable)")
	if err := m.parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("no reports to merge: name the JSON files of the shards")
	}
	if err := rf.check(); err != nil {
		return err
	}
	var reports []*load.Report
	var errs []error
	for _, p := range fs.Args() {
		f, err := os.Open(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				err = fmt.Errorf("%s: no such file", p)
			}
			errs = append(errs, err)
			continue
		}
		r, err := load.ReadJSON(f)
		f.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		}
		reports = append(reports, r)
	}
	if err := errors.Join(errs...); err != nil {
		return &usageError{err}
	}
	merged, err := load.Merge(reports...)
	if err != nil {
		return &usageError{err}
	}
	if missing := missingShards(merged.Shards); missing != "" {
		fmt.Fprintf(m.Stderr, "livehook report merge: warning: %s\n", missing)
	}
	return m.finishReport(merged, rf, nil)
}

// missingShards says which shards of i/n are not among the merged ones.
func missingShards(shards []string) string {
	var n int
	if len(shards) == 0 {
		return ""
	}
	if _, err := fmt.Sscanf(shards[0][strings.Index(shards[0], "/")+1:], "%d", &n); err != nil {
		return ""
	}
	var missing []string
	for i := range n {
		s := fmt.Sprintf("%d/%d", i, n)
		found := false
		for _, have := range shards {
			found = found || have == s
		}
		if !found {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "shards " + strings.Join(missing, ", ") + " are missing: the figures cover part of the run"
}
