package suite_test

import (
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/suite"
)

func TestFromEnvTakesVarsFromTheEnvironment(t *testing.T) {
	t.Setenv("LIVEHOOK_VAR_app", "http://staging:8000")
	t.Setenv("LIVEHOOK_VAR_seats", "9")
	given := map[string]string{"app": "http://127.0.0.1:8000", "other": "kept"}
	cfg, err := suite.FromEnv(suite.Config{Vars: given})
	g := NewWithT(t)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.Vars).To(Equal(map[string]string{"app": "http://staging:8000", "seats": "9", "other": "kept"}))
	g.Expect(given["app"]).To(Equal("http://127.0.0.1:8000"), "the caller's map is not changed")
}
