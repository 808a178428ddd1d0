package suite

import (
	"net/http"
	"testing"

	. "github.com/onsi/gomega"
)

// These read an environment of their own, never the process's: livehook's tests pass whatever
// LIVEHOOK_* the shell that runs them holds (the README's CI route sets them).

func TestFromEnvTakesTheTokenWithTheTarget(t *testing.T) {
	g := NewWithT(t)
	own := Config{Handler: http.NotFoundHandler(), Token: "ours"}
	cfg, err := fromEnviron(own, []string{EnvTarget + "=https://app.example.com/live/webhook"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.Target).To(Equal("https://app.example.com/live/webhook"))
	g.Expect(cfg.Handler).To(BeNil())
	g.Expect(cfg.Token).To(BeEmpty(), "the suite's own token is not the target's")
	g.Expect(cfg.targetFromEnv).To(BeTrue())
	cfg, _ = fromEnviron(own, []string{EnvTarget + "=https://app.example.com/live/webhook", EnvToken + "=theirs"})
	g.Expect(cfg.Token).To(Equal("theirs"))
	cfg, _ = fromEnviron(own, []string{EnvTarget + "=", EnvToken + "=theirs"})
	g.Expect(cfg.Handler).NotTo(BeNil())
	g.Expect(cfg.Token).To(Equal("theirs"), "LIVEHOOK_TOKEN alone still sets the token of one's own handler")
	cfg, _ = fromEnviron(own, nil)
	g.Expect(cfg.Handler).NotTo(BeNil(), "nothing set changes nothing")
	g.Expect([]any{cfg.Target, cfg.Token, cfg.SDKAppID, cfg.Seed, cfg.Vars, cfg.targetFromEnv}).To(Equal([]any{"", "ours", uint64(0), int64(0), map[string]string(nil), false}))
}

func TestFromEnvTakesVarsFromTheEnvironment(t *testing.T) {
	g := NewWithT(t)
	given := map[string]string{"app": "http://127.0.0.1:8000", "other": "kept"}
	cfg, err := fromEnviron(Config{Vars: given}, []string{"LIVEHOOK_VAR_app=http://staging:8000", "LIVEHOOK_VAR_seats=9", "HOME=/root"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.Vars).To(Equal(map[string]string{"app": "http://staging:8000", "seats": "9", "other": "kept"}))
	g.Expect(given["app"]).To(Equal("http://127.0.0.1:8000"), "the caller's map is not changed")
}

func TestFromEnvReportsMalformedValues(t *testing.T) {
	g := NewWithT(t)
	cfg, err := fromEnviron(Config{}, []string{EnvSDKAppID + "=14000x", EnvSeed + "=seven"})
	g.Expect(err).To(MatchError(ContainSubstring(`LIVEHOOK_SDKAPPID="14000x": want the app's SDKAppID, a number`)))
	g.Expect(err).To(MatchError(ContainSubstring(`LIVEHOOK_SEED="seven": want a number`)))
	cfg, err = fromEnviron(cfg, []string{EnvSDKAppID + "=1400000002", EnvSeed + "=7", EnvSeed + "=8"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.SDKAppID).To(Equal(uint64(1400000002)))
	g.Expect(cfg.Seed).To(Equal(int64(7)), "the first of two, as os.Getenv takes it")
}
