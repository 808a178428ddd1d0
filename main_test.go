package main_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/livehook/livehook/scenarios"
)

// contractSize is the number of scenarios in the built-in contract (and in scenarios.yaml, its
// source, which `validate` reads here).
func contractSize() int {
	GinkgoHelper()
	f, err := scenarios.ReadContract()
	Expect(err).NotTo(HaveOccurred())
	return len(f.Scenarios)
}

func start(args ...string) *gexec.Session {
	GinkgoHelper()
	s, err := gexec.Start(exec.Command(livehook, args...), GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { s.Kill().Wait(5 * time.Second) })
	return s
}

// runs starts livehook and waits for it to exit with code.
func runs(code int, args ...string) *gexec.Session {
	GinkgoHelper()
	s := start(args...)
	Eventually(s, 60*time.Second).Should(gexec.Exit(code), "livehook %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), s.Out.Contents(), s.Err.Contents())
	return s
}

func writeFile(name, content string) string {
	GinkgoHelper()
	path := filepath.Join(GinkgoT().TempDir(), name)
	Expect(os.WriteFile(path, []byte(content), 0o644)).To(Succeed())
	return path
}

var _ = Describe("livehook run", func() {
	It("runs the built-in contract against the built-in receiver and says so", func() {
		s := runs(0, "run", "--seed", "7")
		Expect(s.Out).To(gbytes.Say("No --target given: running against livehook's built-in reference receiver"))
		Expect(s.Out).To(gbytes.Say(`livehook run: \d+ scenarios against http://127\.0\.0\.1:\d+/webhook \(SdkAppid 1400000001, signed with a demo token the built-in receiver shares\), seed 7`))
		Expect(s.Out).To(gbytes.Say(`PASS  room creation is acknowledged`))
		Expect(s.Out).To(gbytes.Say(`PASS  a webhook without Sign is refused`))
		Expect(s.Out).To(gbytes.Say(fmt.Sprintf(`\n%d passed, 0 failed, 0 skipped\n`, contractSize())))
		Expect(s.Out).To(gbytes.Say(`seed 7 \(repeat with --seed 7\)`))
	})

	It("runs the token checks with a token", func() {
		s := runs(0, "run", "--token", "secret", "--parallel", "4")
		Expect(s.Out).To(gbytes.Say(fmt.Sprintf(`\n%d passed, 0 failed, 0 skipped\n`, contractSize())))
	})

	It("exits 1 and names the defect when the target breaks the contract", func() {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":"0"}`)
		}))
		DeferCleanup(srv.Close)
		dir := GinkgoT().TempDir()
		s := runs(1, "run", "--target", srv.URL+"/cb", "--tags", "create", "--json", filepath.Join(dir, "r.json"), "--junit", filepath.Join(dir, "r.xml"))
		Expect(s.Out).To(gbytes.Say(`FAIL  room creation is acknowledged`))
		Expect(s.Out).To(gbytes.Say(`ErrorCode is the string "0", want the integer 0`))
		Expect(s.Out).To(gbytes.Say(`sent:     POST ` + regexp.QuoteMeta(srv.URL) + `/cb\?SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterCreateRoom`))
		Expect(s.Out).To(gbytes.Say(`0 passed, 3 failed, 0 skipped`))

		var rep struct {
			Failed    int
			Scenarios []struct{ Status, Failure string }
		}
		b, err := os.ReadFile(filepath.Join(dir, "r.json"))
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Unmarshal(b, &rep)).To(Succeed())
		Expect(rep.Failed).To(Equal(3))
		x, err := os.ReadFile(filepath.Join(dir, "r.xml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(string(x)).To(ContainSubstring(`<failure message="step 1 (create_room`))
	})

	It("exits 2 with file:line for a bad scenarios file", func() {
		path := writeFile("bad.yaml", "scenarios:\n  - name: s\n    steps:\n      - destory_room: {}\n")
		s := runs(2, "run", path)
		Expect(s.Err).To(gbytes.Say(regexp.QuoteMeta(path) + `:4:9: scenario "s": step 1: unknown action "destory_room" \(did you mean "destroy_room"\?\)`))
	})

	It("exits 2 for a missing file, a bad flag or a bad target", func() {
		Expect(runs(2, "run", "nope.yaml").Err).To(gbytes.Say(`nope.yaml: no such file`))
		Expect(runs(2, "run", "--parallel", "0").Err).To(gbytes.Say(`--parallel is 0`))
		Expect(runs(2, "run", "--bogus").Err).To(gbytes.Say(`unknown flag --bogus.*; 'livehook run -h' lists the flags`))
		Expect(runs(2, "run", "--target", "localhost:8080").Err).To(gbytes.Say(`scheme must be http or https`))
		Expect(runs(2, "run", "--tags", "lifecyle").Err).To(gbytes.Say(`--tags: no scenario has the tag "lifecyle" \(did you mean "lifecycle"\?\); the scenarios. tags: ack, admin, .*lifecycle`))
		Expect(runs(2, "run", "--tags", "lifecycle,!lifecycle").Err).To(gbytes.Say(`selects no scenario`))
	})

	It("sets the files' vars from --var and LIVEHOOK_VAR_name, and refuses a name no file declares", func() {
		api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"where":"`+r.URL.Path+`"}`)
		}))
		DeferCleanup(api.Close)
		path := writeFile("vars.yaml", "vars:\n  api: http://127.0.0.1:1\n  where: nowhere\nscenarios:\n  - name: s\n    steps:\n      - check: {url: \"${vars.api}/${vars.where}\", json: {where: \"/${vars.where}\"}}\n")
		Expect(runs(1, "run", path).Out).To(gbytes.Say(`0 passed, 1 failed`), "the file's own api is a dead port")
		runs(0, "run", path, "--var", "api="+api.URL, "--var", "where=here")
		env := exec.Command(livehook, "run", path, "--var", "where=flag")
		env.Env = append(os.Environ(), "LIVEHOOK_VAR_api="+api.URL, "LIVEHOOK_VAR_where=env", "LIVEHOOK_VAR_undeclared=ignored")
		s, err := gexec.Start(env, GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		Eventually(s, 60*time.Second).Should(gexec.Exit(0), "the environment sets api; --var beats it for where; the environment's extra names are no error")
		Expect(s.Out).To(gbytes.Say(`1 passed, 0 failed`))

		Expect(runs(0, "validate", "--var", "foreign_app=1400999998").Out).To(gbytes.Say(fmt.Sprintf(`ok, %d scenarios`, contractSize())))
		Expect(runs(2, "run", path, "--var", "apy=x").Err).To(gbytes.Say(`--var: variable "apy" is not declared under vars: in any file \(did you mean "api"\?\)`))
		Expect(runs(2, "validate", "--var", "foreign_app=abc").Err).To(gbytes.Say(`create_room.sdkappid: want a non-negative integer, got "abc" \(from \$\{vars.foreign_app\}\)`))
		Expect(runs(2, "validate", "--var", "app").Err).To(gbytes.Say(`--var "app": want name=value`))
	})

	It("leads with the diagnosis when a backend checks Sign and the run has no token", func() {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			if r.URL.Query().Get("Sign") == "" {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"no Sign","ErrorCode":1}`)
				return
			}
			_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
		}))
		DeferCleanup(srv.Close)
		s := runs(1, "run", "--target", srv.URL+"/cb")
		lines := strings.Split(string(s.Out.Contents()), "\n")
		Expect(lines[0]).To(HavePrefix(fmt.Sprintf("livehook run: %d scenarios against ", contractSize()) + srv.URL + "/cb (SdkAppid 1400000001, no token"))
		Expect(lines[2]).To(HavePrefix(`The app backend seems to check Sign, and this run had no token: every webhook due an acknowledgement was refused (401 {"ActionStatus":"FAIL","ErrorInfo":"no Sign","ErrorCode":1}). Give the callback token set in the console: livehook run --target ` + srv.URL + `/cb --token "$CALLBACK_TOKEN"`))
		Expect(lines[4]).To(Equal("The details:"))
		Expect(strings.Count(string(s.Out.Contents()), `{"CallbackCommand"`)).To(Equal(1), "one full dump of the alike refusals")
		Expect(runs(1, "run", "--target", srv.URL+"/cb", "--token", "any").Out).NotTo(gbytes.Say("seems to check Sign"), "with a token, the run says no such thing")
	})

	It("leads with the diagnosis at a dead port", func() {
		srv := httptest.NewServer(http.NotFoundHandler())
		dead := srv.URL
		srv.Close()
		s := runs(1, "run", "--target", dead+"/cb", "--token", "t")
		out := string(s.Out.Contents())
		lines := strings.Split(out, "\n")
		Expect(lines[2]).To(Equal("Nothing answered at " + dead + "/cb (connection refused): is the app backend running there, and is it the callback URL? Start it, or point --target at it."))
		Expect(strings.Count(out, `{"CallbackCommand"`)).To(Equal(1))
		Expect(strings.Count(out, "sent:")).To(BeNumerically("<=", 5), "a line per failing step that fails alike, not a request dump each")
		Expect(out).To(ContainSubstring(`FAILED at scenarios.yaml (built-in):20, the same way as step 1 of "room creation is acknowledged" above`))
	})

	It("takes flags after the files", func() {
		path := writeFile("ok.yaml", "scenarios:\n  - name: s\n    tags: [x]\n    steps: [{create_room: {}}]\n  - name: t\n    steps: [{create_room: {}}]\n")
		s := runs(0, "run", path, "--tags", "x", "--seed", "3")
		Expect(s.Out).To(gbytes.Say(`1 scenario against .* seed 3`))
		Expect(s.Out).To(gbytes.Say(`1 passed, 0 failed, 0 skipped`))
	})

	It("reaches an https target with a self-signed certificate only with --insecure", func() {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
		}))
		DeferCleanup(srv.Close)
		s := runs(1, "run", "--target", srv.URL+"/cb", "--tags", "ack", "--steps=false")
		Expect(s.Out).To(gbytes.Say(`certificate`))
		Expect(runs(0, "run", "--insecure", "--target", srv.URL+"/cb", "--tags", "ack").Out).To(gbytes.Say(`3 passed, 0 failed`))
		Expect(runs(0, "load", "--insecure", "--target", srv.URL+"/cb", "--count", "20", "--rate", "100").Out).To(gbytes.Say(`acknowledged 20 \(100.00%\)`))
	})

	It("prints every request and answer with -v", func() {
		s := runs(0, "run", "-v", "--tags", "admin")
		Expect(s.Out).To(gbytes.Say(`-> \[admin changes are acknowledged\] step 1: POST http://127.0.0.1:\d+/webhook\?SdkAppid=`))
		Expect(s.Out).To(gbytes.Say(`<- 200 \{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0\}`))
	})
})

var _ = Describe("livehook validate", func() {
	It("checks the built-in contract and files", func() {
		Expect(runs(0, "validate").Out).To(gbytes.Say(`scenarios.yaml \(built-in\): ok, \d+ scenarios, \d+ steps`))
		path := writeFile("ok.yaml", "scenarios:\n  - name: s\n    steps: [{create_room: {}}]\n")
		Expect(runs(0, "validate", path).Out).To(gbytes.Say(`ok, 1 scenario, 1 step`))
	})

	It("reports every problem with its position and exits 2", func() {
		path := writeFile("bad.yaml", "scenarios:\n  - name: s\n    steps:\n      - wait: 2\n      - create_room: {sign: bda}\n")
		s := runs(2, "validate", path)
		Expect(s.Err).To(gbytes.Say(`bad.yaml:4:15: scenario "s": step 1: wait: bad duration "2": add a unit`))
		Expect(s.Err).To(gbytes.Say(`bad.yaml:5:29: scenario "s": step 2: create_room.sign: unknown value "bda"`))
	})
})

var _ = DescribeTable("a bad scenarios file exits 2 and names file:line:column",
	func(content, want string) {
		path := writeFile("bad.yaml", content)
		for _, cmd := range []string{"validate", "run"} {
			s := runs(2, cmd, path)
			Expect(string(s.Err.Contents())).To(ContainSubstring(path+":"+want), cmd)
		}
	},
	Entry("unknown action", "scenarios:\n  - name: s\n    steps:\n      - destory: {}\n", `4:9: scenario "s": step 1: unknown action "destory" (did you mean "destroy_room"?)`),
	Entry("modifier beside the action", "scenarios:\n  - name: s\n    steps:\n      - create_room: {}\n        sign: bad\n        expect: rejected\n", `5:9: scenario "s": step 1: sign modifies the webhook a step sends: put it inside the action's map, not beside it, e.g. create_room: {sign: bad}`),
	Entry("unknown key", "scenarios:\n  - name: s\n    steps:\n      - create_room: {sdkapid: 1}\n", `4:23: scenario "s": step 1: create_room: unknown field "sdkapid" (did you mean "sdkappid"?)`),
	Entry("unknown enum value", "scenarios:\n  - name: s\n    steps:\n      - destroy_room: {by: admin}\n", `4:28: scenario "s": step 1: destroy_room.by: unknown value "admin": want one of user, system`),
	Entry("bad duration", "scenarios:\n  - name: s\n    steps:\n      - wait: soon\n", `4:15: scenario "s": step 1: wait: bad duration "soon"`),
	Entry("undefined room", "scenarios:\n  - name: s\n    steps:\n      - create_room: {}\n      - destroy_room: {room: vip}\n", `5:9: scenario "s": step 2: destroy_room: room "vip" is not created in an earlier step`),
	Entry("undefined variable", "scenarios:\n  - name: s\n    steps:\n      - create_room: {RoomInfo: {RoomName: \"${vars.x}\"}}\n", `4:44: scenario "s": step 1: create_room.RoomInfo.RoomName: undefined variable "x"`),
	Entry("undefined template", "scenarios:\n  - name: s\n    steps:\n      - create_room: {RoomInfo: {RoomName: \"${nope}\"}}\n", `4:9: scenario "s": step 1: ${nope}: unknown reference`),
	Entry("duplicate scenario", "scenarios:\n  - name: s\n    steps: [{wait: 1ms}]\n  - name: s\n    steps: [{wait: 1ms}]\n", `4:5: scenario "s": scenario name "s" is used twice (first at line 2)`),
	Entry("RoomId over 48 bytes", "scenarios:\n  - name: s\n    steps:\n      - create_room: {RoomInfo: {RoomId: "+strings.Repeat("x", 49)+"}}\n", `4:9: scenario "s": step 1: create_room: RoomInfo.RoomId is 49 bytes, at most 48 are allowed`),
	Entry("YAML syntax", "scenarios: [\n", `1:1: YAML syntax:`),
	Entry("binary file", "\x7fELF\x02\x01\x01\x00\x00", `1:1: file is not UTF-8 text`),
	Entry("alias bomb", "scenarios:\n  - name: s\n    steps:\n      - create_room:\n          extra:\n            a: &a [x,x,x,x,x,x,x,x,x,x]\n            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n            g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n", `6:32: scenario "s": step 1: create_room.extra.f: the file expands to over 1000000 YAML nodes (an alias bomb?)`),
)

var _ = Describe("livehook generate", func() {
	It("writes the same file for the same seed, which run replays", func() {
		dir := GinkgoT().TempDir()
		a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
		// --speedup 0: no waits, so that the run below takes no minutes.
		s := runs(0, "generate", "--rooms", "20", "--seed", "42", "--speedup", "0", "-o", a)
		Expect(s.Err).To(gbytes.Say(`livehook generate: 20 rooms, \d+ events, seed 42, written to ` + regexp.QuoteMeta(a)))
		runs(0, "generate", "--seed", "42", "--speedup", "0", "--rooms", "20", "-o", b)
		ab, _ := os.ReadFile(a)
		bb, _ := os.ReadFile(b)
		Expect(ab).To(Equal(bb))
		Expect(string(ab)).To(ContainSubstring("--seed 42"))
		Expect(string(ab)).To(HavePrefix("# yaml-language-server: $schema=https://raw.githubusercontent.com/livehook/livehook/main/schemas/scenarios.schema.json\n"),
			"the schema line works wherever the file lands")
		Expect(runs(0, "validate", a).Out).To(gbytes.Say(`ok, 20 scenarios`))
		Expect(runs(0, "run", a, "--steps=false").Out).To(gbytes.Say(`20 passed, 0 failed, 0 skipped`))
	})

	It("refuses bad flags", func() {
		Expect(runs(2, "generate", "--rooms", "-5").Err).To(gbytes.Say(`--rooms is -5`))
		Expect(runs(2, "generate", "--speedup", "-2").Err).To(gbytes.Say(`--speedup is -2: want a positive number`))
		Expect(runs(2, "generate", "--from", "x.jsonl", "--speedup", "2").Err).To(gbytes.Say(`--speedup does not apply to --from`))
		Expect(runs(2, "generate", "--rate", "-1", "--rooms", "1").Err).To(gbytes.Say(`rate is -1 rooms/s`))
		Expect(runs(2, "generate", "out.yaml").Err).To(gbytes.Say(`write the file with -o`))
	})
})

var _ = Describe("livehook schema", func() {
	It("prints the committed JSON Schema, whose $id is the URL generated files name", func() {
		s := runs(0, "schema")
		committed, err := os.ReadFile("schemas/scenarios.schema.json")
		Expect(err).NotTo(HaveOccurred())
		Expect(string(s.Out.Contents())).To(Equal(string(committed)))
		var schema struct {
			ID string `json:"$id"`
		}
		Expect(json.Unmarshal(s.Out.Contents(), &schema)).To(Succeed())
		Expect(schema.ID).To(Equal("https://raw.githubusercontent.com/livehook/livehook/main/schemas/scenarios.schema.json"))
		Expect(runs(2, "schema", "x.json").Err).To(gbytes.Say(`unexpected argument "x.json"`))
	})
})

var _ = Describe("livehook receive", func() {
	It("serves the reference receiver until interrupted", func() {
		s := start("receive", "--addr", "127.0.0.1:0", "--sdkappid", "1400000001")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`listening on (http://127\.0\.0\.1:\d+)`))
		url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(string(s.Out.Contents()))
		resp, err := http.Post(url+"/cb?SdkAppid=1400999999&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json", "application/json", strings.NewReader(`{}`))
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(403))
		Eventually(s.Err).Should(gbytes.Say(`#1 "Live.CallbackAfterModifyAdmin": FAIL 403 SdkAppid 1400999999 is not this app's`))
		s.Signal(syscall.SIGINT)
		Eventually(s, 10*time.Second).Should(gexec.Exit(0))
		Expect(s.Out).To(gbytes.Say(`0 accepted, 1 refused`))
	})

	It("refuses a port it cannot listen on", func() {
		Expect(runs(2, "receive", "--addr", "256.1.1.1:1").Err).To(gbytes.Say(`--addr 256\.1\.1\.1:1: .*want host:port`))
	})
})

var _ = Describe("livehook serve", func() {
	It("serves the REST API, fires the webhooks, and delivers what is pending when stopped", func() {
		rv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
		}))
		DeferCleanup(rv.Close)
		s := start("serve", "--addr", "127.0.0.1:0", "--skip-usersig", "--callback", rv.URL+"/cb")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`listens on (http://127\.0\.0\.1:\d+)`))
		base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(string(s.Out.Contents()))
		resp, err := http.Post(base+"/v4/live_engine_http_srv/create_room?sdkappid=1400000001&identifier=admin&random=1&contenttype=json", "application/json",
			strings.NewReader(`{"RoomInfo":{"RoomId":"r1","RoomType":"Live"}}`))
		Expect(err).NotTo(HaveOccurred())
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(string(b)).To(ContainSubstring(`"ActionStatus":"OK"`))
		Eventually(s.Err).Should(gbytes.Say(`REST create_room by "admin" from 127.0.0.1: OK`))
		Eventually(s.Err).Should(gbytes.Say(`webhook #1 CreateRoom r1 -> acknowledged`))
		s.Signal(syscall.SIGINT)
		Eventually(s, 10*time.Second).Should(gexec.Exit(0))
		Expect(s.Out).To(gbytes.Say(`1 webhook fired, 1 acknowledged, 0 failed`))
	})

	It("refuses a bad callback URL", func() {
		Expect(runs(2, "serve", "--callback", "nope").Err).To(gbytes.Say(`--callback: callback URL "nope": scheme must be http or https`))
		Expect(runs(2, "serve", "--delivery", "duplicate=2").Err).To(gbytes.Say(`--delivery: duplicate: want a share from 0% to 100%`))
		Expect(runs(2, "run", "--token", "").Err).To(gbytes.Say(`--token is empty \(is the variable it came from set\?\)`))
	})
})

var _ = Describe("livehook load", func() {
	var target string
	BeforeEach(func() {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
		}))
		DeferCleanup(srv.Close)
		target = srv.URL + "/hook"
	})

	It("sets the exit code by the thresholds", func() {
		s := runs(0, "load", "--target", target, "--rate", "200", "--count", "100", "--threshold", "p99<5s", "--threshold", "errors<1%")
		Expect(s.Out).To(gbytes.Say(`Sent 100 requests`))
		Expect(s.Out).To(gbytes.Say(`ok    p99<5s`))
		s = runs(1, "load", "--target", target, "--rate", "200", "--count", "50", "--threshold", "p50<1µs")
		Expect(s.Out).To(gbytes.Say(`FAIL  p50<1µs`))
		runs(0, "load", "--target", target, "--model", "closed", "--concurrency", "3", "--count", "60")
	})

	It("refuses bad usage with exit 2", func() {
		Expect(runs(2, "load").Err).To(gbytes.Say(`--target is required`))
		Expect(runs(2, "load", "--target", target, "--threshold", "p99<soon").Err).To(gbytes.Say(`p99 takes a duration`))
		Expect(runs(2, "load", "--target", target, "--shard", "4/4").Err).To(gbytes.Say(`want i/n`))
		Expect(runs(2, "load", "--target", target, "--delivery", "dupilcate=1%").Err).To(gbytes.Say(`--delivery: unknown delivery condition "dupilcate": want one of concurrency, duplicate`))
		Expect(runs(2, "load", "--target", target, "--delivery", "concurrency=8").Err).To(gbytes.Say(`concurrency does not apply to load runs`))
		Expect(runs(2, "load", "--target", target, "--model", "half-open").Err).To(gbytes.Say(`want open or closed`))
	})

	It("runs in shards whose reports merge into the whole run", func() {
		dir := GinkgoT().TempDir()
		a, b := filepath.Join(dir, "0.json"), filepath.Join(dir, "1.json")
		runs(0, "load", "--target", target, "--rate", "400", "--count", "200", "--seed", "5", "--shard", "0/2", "--json", a)
		runs(0, "load", "--target", target, "--rate", "400", "--count", "200", "--seed", "5", "--shard", "1/2", "--json", b)
		html := filepath.Join(dir, "merged.html")
		s := runs(0, "report", "merge", "--html", html, "--threshold", "errors<1%", a, b)
		Expect(s.Out).To(gbytes.Say(`shard 0/2 1/2`))
		Expect(s.Out).To(gbytes.Say(`Sent 200 requests`))
		Expect(s.Out).To(gbytes.Say(`HTML report written to .*merged.html`))
		page, err := os.ReadFile(html)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(page)).To(ContainSubstring("<svg"))
		Expect(runs(0, "report", "merge", a).Err).To(gbytes.Say(`shards 1/2 are missing`))
		Expect(runs(2, "report", "merge", a, a).Err).To(gbytes.Say(`shard 0/2 is in two reports`))
		Expect(runs(2, "report", "merge", writeFile("x.json", "{}")).Err).To(gbytes.Say(`has no histogram`))
	})

	It("--json - writes the report alone to standard output, for kubectl logs, and merge reads what was collected", func() {
		dir := GinkgoT().TempDir()
		shard := func(i string, extra ...string) *gexec.Session {
			args := append([]string{"load", "--target", target, "--rate", "400", "--count", "100", "--seed", "9", "--shard", i + "/2", "--json", "-"}, extra...)
			s := runs(0, args...)
			var rep struct{ Sent int64 }
			Expect(json.Unmarshal(s.Out.Contents(), &rep)).To(Succeed(), "standard output is the JSON report alone")
			Expect(rep.Sent).To(BeEquivalentTo(50))
			Expect(os.WriteFile(filepath.Join(dir, i+".json"), s.Out.Contents(), 0o644)).To(Succeed())
			return s
		}
		Expect(shard("0").Err).To(gbytes.Say(`Sent 50 requests`), "the text report goes to standard error")
		Expect(shard("1", "-q").Err.Contents()).To(BeEmpty(), "-q leaves standard error empty, as a log must be")

		s := runs(0, "report", "merge", "--json", "-", filepath.Join(dir, "0.json"), filepath.Join(dir, "1.json"))
		Expect(s.Err).To(gbytes.Say(`Sent 100 requests`))
		Expect(json.Valid(s.Out.Contents())).To(BeTrue())

		log := writeFile("mixed.log", string(s.Out.Contents())+"livehook load: interrupted\n")
		Expect(runs(2, "report", "merge", log).Err).To(gbytes.Say(`mixed.log: not a livehook load report alone: something follows the report`))
		Expect(runs(2, "load", "--target", target, "--html", "-").Err).To(gbytes.Say(`--html -: only the JSON report goes to standard output`))
	})
})

var _ = Describe("the command line", func() {
	It("explains itself", func() {
		Expect(runs(0, "help").Out).To(gbytes.Say(`Commands:`))
		Expect(runs(2).Err).To(gbytes.Say(`Usage:`))
		Expect(runs(0, "run", "-h").Out).To(gbytes.Say(`-target URL`))
		Expect(runs(0, "help", "receive").Out).To(gbytes.Say(`-sdkappid SDKAppID`))
		Expect(runs(0, "version").Out).To(gbytes.Say(`^livehook \S+.* \(go1\.\d+.*, \w+/\w+\)\n$`))
		Expect(runs(2, "rn").Err).To(gbytes.Say(`unknown command "rn" \(did you mean "run"\?\)`))
	})
})
