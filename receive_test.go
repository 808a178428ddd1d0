package main_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/livehook/livehook/recording"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// testApp is an app backend that keeps what it is sent and acknowledges it, or, when faulty,
// refuses admin changes.
type testApp struct {
	*httptest.Server
	mu     sync.Mutex
	got    []sent
	faulty bool
}

type sent struct{ query, body string }

func newTestApp(faulty bool) *testApp {
	a := &testApp{faulty: faulty}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.got = append(a.got, sent{r.URL.RawQuery, string(b)})
		a.mu.Unlock()
		if a.faulty && strings.Contains(r.URL.RawQuery, "ModifyAdmin") {
			_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"admins are not supported","ErrorCode":1}`)
			return
		}
		_, _ = w.Write(webhook.Acknowledgement)
	}))
	DeferCleanup(a.Close)
	return a
}

func (a *testApp) seen() []sent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]sent(nil), a.got...)
}

// receiverURL waits for receive to say where it listens.
func receiverURL(s *gexec.Session) string {
	GinkgoHelper()
	Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`listening on http://127\.0\.0\.1:\d+`))
	return regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(string(s.Out.Contents()))
}

func readRecording(path string) ([]recording.Entry, []recording.Skip) {
	GinkgoHelper()
	f, err := os.Open(path)
	Expect(err).NotTo(HaveOccurred())
	defer f.Close()
	sc := recording.NewScanner(f)
	var es []recording.Entry
	for sc.Scan() {
		es = append(es, sc.Entry())
	}
	Expect(sc.Err()).NotTo(HaveOccurred())
	skips, _ := sc.Skipped()
	return es, skips
}

const recToken = "staging-token-1234"

var _ = Describe("livehook receive --forward-to --record", func() {
	It("forwards every delivery byte for byte, records it, and the recording replays as a regression test", func() {
		app := newTestApp(false)
		dir := GinkgoT().TempDir()
		rec := filepath.Join(dir, "staging.jsonl")
		s := start("receive", "--addr", "127.0.0.1:0", "--token", recToken, "--forward-to", app.URL+"/live/webhook", "--record", rec)
		base := receiverURL(s)
		Eventually(s.Out).Should(gbytes.Say("Forwarding to " + regexp.QuoteMeta(app.URL) + "/live/webhook"))

		// The seeds' sample bodies, sent by livehook's own client, signed.
		e := webhook.Endpoint{URL: base + "/cb", SDKAppID: webhook.DefaultSDKAppID, Token: recToken}
		client := sender.NewClient()
		var want []sent
		for _, tc := range []struct {
			file string
			cmd  webhook.Command
		}{
			{"create_room.json", webhook.CommandCreateRoom},
			{"modify_admin.json", webhook.CommandModifyAdmin},
			{"destroy_room.json", webhook.CommandDestroyRoom},
			{"destroy_by_system.json", webhook.CommandDestroyRoom},
		} {
			body, err := os.ReadFile(filepath.Join("webhook", "testdata", tc.file))
			Expect(err).NotTo(HaveOccurred())
			u := e.RequestURL(tc.cmd, webhook.Meta{ClientIP: "203.0.113.7", OptPlatform: "iOS"}, webhook.URLOptions{})
			res := client.Do(context.Background(), webhook.Request{Command: tc.cmd, URL: u, Body: body})
			Expect(res.Outcome).To(Equal(webhook.Acknowledged), "%s: %v", tc.file, res.Err)
			want = append(want, sent{strings.SplitN(u, "?", 2)[1], string(body)})
		}
		// A plain curl.
		sample := filepath.Join("webhook", "testdata", "modify_admin.json")
		curlURL := e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{})
		out, err := exec.Command("curl", "-sS", "-H", "Content-Type: application/json", "--data-binary", "@"+sample, curlURL).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), string(out))
		Expect(out).To(Equal(webhook.Acknowledgement))
		body, _ := os.ReadFile(sample)
		want = append(want, sent{strings.SplitN(curlURL, "?", 2)[1], string(body)})
		Expect(app.seen()).To(Equal(want), "the app sees the queries and bodies sent, byte for byte")

		// Generated lifecycles, sent by livehook run.
		gen := filepath.Join(dir, "gen.yaml")
		runs(0, "generate", "--rooms", "4", "--seed", "11", "--speedup", "0", "-o", gen)
		runs(0, "run", gen, "--target", base+"/cb", "--token", recToken)
		Eventually(s.Err).Should(gbytes.Say(`"Live.CallbackAfterCreateRoom" room "tandy-test-rest": OK; app 200 OK/0 in \S+\n`))

		s.Signal(syscall.SIGINT)
		Eventually(s, 10*time.Second).Should(gexec.Exit(0))
		seen := app.seen()
		entries, skips := readRecording(rec)
		Expect(skips).To(BeEmpty())
		Expect(entries).To(HaveLen(len(seen)))
		for i, en := range entries {
			Expect(sent{en.Query, string(en.Body)}).To(Equal(seen[i]), "entry %d is what the app was sent", i+1)
			Expect(en.Answer.From).To(Equal("app"))
		}
		raw, err := os.ReadFile(rec)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(raw)).NotTo(ContainSubstring(recToken))
		Expect(string(raw)).To(ContainSubstring(`\"Owner_Account\": 144115216631667826,\n`), "the Destroy sample's number beyond 2^53, exact")

		// The recording replays against the same app, every expectation met...
		replay := filepath.Join(dir, "replay.yaml")
		g := runs(0, "generate", "--from", rec, "--expect", "recorded", "-o", replay)
		Expect(g.Err).To(gbytes.Say(fmt.Sprintf(`%d deliveries of \d+ rooms, written to`, len(entries))))
		r := runs(0, "run", replay, "--target", app.URL+"/live/webhook", "--token", "ci-token")
		Expect(r.Out).To(gbytes.Say(`\d+ passed, 0 failed, 0 skipped`))
		Expect(len(app.seen())).To(Equal(2 * len(entries)))
		unsigned := func(q string) string { return strings.SplitN(q, "&Sign=", 2)[0] }
		var recorded, replayed []string
		for i, got := range app.seen()[len(entries):] {
			recorded, replayed = append(recorded, unsigned(entries[i].Query)), append(replayed, unsigned(got.query))
			Expect(got.query).To(MatchRegexp(`&Sign=[0-9a-f]{64}&RequestTime=\d{10}$`), "signed afresh with the run's token")
		}
		Expect(replayed).To(ConsistOf(recorded), "the recorded queries, room by room")

		// ... and against a faulty one, with the difference reported.
		faulty := newTestApp(true)
		f := runs(1, "run", replay, "--target", faulty.URL+"/live/webhook", "--token", "ci-token")
		Expect(f.Out).To(gbytes.Say(`FAIL  room "`))
		Expect(f.Out).To(gbytes.Say(`expected acknowledged \(HTTP 200, OK/0\) within 2s, got contract_violation: ActionStatus is "FAIL", want "OK" \(the receiver refused it: ErrorCode 1, "admins are not supported"\)`))
	})

	It("keeps every answered delivery when killed, and a torn line is skipped, not read", func() {
		rec := filepath.Join(GinkgoT().TempDir(), "rec.jsonl")
		s := start("receive", "--addr", "127.0.0.1:0", "--record", rec, "-q")
		base := receiverURL(s)
		body, err := os.ReadFile(filepath.Join("webhook", "testdata", "modify_admin.json"))
		Expect(err).NotTo(HaveOccurred())
		e := webhook.Endpoint{URL: base + "/cb", SDKAppID: webhook.DefaultSDKAppID}
		client := sender.NewClient(sender.WithTimeout(5 * time.Second))
		var (
			mu       sync.Mutex
			answered []string
		)
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			defer close(done)
			for i := 0; i < 100000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				room := fmt.Sprintf("room-%d", i)
				b := bytes.Replace(body, []byte(`"room_id"`), []byte(`"`+room+`"`), 1)
				res := client.Do(context.Background(), webhook.Request{URL: e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}), Body: b})
				if res.Outcome != webhook.Acknowledged {
					return // the receiver is gone
				}
				mu.Lock()
				answered = append(answered, room)
				mu.Unlock()
			}
		}()
		Eventually(func() int { mu.Lock(); defer mu.Unlock(); return len(answered) }, 20*time.Second).Should(BeNumerically(">=", 200))
		s.Kill()
		Eventually(s, 10*time.Second).Should(gexec.Exit())
		close(stop)
		Eventually(done, 10*time.Second).Should(BeClosed())

		entries, skips := readRecording(rec)
		rooms := map[string]bool{}
		for _, en := range entries {
			rooms[en.Room] = true
		}
		mu.Lock()
		for _, room := range answered {
			Expect(rooms).To(HaveKey(room), "an answered delivery is in the recording")
		}
		mu.Unlock()
		Expect(len(skips)).To(BeNumerically("<=", 1), "at most the last line is torn")

		// A torn last line (here made by hand) is reported and skipped, and recording goes on
		// after it.
		f, err := os.OpenFile(rec, os.O_APPEND|os.O_WRONLY, 0)
		Expect(err).NotTo(HaveOccurred())
		_, err = f.WriteString(`{"v":1,"time":"2026-01-02T03:04:05Z","seq":99999,"method":"PO`)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Close()).To(Succeed())
		g := runs(0, "generate", "--from", rec, "-o", filepath.Join(GinkgoT().TempDir(), "r.yaml"))
		Expect(g.Err).To(gbytes.Say(`line \d+: torn: the last line ends after 61 bytes, without its newline, and is not a whole entry \(the writer was stopped while writing it\); skipped`))

		s = start("receive", "--addr", "127.0.0.1:0", "--record", rec, "-q")
		e.URL = receiverURL(s) + "/cb"
		res := client.Do(context.Background(), webhook.Request{URL: e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}), Body: body})
		Expect(res.Outcome).To(Equal(webhook.Acknowledged))
		s.Signal(syscall.SIGINT)
		Eventually(s, 10*time.Second).Should(gexec.Exit(0))
		after, skips := readRecording(rec)
		Expect(after).To(HaveLen(len(entries) + 1))
		Expect(after[len(after)-1].Room).To(Equal("room_id"))
		Expect(skips[len(skips)-1].Reason).To(HavePrefix("not an entry"), "the torn line stays a line of its own")
	})

	It("redacts the recording with a keyed hash, the same under the same key", func() {
		dir := GinkgoT().TempDir()
		body, err := os.ReadFile(filepath.Join("webhook", "testdata", "destroy_room.json"))
		Expect(err).NotTo(HaveOccurred())
		record := func(name string) string {
			rec := filepath.Join(dir, name)
			cmd := exec.Command(livehook, "receive", "--addr", "127.0.0.1:0", "--record", rec, "--redact", "-q")
			cmd.Env = append(os.Environ(), "LIVEHOOK_REDACT_KEY=k1")
			s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(func() { s.Kill().Wait(5 * time.Second) })
			Eventually(s.Err, 10*time.Second).Should(gbytes.Say(`redacting the recording, GET /deliveries and the log \(key from \$LIVEHOOK_REDACT_KEY`))
			base := receiverURL(s)
			e := webhook.Endpoint{URL: base + "/cb", SDKAppID: webhook.DefaultSDKAppID}
			u := e.RequestURL(webhook.CommandDestroyRoom, webhook.Meta{ClientIP: "198.51.100.23", OptPlatform: "iOS"}, webhook.URLOptions{})
			req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(bytes.Replace(body, []byte(`"CustomInfo": ""`), []byte(`"CustomInfo": "call me at 555-0100"`), 1)))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("X-Forwarded-For", "198.51.100.77")
			req.Header.Set("X-Real-IP", "198.51.100.78")
			req.Header.Set("User-Agent", "PrivateBrowser/9.9")
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(http.StatusOK))
			page, err := http.Get(base + "/deliveries")
			Expect(err).NotTo(HaveOccurred())
			logged, _ := io.ReadAll(page.Body)
			page.Body.Close()
			Expect(string(logged)).To(ContainSubstring(`"redacted":true`))
			s.Signal(syscall.SIGINT)
			Eventually(s, 10*time.Second).Should(gexec.Exit(0))
			b, err := os.ReadFile(rec)
			Expect(err).NotTo(HaveOccurred())
			return string(b) + "\n" + string(logged)
		}
		first, second := record("a.jsonl"), record("b.jsonl")
		for _, private := range []string{`"admin"`, "144115216631667826", "live name", "cover url", "background url", "198.51.100.", "555-0100", "PrivateBrowser"} {
			Expect(first).NotTo(ContainSubstring(private))
		}
		Expect(first).To(ContainSubstring(`"redacted":true`))
		owner := regexp.MustCompile(`Owner_Account\\": (\d+)`).FindStringSubmatch(first)
		Expect(owner).To(HaveLen(2), "a numeric owner stays a number")
		Expect(second).To(ContainSubstring(owner[0]), "the same key, the same replacement")
	})

	It("refuses what makes no sense, and quotes what came from the wire", func() {
		Expect(runs(2, "receive", "--max-skew", "-5s").Err).To(gbytes.Say(`--max-skew is -5s: want a positive duration, such as 1m0s`))
		Expect(runs(2, "receive", "--forward-to", "127.0.0.1:8000").Err).To(gbytes.Say(`forward URL "127.0.0.1:8000": want an absolute http:// or https:// URL`))
		Expect(runs(2, "generate", "--from", "x.jsonl", "--rooms", "3").Err).To(gbytes.Say(`--rooms does not apply to --from`))

		s := start("receive", "--addr", "127.0.0.1:0")
		base := receiverURL(s)
		resp, err := http.Post(base+"/cb?SdkAppid=1400000001&CallbackCommand=%1b%5b2J%0a12%3a00%3a00+FORGED&contenttype=json", "application/json", strings.NewReader(`{}`))
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Eventually(s.Err).Should(gbytes.Say(`#1 "\\x1b\[2J\\n12:00:00 FORGED": FAIL 400 CallbackCommand "\\x1b\[2J\\n12:00:00 FORGED" is not a command name`))
		Expect(string(s.Err.Contents())).NotTo(ContainSubstring("\x1b"))
	})
})

var _ = Describe("livehook receive --record on a full disk", func() {
	It("acknowledges no delivery it did not record, counts it, says the error once and exits 3", func() {
		if _, err := os.Stat("/dev/full"); err != nil {
			Skip("no /dev/full")
		}
		s := start("receive", "--addr", "127.0.0.1:0", "--record", "/dev/full")
		base := receiverURL(s)
		body, err := os.ReadFile(filepath.Join("webhook", "testdata", "modify_admin.json"))
		Expect(err).NotTo(HaveOccurred())
		e := webhook.Endpoint{URL: base + "/cb", SDKAppID: webhook.DefaultSDKAppID}
		resp, err := http.Post(e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{}), "application/json", bytes.NewReader(body))
		Expect(err).NotTo(HaveOccurred())
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusServiceUnavailable), "not acknowledged: %s", answer)
		Expect(string(answer)).To(ContainSubstring(`"ActionStatus":"FAIL"`))

		Eventually(s, 10*time.Second).Should(gexec.Exit(3))
		Expect(s.Err).To(gbytes.Say(`NOT RECORDED \(recording: write /dev/full: no space left on device\): answered 503 FAIL instead`))
		Expect(s.Err).To(gbytes.Say(`livehook receive: recording: write /dev/full: no space left on device\n`))
		Expect(strings.Count(string(s.Err.Contents()), "recording: recording")).To(BeZero())
		Expect(strings.Count(string(s.Err.Contents()), "livehook receive: recording: write")).To(Equal(1), "said once")
		Expect(s.Out).To(gbytes.Say(`livehook receive: 1 accepted, 0 refused; 0 recorded, 1 not recorded \(answered 503 FAIL, for the sender to send again\)\n`))
	})
})

var _ = Describe("livehook receive with an output nobody reads", func() {
	It("keeps answering webhooks, and counts the log lines it dropped", func() {
		// stderr is a pipe that is never read: it fills after some 500 lines.
		pr, pw, err := os.Pipe()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(pr.Close)
		out := gbytes.NewBuffer()
		cmd := exec.Command(livehook, "receive", "--addr", "127.0.0.1:0")
		cmd.Stdout, cmd.Stderr = io.MultiWriter(out, GinkgoWriter), pw
		Expect(cmd.Start()).To(Succeed())
		pw.Close()
		exited := make(chan error, 1)
		done := make(chan struct{})
		go func() {
			defer close(done)
			exited <- cmd.Wait()
		}()
		DeferCleanup(func() {
			_ = cmd.Process.Kill()
			<-done
		})
		Eventually(out, 10*time.Second).Should(gbytes.Say(`listening on http://127\.0\.0\.1:\d+`))
		base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(string(out.Contents()))

		body, err := os.ReadFile(filepath.Join("webhook", "testdata", "modify_admin.json"))
		Expect(err).NotTo(HaveOccurred())
		e := webhook.Endpoint{URL: base + "/cb", SDKAppID: webhook.DefaultSDKAppID}
		client := sender.NewClient(sender.WithTimeout(5 * time.Second))
		u := e.RequestURL(webhook.CommandModifyAdmin, webhook.Meta{}, webhook.URLOptions{})
		const n = 6000 // some 700 KB of lines: ten pipes' worth, beyond the log's bound too
		for i := range n {
			res := client.Do(context.Background(), webhook.Request{URL: u, Body: body})
			Expect(res.Outcome).To(Equal(webhook.Acknowledged), "webhook %d of %d: %v", i+1, n, res.Err)
		}
		Expect(cmd.Process.Signal(syscall.SIGINT)).To(Succeed())
		Eventually(exited, 10*time.Second).Should(Receive(BeNil()))
		Expect(out).To(gbytes.Say(fmt.Sprintf(`livehook receive: %d accepted, 0 refused; (\d+) log lines dropped, as the output was not read fast enough\n`, n)))
	})
})

var _ = Describe("livehook receive --forward-timeout", func() {
	It("is refused when it leaves the sender's deadline no room", func() {
		for _, d := range []string{"2s", "5s"} {
			Expect(runs(2, "receive", "--forward-to", "http://127.0.0.1:1/x", "--forward-timeout", d).Err).To(gbytes.Say(`--forward-timeout is \S+: want less than the sender's deadline of 2s, such as 1.5s`))
		}
		Expect(runs(0, "receive", "-h").Out).To(gbytes.Say(`(?s)-forward-timeout duration.*\(default 1.5s\)`))
	})
})
