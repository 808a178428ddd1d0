package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/livehook/livehook/explore"
	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/webhook"
)

func (m *Main) runExplore(ctx context.Context, args []string) error {
	fs := m.newFlagSet("explore", "", `
Look for what the app backend gets wrong that no scenario was written for. explore draws valid
webhook sequences from the whole value space the protocol documents, runs each against the
target and checks every answer as livehook run does:
  - RoomIds of 1 to 48 bytes of any printable ASCII, punctuation and spaces included; RoomNames
    up to 100 bytes of 1- to 4-byte UTF-8; user IDs up to 32 bytes; up to 5 admins, 3 categories;
    optional fields present and absent; Owner_Account as a JSON number
  - rooms created, their admins changed and destroyed, a RoomId created again after its destroy
  - delivered as the Live backend does: many at once, twice, twice at once (an overlapping
    retry), out of order, late, and, with --token, with a clock up to 45 s off
  - with --token, authentication that is nearly right and must be refused (a Sign wrong in its
    last digit, in upper case, cut short), and without it a missing or foreign SdkAppid
A refusal counts only when the same target acknowledges valid webhooks, as in livehook run.

Every failure is shrunk to a minimal case (fewest webhooks, shortest values, fewest delivery
conditions that still fail it, each candidate run against the target again) and reported with
what was sent, what came back, and a curl command per webhook. -o FILE writes the reproducers as
a scenarios file: livehook run FILE --target URL fails the same way until the bug is fixed.
The same --seed explores the same cases.

Without --target it explores livehook's reference receiver on loopback, which finds nothing.
Exit codes: 0 nothing found, 1 something found, 2 a usage error, 130 interrupted.

Examples:
  livehook explore --target http://127.0.0.1:8000/live/webhook --token "$CALLBACK_TOKEN" -o found.yaml
  livehook explore --target https://staging.example.com/live/webhook --budget 5000 --duration 10m --seed 7
  livehook run found.yaml --target http://127.0.0.1:8000/live/webhook --token "$CALLBACK_TOKEN"`)
	target := fs.String("target", "", "the app backend's callback `URL` (default: a built-in reference receiver)")
	appID := sdkAppIDFlag(fs, "the app's `SDKAppID`, sent as SdkAppid")
	token := fs.String("token", "", "the callback `TOKEN`: requests are signed, and near-miss Signs and clock skew are drawn too")
	seed := fs.Int64("seed", 0, "seed `N` of the exploration; 0 picks one, which is printed so an exploration can be repeated")
	budget := fs.Int("budget", explore.DefaultBudget, "explore with at most `N` requests (shrinking a finding sends more: up to --shrink-runs cases)")
	duration := fs.Duration("duration", 0, "stop after this long, shrinking included (0: when the budget is spent)")
	out := fs.String("o", "", "write the reproducers of what was found to `FILE`, a scenarios file for livehook run")
	timeout := fs.Duration("timeout", webhook.DefaultTimeout, fmt.Sprintf("deadline of each webhook's answer, as the Live backend's; at most %v", maxTimeout))
	maxFindings := fs.Int("max-findings", explore.DefaultMaxFindings, "stop after this many distinct findings")
	shrinkRuns := fs.Int("shrink-runs", explore.DefaultShrinkRuns, "how many smaller cases to try for each finding")
	insecure := fs.Bool("insecure", false, "accept any TLS certificate from an https target (self-signed test deployments)")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("explore takes no arguments, got %q: give the target with --target", fs.Arg(0))
	}
	if *token == "" && isSet(fs, "token") {
		return usagef("--token is empty (is the variable it came from set?): give the callback token, or leave --token out")
	}
	switch {
	case *budget < 1:
		return usagef("--budget is %d: want 1 or more requests", *budget)
	case *duration < 0:
		return usagef("--duration is %v: want 0 (no limit) or more", *duration)
	case *maxFindings < 1:
		return usagef("--max-findings is %d: want 1 or more", *maxFindings)
	case *shrinkRuns < 1:
		return usagef("--shrink-runs is %d: want 1 or more", *shrinkRuns)
	}
	if err := checkTimeout(*timeout); err != nil {
		return err
	}
	if err := checkOutput("-o", *out); err != nil {
		return err
	}
	*seed = generator.PickSeed(*seed)
	cfg := explore.Config{
		Endpoint: webhook.Endpoint{URL: *target, SDKAppID: *appID, Token: *token},
		Seed:     *seed, Budget: *budget, Duration: *duration, Timeout: *timeout,
		MaxFindings: *maxFindings, ShrinkRuns: *shrinkRuns, Insecure: *insecure,
	}
	if *target == "" {
		if *token == "" {
			cfg.Endpoint.Token = demoToken
		}
		srv, err := receiver.NewServer(receiver.Config{SDKAppID: *appID, Token: cfg.Endpoint.Token, LogSize: -1})
		if err != nil {
			return &ioError{fmt.Errorf("starting the built-in receiver: %w", err)}
		}
		defer srv.Close()
		cfg.Endpoint.URL = srv.URL + webhookPath
		fmt.Fprintf(m.Stdout, "No --target given: exploring livehook's built-in reference receiver at %s.\n"+
			"Point --target at your app backend's callback URL to explore it.\n\n", cfg.Endpoint.URL)
	}
	if err := cfg.Endpoint.Validate(); err != nil {
		return usagef("--target: %w", err)
	}
	progress := isTerminal(m.Stderr)
	if progress {
		cfg.Progress = func(p explore.Progress) {
			what := "exploring"
			if p.Shrinking {
				what = fmt.Sprintf("shrinking a finding: %d cases tried", p.ShrinkRuns)
			}
			fmt.Fprintf(m.Stderr, "\r\033[K%6s  %d cases  %d/%d requests  %d found  %s", p.Elapsed.Round(time.Second), p.Cases, p.Requests, p.Budget, p.Findings, what)
		}
	}
	said := m.sayOnInterrupt(ctx, "livehook explore: stopping: the case in flight gets the rest of its deadline (interrupt again to abandon it)")
	res, err := explore.Explore(ctx, cfg)
	said()
	if progress {
		fmt.Fprint(m.Stderr, "\r\033[K")
	}
	if err != nil {
		return err // a configuration Explore refused, or a defect of livehook's own
	}
	written := ""
	if *out != "" && !res.OK() {
		var b bytes.Buffer
		if err := res.WriteFile(&b); err != nil {
			return fmt.Errorf("encoding the reproducers: %w", err)
		}
		if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
			return &ioError{fmt.Errorf("writing the reproducers: %w", err)}
		}
		written = *out
	}
	if err := res.WriteText(m.Stdout, written); err != nil {
		return &ioError{err}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !res.OK() {
		return errNotMet
	}
	return nil
}
