package suite_test

import (
	"github.com/livehook/livehook/suite"
)

// An exploration as a spec: a fixed seed and a small budget, against the reference receiver,
// which it never fails.
var _ = suite.Explore(suite.Config{Handler: referenceReceiver(suiteToken), Path: "/live/webhook", Token: suiteToken, Seed: 11}, 120)
