package suite_test

import (
	"net/http"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/suite"
	"github.com/livehook/livehook/webhook"
)

func TestSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "livehook suite")
}

const suiteToken = "suite-token"

func referenceReceiver(token string) http.Handler {
	rv, err := receiver.New(receiver.Config{SDKAppID: webhook.DefaultSDKAppID, Token: token})
	if err != nil {
		panic(err)
	}
	return rv
}

// The built-in contract: against the reference receiver, or against your app backend when
// LIVEHOOK_TARGET (with LIVEHOOK_SDKAPPID, LIVEHOOK_TOKEN) is set.
var _ = func() bool {
	cfg, err := suite.FromEnv(suite.Config{Handler: referenceReceiver(suiteToken), Path: "/live/webhook", Token: suiteToken, Labels: []string{"contract"}})
	if err != nil {
		return Describe("the environment", func() { It("is readable", func() { Fail(err.Error()) }) })
	}
	return suite.Register(cfg)
}()
