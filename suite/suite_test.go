package suite_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/suite"
	"github.com/livehook/livehook/webhook"
)

var _ = Describe("the matchers", func() {
	answering := func(status int, body string) webhook.Endpoint {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))
		DeferCleanup(srv.Close)
		return webhook.Endpoint{URL: srv.URL + "/cb", SDKAppID: webhook.DefaultSDKAppID}
	}
	ev := &webhook.ModifyAdmin{RoomId: "live_1", EventTime: 1703589922780, OperatorAccount: "host", AdminAccount: []string{"mod"}, OpType: "add"}

	It("accept an acknowledgement and refuse anything else, showing what was sent and what came back", func(ctx SpecContext) {
		ok := suite.Deliver(ctx, answering(200, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`), ev, webhook.Meta{})
		Expect(ok).To(suite.BeAcknowledged())
		Expect(ok).NotTo(suite.BeRejected())
		Expect(ok).To(suite.RespondWithin(2 * time.Second))

		bad := suite.Deliver(ctx, answering(200, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":"0"}`), ev, webhook.Meta{})
		m := suite.BeAcknowledged()
		Expect(m.Match(bad)).To(BeFalse())
		msg := m.FailureMessage(bad)
		Expect(msg).To(ContainSubstring("Expected the webhook to be acknowledged (HTTP 200 with OK/0)"))
		Expect(msg).To(ContainSubstring("sent:     POST http://127.0.0.1:"))
		Expect(msg).To(ContainSubstring(`"RoomId":"live_1"`))
		Expect(msg).To(ContainSubstring(`answered: 200 {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":"0"}`))
		Expect(msg).To(ContainSubstring(`why:      contract_violation: ErrorCode is the string "0", want the integer 0`))
		Expect(bad).NotTo(suite.BeRejected(), "a malformed OK is not a refusal")

		refused := suite.Deliver(ctx, answering(403, `{"ActionStatus":"FAIL","ErrorInfo":"foreign app","ErrorCode":4}`), ev, webhook.Meta{})
		Expect(refused).To(suite.BeRejected())
		Expect(refused).NotTo(suite.BeAcknowledged())
	})

	It("tell a slow answer", func(ctx SpecContext) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		DeferCleanup(srv.Close)
		DeferCleanup(func() { close(release) })
		res := suite.Deliver(ctx, webhook.Endpoint{URL: srv.URL, SDKAppID: 1}, ev, webhook.Meta{})
		m := suite.RespondWithin(time.Second)
		Expect(m.Match(res)).To(BeFalse())
		Expect(m.FailureMessage(res)).To(ContainSubstring("answered: nothing"))
	})

	It("refuse what they cannot judge", func() {
		_, err := suite.BeAcknowledged().Match("a string")
		Expect(err).To(MatchError(ContainSubstring("want a webhook.Result or a mockserver.Delivery, got string")))
		_, err = suite.BeRejected().Match((*mockserver.Delivery)(nil))
		Expect(err).To(MatchError("the delivery is nil"))
	})
})

var _ = Describe("the mock Live backend in a spec", func() {
	It("fires the webhooks of REST calls at the app, and the matchers judge them", func(ctx SpecContext) {
		ds := createRoomBefore(ctx, referenceReceiver(""), "live_7")
		Expect(ds[0]).To(suite.BeAcknowledged())
		Expect(ds[0]).NotTo(suite.BeRejected())
		Expect(ds[0]).To(suite.RespondWithin(2 * time.Second))
	})

	It("keeps the app's answer, so a refusal reads as one", func(ctx SpecContext) {
		refusing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"bad sign","ErrorCode":403}`)
		})
		ds := createRoomBefore(ctx, refusing, "live_8")
		Expect(ds[0]).To(suite.BeRejected())
		Expect(ds[0]).NotTo(suite.BeAcknowledged())
		Expect(suite.BeAcknowledged().FailureMessage(ds[0])).To(ContainSubstring(`answered: 403 {"ActionStatus":"FAIL","ErrorInfo":"bad sign","ErrorCode":403}`))
	})
})

// createRoomBefore starts app and a mock backend whose callbacks go to it, creates a room
// through the mock's REST API, and returns the delivery of the webhook that fires.
func createRoomBefore(ctx context.Context, app http.Handler, roomID string) []mockserver.Delivery {
	GinkgoHelper()
	srv := httptest.NewServer(app)
	DeferCleanup(srv.Close)
	live := suite.StartMock(mockserver.Config{SkipUserSig: true, CallbackURL: srv.URL + "/live/webhook"})
	resp, err := http.Post(live.URL+mockserver.EnginePrefix+"create_room?sdkappid=1400000001&identifier=admin&random=1&contenttype=json", "application/json",
		strings.NewReader(`{"RoomInfo":{"RoomId":"`+roomID+`","RoomType":"Live"}}`))
	Expect(err).NotTo(HaveOccurred())
	resp.Body.Close()
	ds, err := live.Await(ctx, 1)
	Expect(err).NotTo(HaveOccurred())
	return ds
}

// hermetic is the process's environment without any LIVEHOOK_* variable, and with env added:
// what a fixture sees is what its spec sets, not what the shell running the tests holds (the
// README's CI route runs go test ./suite with LIVEHOOK_TARGET and LIVEHOOK_TOKEN set).
func hermetic(env ...string) []string {
	own := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "LIVEHOOK_") })
	return append(own, env...)
}

// fixture runs the faulty user suite under testdata with a fault and returns its report.
func fixture(bin, fault string, args ...string) types.Report {
	GinkgoHelper()
	return fixtureEnv(bin, []string{"FAULT=" + fault}, args...)
}

// fixtureEnv runs the faulty user suite with env as its only LIVEHOOK_* variables.
func fixtureEnv(bin string, env []string, args ...string) types.Report {
	GinkgoHelper()
	report := filepath.Join(GinkgoT().TempDir(), "report.json")
	cmd := exec.Command(bin, append([]string{"-ginkgo.json-report=" + report, "-ginkgo.no-color"}, args...)...)
	cmd.Env = hermetic(env...)
	s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	Eventually(s, 2*time.Minute).Should(gexec.Exit())
	return readReport(report)
}

func readReport(path string) types.Report {
	GinkgoHelper()
	b, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred())
	var reports []types.Report
	Expect(json.Unmarshal(b, &reports)).To(Succeed())
	Expect(reports).To(HaveLen(1))
	return reports[0]
}

// failed returns the failed specs' names and their failure messages.
func failed(r types.Report) (names []string, messages map[string]string) {
	messages = map[string]string{}
	for _, s := range r.SpecReports {
		if s.State.Is(types.SpecStateFailed) {
			names = append(names, s.LeafNodeText)
			messages[s.LeafNodeText] = s.Failure.Message
		}
	}
	slices.Sort(names)
	return names, messages
}

var _ = Describe("pointed at faulty handlers", Ordered, func() {
	var bin string
	BeforeAll(func() {
		var err error
		bin, err = gexec.CompileTest("github.com/livehook/livehook/suite/testdata/faulty")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(gexec.CleanupBuildArtifacts)
	})

	It("passes every spec on a correct handler", func() {
		r := fixture(bin, "none")
		names, _ := failed(r)
		Expect(names).To(BeEmpty())
		Expect(r.SpecReports.CountWithState(types.SpecStatePassed)).To(BeNumerically(">=", 18))
	})

	DescribeTable("fails the right specs, saying why",
		func(fault string, want []string, message string) {
			names, messages := failed(fixture(bin, fault))
			Expect(names).To(Equal(want))
			for _, n := range names {
				Expect(messages[n]).To(ContainSubstring(message), n)
				Expect(messages[n]).To(ContainSubstring("sent:     POST http://127.0.0.1:"), n)
			}
		},
		Entry("takes any SdkAppid", "foreign-appid", []string{"a webhook for a foreign SdkAppid is refused"}, "but it was acknowledged with OK/0"),
		Entry("does not check Sign", "no-sign-check", []string{"a RequestTime 10 minutes ahead of the receiver's clock is refused",
			"a RequestTime 62 s ahead, just outside the window, is refused", "a RequestTime 62 s behind, just outside the window, is refused",
			"a Sign wrong only in its last digit is refused",
			"a replayed webhook with a stale RequestTime is refused", "a truncated Sign is refused", "a webhook with a wrong Sign is refused", "a webhook without Sign is refused",
			"a wrong Sign of the right length in upper-case hex is refused"}, "but it was acknowledged with OK/0"),
		Entry("decodes Owner_Account as a string", "owner-string-only", []string{"Owner_Account as a bare JSON number beyond 2^53 is accepted"}, "HTTP status is 400 Bad Request"),
	)

	It("points a failing spec at the user's Register call, not at the suite package or Ginkgo", func() {
		src, err := os.ReadFile("testdata/faulty/faulty_suite_test.go")
		Expect(err).NotTo(HaveOccurred())
		line := slices.IndexFunc(strings.Split(string(src), "\n"), func(l string) bool { return strings.Contains(l, "registerLine") }) + 1
		Expect(line).To(BeNumerically(">", 0))
		r := fixture(bin, "foreign-appid")
		var seen int
		for _, s := range r.SpecReports {
			if !s.State.Is(types.SpecStateFailed) {
				continue
			}
			seen++
			// The header, the failing node, and the precise location that "[FAILED] in ... -",
			// "In ... at:" and the summary print (before, suite/suite.go's own line).
			for _, at := range []types.CodeLocation{s.LeafNodeLocation, s.Failure.FailureNodeLocation, s.Failure.Location} {
				Expect(at.FileName).To(HaveSuffix("testdata/faulty/faulty_suite_test.go"), s.LeafNodeText)
				Expect(at.LineNumber).To(Equal(line), s.LeafNodeText)
			}
			Expect(s.Failure.Message).To(HavePrefix("DeferCleanup callback returned error: scenario failed: step 1 (create_room, scenarios.yaml (built-in):"))
			Expect(s.Failure.Message).To(MatchRegexp(`registered at \S*testdata/faulty/faulty_suite_test\.go:%d\b`, line))
			Expect(s.Failure.Message).To(MatchRegexp(`scenario "a webhook for a foreign SdkAppid is refused" \(scenarios\.yaml \(built-in\):\d+:\d+\)`))
		}
		Expect(seen).To(Equal(1))
	})

	It("takes a target's token from the environment with the target, and says why the Sign specs skip without one", func() {
		// A correct receiver without a token: before, the suite kept its own test token and the
		// three Sign specs failed against it.
		rv := httptest.NewServer(referenceReceiver(""))
		DeferCleanup(rv.Close)
		r := fixtureEnv(bin, []string{"FAULT=none", suite.EnvTarget + "=" + rv.URL + "/live/webhook"})
		names, messages := failed(r)
		Expect(names).To(BeEmpty(), "%v", messages)
		var skipped []string
		for _, s := range r.SpecReports {
			if s.State.Is(types.SpecStateSkipped) {
				skipped = append(skipped, s.LeafNodeText)
				Expect(s.Failure.Message).To(ContainSubstring("needs a callback token"))
				Expect(s.Failure.Message).To(ContainSubstring("LIVEHOOK_TARGET is set without LIVEHOOK_TOKEN: set it to the app's callback token to run this spec"))
			}
		}
		Expect(skipped).To(ContainElements("a webhook without Sign is refused", "a webhook with a wrong Sign is refused", "a replayed webhook with a stale RequestTime is refused"))

		// With the token in the environment too, they run, and a receiver that checks it passes them.
		signed := httptest.NewServer(referenceReceiver("env-token"))
		DeferCleanup(signed.Close)
		r = fixtureEnv(bin, []string{"FAULT=none", suite.EnvTarget + "=" + signed.URL + "/live/webhook", suite.EnvToken + "=env-token"})
		names, messages = failed(r)
		Expect(names).To(BeEmpty(), "%v", messages)
		Expect(r.SpecReports.CountWithState(types.SpecStateSkipped)).To(BeZero())
	})

	It("fails every acknowledgement spec on a malformed OK", func() {
		names, messages := failed(fixture(bin, "errorcode-string"))
		Expect(len(names)).To(BeNumerically(">=", 14))
		Expect(names).NotTo(ContainElement(ContainSubstring("refused")))
		Expect(messages["room creation is acknowledged"]).To(ContainSubstring(`ErrorCode is the string "0", want the integer 0`))
	})

	It("credits no refusal when the handler refuses valid webhooks too", func() {
		r := fixture(bin, "not-found")
		Expect(r.SpecReports.CountWithState(types.SpecStatePassed)).To(BeZero())
		names, messages := failed(r)
		Expect(names).To(ContainElements("a webhook for a foreign SdkAppid is refused", "a webhook without Sign is refused", "room creation is acknowledged"))
		Expect(messages["a webhook for a foreign SdkAppid is refused"]).To(ContainSubstring(
			"refused as expected, but that shows nothing: the target acknowledged no valid webhook in this run, not even the control webhook (Live.CallbackAfterCreateRoom answered 404"))
		Expect(messages["a webhook for a foreign SdkAppid is refused"]).To(ContainSubstring("sent:     POST http://127.0.0.1:"))
	})

	It("credits the refusals of a correct handler when only refusal specs run", func() {
		r := fixture(bin, "none", "-ginkgo.label-filter=security")
		names, messages := failed(r)
		Expect(names).To(BeEmpty(), "%v", messages)
		Expect(r.SpecReports.CountWithState(types.SpecStatePassed)).To(Equal(12))
	})

	It("selects specs by the scenarios' tags", func() {
		r := fixture(bin, "foreign-appid", "-ginkgo.label-filter=security")
		names, _ := failed(r)
		Expect(names).To(Equal([]string{"a webhook for a foreign SdkAppid is refused"}))
		// The other security scenarios: foreign SdkAppid under the newer names, no SdkAppid,
		// six Sign and three clock-skew checks.
		Expect(r.SpecReports.CountWithState(types.SpecStatePassed)).To(Equal(11))
	})

	It("works the same under ginkgo -p", func() {
		report := filepath.Join(GinkgoT().TempDir(), "report.json")
		cmd := exec.Command("go", "tool", "ginkgo", "-p", "--procs=3", "--no-color", "--json-report="+report, "./testdata/faulty")
		cmd.Env = hermetic("FAULT=foreign-appid")
		s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(s, 5*time.Minute).Should(gexec.Exit(1))
		names, _ := failed(readReport(report))
		Expect(names).To(Equal([]string{"a webhook for a foreign SdkAppid is refused"}))
	})
})
