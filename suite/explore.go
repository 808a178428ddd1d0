package suite

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/livehook/livehook/explore"
	"github.com/livehook/livehook/webhook"
)

// Explore registers a spec that explores the target as `livehook explore` does (package
// explore), with cfg.Seed (Ginkgo's random seed unless set) and a budget of that many requests
// (explore.DefaultBudget unless positive), and fails with the shrunk reproducers of what it
// found. cfg.Files, Vars and Labels other than the spec's own do not apply. Call it at the top
// level of a test file:
//
//	var _ = suite.Explore(suite.Config{Handler: myapp.NewRouter(), Path: "/live/webhook", Seed: 7}, 300)
func Explore(cfg Config, budget int) bool {
	at := types.NewCodeLocation(1)
	text := cfg.Text
	if text == "" {
		text = "Live webhook exploration"
	}
	return ginkgo.Describe(text, at, ginkgo.Label(cfg.Labels...), func() {
		ginkgo.It(fmt.Sprintf("finds nothing in %d requests", max(budget, 1)), at, ginkgo.Label("explore"), func(ctx ginkgo.SpecContext) {
			target := cfg.Target
			if cfg.Handler != nil {
				srv := httptest.NewServer(cfg.Handler)
				ginkgo.DeferCleanup(srv.Close)
				target = srv.URL + "/" + strings.TrimPrefix(cfg.Path, "/")
			}
			if cfg.Seed == 0 {
				cfg.Seed = ginkgo.GinkgoRandomSeed()
			}
			msg, err := exploreSpec(ctx, cfg, target, budget)
			registered := fmt.Sprintf("\n\nexplored from %s", at)
			switch {
			case err != nil:
				ginkgo.Fail(fmt.Sprintf("the exploration cannot run: %v", err) + registered)
			case msg != "":
				ginkgo.Fail(msg + registered)
			}
		})
	})
}

// exploreSpec explores target and returns the report of what it found, "" for nothing.
func exploreSpec(ctx context.Context, cfg Config, target string, budget int) (string, error) {
	appID := cfg.SDKAppID
	if appID == 0 {
		appID = webhook.DefaultSDKAppID
	}
	if cfg.Target == "" && cfg.Handler == nil {
		return "", fmt.Errorf("suite: set Config.Target (a URL) or Config.Handler (your handler)")
	}
	res, err := explore.Explore(ctx, explore.Config{
		Endpoint: webhook.Endpoint{URL: target, SDKAppID: appID, Token: cfg.Token},
		Seed:     cfg.Seed, Budget: budget, Timeout: cfg.Timeout,
	})
	if err != nil {
		return "", err
	}
	if res.OK() {
		return "", nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "livehook explore found %d problem(s); each reproducer below is a scenario for Config.Files or livehook run\n\n", len(res.Findings))
	if err := res.WriteText(&b, ""); err != nil {
		return "", err
	}
	return b.String(), nil
}
