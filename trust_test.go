package main_test

import (
	"bytes"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/usersig"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const ack = `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`

// countingReceiver starts a loopback receiver for the spec and returns its callback URL and a count of
// the requests it took.
func countingReceiver(h http.HandlerFunc) (string, *atomic.Int64) {
	GinkgoHelper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		h(w, r)
	}))
	DeferCleanup(srv.Close)
	return srv.URL + "/hook", &n
}

// stallingURL starts a receiver that answers nothing until its client gives up (or the spec
// ends); arrived tells of each request as it comes.
func stallingURL() (url string, arrived <-chan struct{}) {
	GinkgoHelper()
	release := make(chan struct{})
	ch := make(chan struct{}, 1000)
	url, _ = countingReceiver(func(w http.ResponseWriter, r *http.Request) {
		select {
		case ch <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	DeferCleanup(func() { close(release) })
	return url, ch
}

func answering(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// reportSeconds reads "Sent N requests in D" from a load report.
func reportSeconds(out []byte) time.Duration {
	GinkgoHelper()
	m := regexp.MustCompile(`Sent \d+ requests in (\S+):`).FindSubmatch(out)
	Expect(m).NotTo(BeNil(), "%s", out)
	d, err := time.ParseDuration(string(m[1]))
	Expect(err).NotTo(HaveOccurred())
	return d
}

var _ = Describe("exit codes and flags", func() {
	It("refuses a load flag that does not apply to the model or traffic, and --concurrency alone chooses the closed model", func() {
		target, n := countingReceiver(answering(200, ack))
		Expect(runs(2, "load", "--target", target, "--concurrency", "64", "--rate", "5").Err).To(gbytes.Say(
			`--rate applies only to the open model's flat mix, and this run is the closed model \(--concurrency chose it\) with the flat mix`))
		Expect(runs(2, "load", "--target", target, "--model", "closed", "--ramp-to", "50").Err).To(gbytes.Say(`--ramp-to applies only to the open model's flat mix, and this run is the closed model with the flat mix`))
		Expect(runs(2, "load", "--target", target, "--speedup", "5").Err).To(gbytes.Say(`--speedup applies only to the rooms traffic \(--traffic rooms\), and this run is the open model with the flat mix`))
		Expect(runs(2, "load", "--target", target, "--traffic", "rooms", "--weights", "create=1").Err).To(gbytes.Say(`--weights applies only to the flat mix`))
		Expect(runs(2, "load", "--target", target, "--model", "open", "--concurrency", "3").Err).To(gbytes.Say(`--concurrency applies only to the closed model, and this run is the open model`))
		Expect(n.Load()).To(BeZero(), "nothing is sent for a refused command line")

		s := runs(0, "load", "--target", target, "--concurrency", "3", "--count", "30")
		Expect(s.Out).To(gbytes.Say(`closed model, 3 senders`))
		Expect(s.Out).To(gbytes.Say(`Sent 30 requests`))
		Expect(runs(0, "load", "-h").Out).To(gbytes.Say(`--concurrency alone`))
	})

	It("fails a load run without thresholds when nothing, or too much, was acknowledged", func() {
		refusing, _ := countingReceiver(answering(401, `{"ActionStatus":"FAIL","ErrorInfo":"who are you","ErrorCode":1}`))
		s := runs(1, "load", "--target", refusing, "--rate", "200", "--count", "20")
		Expect(s.Out).To(gbytes.Say(`Outcomes: bad status \(non-200\) 20 \(100.00%\)`))
		Expect(s.Out).To(gbytes.Say(`Thresholds \(the default, as none was given\):`))
		Expect(s.Out).To(gbytes.Say(`FAIL  acknowledged>0 +\(acknowledged = 0\)`))
		Expect(s.Out).To(gbytes.Say(`FAIL  errors<=1% +\(errors = 100.000%\)`))

		var i atomic.Int64
		flaky, _ := countingReceiver(func(w http.ResponseWriter, r *http.Request) {
			if i.Add(1)%10 == 0 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			_, _ = io.WriteString(w, ack)
		})
		Expect(runs(1, "load", "--target", flaky, "--concurrency", "1", "--count", "100").Out).To(gbytes.Say(`FAIL  errors<=1% +\(errors = 10.000%\)`))
		Expect(runs(0, "load", "--target", flaky, "--concurrency", "1", "--count", "100", "--threshold", "errors<20%").Out).To(gbytes.Say(`ok    errors<20%`))

		srv := httptest.NewServer(http.NotFoundHandler())
		closed := srv.URL + "/hook"
		srv.Close() // nothing listens there now
		s = runs(1, "load", "--target", closed, "--rate", "200", "--count", "5")
		Expect(s.Out).To(gbytes.Say(`Nothing answered at ` + regexp.QuoteMeta(closed) + ` \(connection refused\): is the app backend running there`))
	})

	It("makes an invalid load configuration a usage error, not data", func() {
		target, n := countingReceiver(answering(200, ack))
		Expect(runs(2, "load", "--target", target, "--traffic", "rooms", "--room-rate", "-1").Err).To(gbytes.Say(`livehook load: rooms traffic: rate is -1 rooms/s: want a positive number`))
		Expect(runs(2, "load", "--target", target, "--workers", "-1").Err).To(gbytes.Say(`workers and concurrency cannot be negative`))
		Expect(runs(2, "load", "--target", target, "--rate", "NaN").Err).To(gbytes.Say(`rate is NaN requests/s`))
		Expect(n.Load()).To(BeZero())
	})

	It("gives i/o failures their own exit code, not 'usage'", func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(ln.Close)
		s := runs(3, "serve", "--addr", ln.Addr().String())
		Expect(s.Err).To(gbytes.Say(`livehook serve: listen on ` + ln.Addr().String() + `: .*address already in use`))
		Expect(runs(3, "receive", "--addr", ln.Addr().String()).Err).To(gbytes.Say(`^livehook receive: listen on ` + ln.Addr().String() + `: bind: address already in use\n`))
		if _, err := os.Stat("/dev/full"); err == nil {
			Expect(runs(3, "generate", "--rooms", "50", "-o", "/dev/full").Err).To(gbytes.Say(`no space left on device`))
		}
		Expect(runs(2, "receive", "--addr", "nonsense").Err).To(gbytes.Say(`--addr nonsense: .*want host:port`))
	})

	It("says how to write a target without a scheme", func() {
		s := runs(2, "load", "--target", "127.0.0.1:8080/x")
		Expect(s.Err).To(gbytes.Say(regexp.QuoteMeta(`livehook load: --target: callback URL "127.0.0.1:8080/x": scheme must be http or https: write it in full, e.g. "http://127.0.0.1:8080/x"`)))
		Expect(runs(2, "run", "--target", "127.0.0.1:8080/x").Err).To(gbytes.Say(`write it in full, e.g. "http://127.0.0.1:8080/x"`))
	})

	It("hints at --insecure for a self-signed certificate", func() {
		srv := httptest.NewTLSServer(answering(200, ack))
		DeferCleanup(srv.Close)
		s := runs(1, "run", "--target", srv.URL+"/cb", "--tags", "ack", "--steps=false")
		Expect(s.Out).To(gbytes.Say(`The TLS certificate of ` + regexp.QuoteMeta(srv.URL) + `/cb is not trusted: for a test deployment with a self-signed certificate, add --insecure`))
		Expect(string(s.Out.Contents())).NotTo(ContainSubstring("Nothing answered"))
		Expect(runs(1, "load", "--target", srv.URL+"/cb", "--count", "5").Out).To(gbytes.Say(`add --insecure`))
	})

	It("says 'is it running?' only when nothing answered, and names stalls and resets", func() {
		stalling, _ := stallingURL()
		s := runs(1, "run", "--target", stalling, "--tags", "ack", "--timeout", "100ms", "--steps=false")
		Expect(s.Out).To(gbytes.Say(`No complete answer came from ` + regexp.QuoteMeta(stalling) + `: it took the connections, but \d+ webhooks? timed out or (was|were) cut off`))
		Expect(string(s.Out.Contents())).NotTo(ContainSubstring("Nothing answered"))

		resetting, _ := countingReceiver(func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.(*net.TCPConn).SetLinger(0)
				_ = conn.Close()
			}
		})
		s = runs(1, "run", "--target", resetting, "--tags", "ack", "--steps=false")
		Expect(s.Out).To(gbytes.Say(`No complete answer came from ` + regexp.QuoteMeta(resetting) + `: it took the connections, but \d+ webhooks? timed out or (was|were) cut off`))

		srv := httptest.NewServer(http.NotFoundHandler())
		closed := srv.URL + "/hook"
		srv.Close()
		Expect(runs(1, "run", "--target", closed, "--tags", "ack", "--steps=false").Out).To(gbytes.Say(`Nothing answered at ` + regexp.QuoteMeta(closed) + ` \(connection refused\): is the app backend running there`))
	})

	It("says what a valid SDKAppID looks like, and suggests the flag meant", func() {
		for _, cmd := range []string{"run", "load", "serve", "receive"} {
			Expect(runs(2, cmd, "--sdkappid", "abc").Err).To(gbytes.Say(`livehook ` + cmd + `: --sdkappid "abc": want the app's SDKAppID, a positive whole number such as 1400000001`))
		}
		Expect(runs(2, "run", "--sdkappid", "0").Err).To(gbytes.Say(`--sdkappid "0": want the app's SDKAppID`))
		Expect(runs(2, "load", "--taget", "http://x").Err).To(gbytes.Say(`unknown flag --taget \(did you mean "--target"\?\); 'livehook load -h' lists the flags`))
		Expect(runs(2, "run", "--paralel", "2").Err).To(gbytes.Say(`unknown flag --paralel \(did you mean "--parallel"\?\)`))
		Expect(runs(2, "run", "--parallel", "x").Err).To(gbytes.Say(`--parallel "x": want a whole number`))
		Expect(runs(2, "load", "--duration", "5").Err).To(gbytes.Say(`--duration "5": want a duration such as 2s`))
	})

	It("checks the report files before the run", func() {
		target, n := countingReceiver(answering(200, ack))
		Expect(runs(2, "load", "--target", target, "--json", "/no/such/dir/r.json").Err).To(gbytes.Say(`--json /no/such/dir/r.json: the directory /no/such/dir does not exist; create it or name a file elsewhere`))
		Expect(runs(2, "run", "--target", target, "--junit", "/no/such/dir/r.xml").Err).To(gbytes.Say(`--junit /no/such/dir/r.xml: the directory /no/such/dir does not exist`))
		dir := GinkgoT().TempDir()
		Expect(runs(2, "load", "--target", target, "--html", dir).Err).To(gbytes.Say(`that is a directory; name a file`))
		Expect(n.Load()).To(BeZero(), "nothing was sent")
	})

	It("writes help to standard output", func() {
		s := runs(0, "help", "run")
		Expect(s.Out).To(gbytes.Say(`Usage: livehook run \[flags\] \[FILE...\]`))
		Expect(s.Err.Contents()).To(BeEmpty())
		Expect(runs(0, "load", "--help").Out).To(gbytes.Say(`Without --threshold the run fails \(1\) when no\s+request was acknowledged or more than 1% were not`))
		Expect(runs(2, "help", "lod").Err).To(gbytes.Say(`unknown command "lod" \(did you mean "load"\?\)`))
	})

	It("refuses --rooms 0 and timeouts that are not positive or too long", func() {
		Expect(runs(2, "generate", "--rooms", "0").Err).To(gbytes.Say(`--rooms is 0: want 1 to 1000000`))
		for _, cmd := range [][]string{{"load", "--target"}, {"serve", "--callback"}, {"run", "--target"}} {
			Expect(runs(2, cmd[0], cmd[1], "http://127.0.0.1:1/x", "--timeout", "-1s").Err).To(gbytes.Say(`--timeout is -1s: want a positive duration such as 2s`), cmd[0])
			Expect(runs(2, cmd[0], cmd[1], "http://127.0.0.1:1/x", "--timeout", "0s").Err).To(gbytes.Say(`--timeout is 0s: want a positive duration`), cmd[0])
		}
		Expect(runs(2, "load", "--target", "http://127.0.0.1:1/x", "--timeout", "1h").Err).To(gbytes.Say(`--timeout is 1h0m0s: at most 1m0s`))
	})
})

var _ = Describe("reproducibility", func() {
	It("writes the same bytes for a seed, pinned by a golden file", func() {
		s := runs(0, "generate", "--rooms", "5", "--seed", "42")
		path := filepath.Join("testdata", "generate-rooms5-seed42.yaml")
		if *update {
			Expect(os.WriteFile(path, s.Out.Contents(), 0o644)).To(Succeed())
		}
		want, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred(), "go test . -run CLI -update writes it")
		Expect(string(s.Out.Contents())).To(Equal(string(want)), "a change of the generator changes every user's 'same seed, same bytes' file: refresh with -update only on purpose")
		Expect(string(s.Out.Contents())).To(ContainSubstring("\n      - wait: "), "by default a file replays its rooms' time, sped up")
		Expect(s.Err).To(gbytes.Say(`its waits \(--speedup 60\) take \d+m\d+s with the rooms one at a time`))
	})

	It("prints a real seed when none is given, which repeats the run", func() {
		s := runs(0, "generate", "--rooms", "3")
		m := regexp.MustCompile(`seed (\d+), written`).FindSubmatch(s.Err.Contents())
		Expect(m).NotTo(BeNil())
		seed, _ := strconv.Atoi(string(m[1]))
		Expect(seed).To(BeNumerically(">", 0))
		Expect(string(s.Out.Contents())).To(ContainSubstring("--seed " + string(m[1])))
		again := runs(0, "generate", "--rooms", "3", "--seed", string(m[1]))
		Expect(bytes.Equal(again.Out.Contents(), s.Out.Contents())).To(BeTrue())

		target, _ := countingReceiver(answering(200, ack))
		Expect(runs(0, "load", "--target", target, "--count", "5").Out).To(gbytes.Say(`seed [1-9]\d*, shard`))
	})
})

var _ = Describe("stopping", func() {
	It("serve: the first signal delivers what is pending, a second exits at once", func() {
		stalled, arrived := stallingURL()
		s := start("serve", "--addr", "127.0.0.1:0", "--skip-usersig", "--callback", stalled, "--timeout", "1m")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`listens on (http://127\.0\.0\.1:\d+)`))
		base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(string(s.Out.Contents()))
		resp, err := http.Post(base+mockserver.EnginePrefix+"create_room?sdkappid=1400000001&identifier=admin&random=1&contenttype=json", "application/json",
			strings.NewReader(`{"RoomInfo":{"RoomId":"r1","RoomType":"Live"}}`))
		Expect(err).NotTo(HaveOccurred())
		resp.Body.Close()
		Eventually(arrived, 10*time.Second).Should(Receive(), "the webhook is in flight, and stalls")
		s.Signal(syscall.SIGTERM)
		Eventually(s.Err, 10*time.Second).Should(gbytes.Say(`stopping; delivering the 1 webhook still pending, for at most 3s \(interrupt again to exit at once\)`))
		Consistently(s, 200*time.Millisecond).ShouldNot(gexec.Exit(), "the first signal waits for the delivery")
		s.Signal(syscall.SIGINT)
		Eventually(s, 10*time.Second).Should(gexec.Exit(130), "well before the delivery's minute")
		Expect(s.Out).To(gbytes.Say(`1 webhook fired, 0 acknowledged, 1 failed\n`))
		Expect(s.Out).To(gbytes.Say(`stopped at once: the webhooks not delivered are counted as failed`))
		Expect(s.Err).To(gbytes.Say(`livehook serve: interrupted`))
	})

	It("serve: SIGTERM drains for a bounded time, names what it left undelivered, and exits 1", func() {
		stalled, arrived := stallingURL()
		s := start("serve", "--addr", "127.0.0.1:0", "--skip-usersig", "--callback", stalled, "--timeout", "1m", "--drain", "500ms")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`listens on (http://127\.0\.0\.1:\d+)`))
		base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(string(s.Out.Contents()))
		for _, room := range []string{"r1", "r2"} {
			resp, err := http.Post(base+mockserver.EnginePrefix+"create_room?sdkappid=1400000001&identifier=admin&random=1&contenttype=json", "application/json",
				strings.NewReader(`{"RoomInfo":{"RoomId":"`+room+`","RoomType":"Live"}}`))
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
		}
		Eventually(arrived, 10*time.Second).Should(Receive(), "a webhook is in flight, and stalls")
		s.Signal(syscall.SIGTERM)
		Eventually(s, 10*time.Second).Should(gexec.Exit(1), "the drain, not the delivery's minute nor 30 s")
		Expect(s.Out).To(gbytes.Say(`2 webhooks fired, 0 acknowledged, 2 failed\n`))
		Expect(s.Out).To(gbytes.Say(`livehook serve: 2 webhooks still pending after the 500ms drain were not delivered \(recorded as failed\):\n  #1 Live.CallbackAfterCreateRoom room "r1" to http://\S+\n  #2 Live.CallbackAfterCreateRoom room "r2" to`))
		Expect(runs(2, "serve", "--drain", "0s").Err).To(gbytes.Say(`--drain is 0s: want a positive duration, such as 3s`))
	})

	It("load: the first signal stops sending, a second abandons what is in flight and still reports", func() {
		stalled, arrived := stallingURL()
		s := start("load", "--target", stalled, "--concurrency", "2", "--duration", "1m", "--timeout", "1m")
		Eventually(arrived, 10*time.Second).Should(Receive())
		s.Signal(syscall.SIGINT)
		Eventually(s.Err, 10*time.Second).Should(gbytes.Say(`stopping: the requests in flight get the rest of their deadline \(interrupt again to abandon them\)`))
		s.Signal(syscall.SIGINT)
		Eventually(s, 10*time.Second).Should(gexec.Exit(130))
		Expect(s.Out).To(gbytes.Say(`Interrupted: the figures cover what was sent until then.`))
		Expect(s.Out).To(gbytes.Say(`Outcomes: canceled 2 \(100.00%\)`))
	})

	It("load: --duration bounds the run against a receiver that stalls", func() {
		stalled, _ := stallingURL()
		// Before, each request waiting for one of the two senders went out after the end and held
		// the run up for a timeout of its own: 100 s here.
		s := start("load", "--target", stalled, "--duration", "2s", "--timeout", "1s", "--rate", "50", "--workers", "2")
		Eventually(s, 30*time.Second).Should(gexec.Exit(1))
		Expect(reportSeconds(s.Out.Contents())).To(BeNumerically("<", 10*time.Second), "the duration and at most one deadline more")
		Expect(s.Out).To(gbytes.Say(`Not sent: \d+ more were due before the end, but the receiver held every sender until then.`))
		Expect(s.Out).To(gbytes.Say(`it took the connections, but \d+ webhooks? timed out or (was|were) cut off`))
	})

	It("load: --duration bounds the wall time however long --timeout is, and counts what it cut off", func() {
		stalled, _ := stallingURL()
		// Before, the requests in flight at the end got the rest of their minute: 62.6 s.
		s := start("load", "--target", stalled, "--duration", "2s", "--timeout", "1m", "--rate", "20")
		Eventually(s, 30*time.Second).Should(gexec.Exit(1))
		Expect(reportSeconds(s.Out.Contents())).To(BeNumerically("<", 10*time.Second), "the duration, not the deadline")
		Expect(s.Out).To(gbytes.Say(`Sent \d+ requests? in`))
		Expect(s.Out).To(gbytes.Say(`Cut off: \d+ requests? (was|were) still waiting for an answer when the run's duration ended, and (was|were) canceled then`))
		Expect(s.Out).To(gbytes.Say(`Outcomes: cut off \d+ \(100.00%\)`))
	})
})

var _ = Describe("hygiene", func() {
	It("serve prints the administrator's UserSig only when asked", func() {
		s := start("serve", "--addr", "127.0.0.1:0", "--secret-key", "k3y")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`UserSigs are checked \(--print-usersig prints one for administrator\)`))
		Expect(string(s.Out.Contents())).NotTo(ContainSubstring("valid for a day"))

		s = start("serve", "--addr", "127.0.0.1:0", "--secret-key", "k3y", "--print-usersig")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`A UserSig for identifier administrator, valid for a day:\n  (\S+)\n`))
		sig := regexp.MustCompile(`valid for a day:\n  (\S+)\n`).FindSubmatch(s.Out.Contents())[1]
		Expect(usersig.Verify(string(sig), "k3y", 1400000001, "administrator", time.Now())).To(Succeed())
		Expect(runs(2, "serve", "--print-usersig", "--skip-usersig").Err).To(gbytes.Say(`UserSigs are not checked, so none is needed`))
	})

	It("serve sends webhooks to loopback only unless told of a host, and says so", func() {
		Expect(runs(2, "serve", "--callback", "http://169.254.169.254/latest/meta-data").Err).To(gbytes.Say(
			`livehook serve: mockserver: callback URL "http://169.254.169.254/latest/meta-data": host 169.254.169.254 is not loopback, .*\(livehook serve --allow-callback-host 169.254.169.254\)`))
		Expect(runs(2, "serve", "--allow-callback-host", "http://x/").Err).To(gbytes.Say(`"http://x/" is not a host name or address`))
		s := start("serve", "--addr", "127.0.0.1:0", "--skip-usersig")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`Webhooks go to loopback callback URLs only \(--allow-callback-host HOST allows others\)\.`))
		Expect(string(s.Err.Contents())).NotTo(ContainSubstring("warning"), "loopback: no warning")
		s = start("serve", "--addr", "127.0.0.1:0", "--skip-usersig", "--allow-callback-host", "app.internal,Hooks.Internal", "--callback", "http://app.internal:8000/hook")
		Eventually(s.Out, 10*time.Second).Should(gbytes.Say(`Webhooks go to loopback callback URLs and to app.internal, hooks.internal\.`))
	})
})
