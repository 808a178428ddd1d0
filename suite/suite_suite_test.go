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

func TestFromEnvTakesTheTokenWithTheTarget(t *testing.T) {
	g := NewWithT(t)
	own := suite.Config{Handler: referenceReceiver(suiteToken), Token: suiteToken}
	t.Setenv(suite.EnvTarget, "https://app.example.com/live/webhook")
	cfg, err := suite.FromEnv(own)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.Target).To(Equal("https://app.example.com/live/webhook"))
	g.Expect(cfg.Handler).To(BeNil())
	g.Expect(cfg.Token).To(BeEmpty(), "the suite's own token is not the target's")
	t.Setenv(suite.EnvToken, "theirs")
	cfg, _ = suite.FromEnv(own)
	g.Expect(cfg.Token).To(Equal("theirs"))
	t.Setenv(suite.EnvTarget, "")
	cfg, _ = suite.FromEnv(own)
	g.Expect(cfg.Handler).NotTo(BeNil())
	g.Expect(cfg.Token).To(Equal("theirs"), "LIVEHOOK_TOKEN alone still sets the token of one's own handler")
}
