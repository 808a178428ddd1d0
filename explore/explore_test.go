package explore_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/explore"
	"github.com/livehook/livehook/internal/testrx"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/scenarios/runner"
	"github.com/livehook/livehook/webhook"
)

const (
	appID = testrx.AppID
	token = "explore-test-token"
	// testTimeout is a deadline well past any answer on a busy machine under -race; the
	// receivers here are wrong in what they answer, not in when.
	testTimeout = 10 * time.Second
)

func reference(t *testing.T, tok string) http.Handler {
	t.Helper()
	return testrx.Reference(t, receiver.Config{Token: tok})
}

func start(t *testing.T, h http.Handler) string {
	t.Helper()
	return testrx.Start(t, h)
}

// exploreAt explores target with a budget of requests, or LIVEHOOK_EXPLORE_BUDGET's when set
// (bench/explore.sh runs these tests with 5000, the figure).
func exploreAt(target, tok string, seed int64, budget int) (*explore.Result, error) {
	if n, err := strconv.Atoi(os.Getenv("LIVEHOOK_EXPLORE_BUDGET")); err == nil && n > 0 {
		budget = n
	}
	return explore.Explore(context.Background(), explore.Config{
		Endpoint: webhook.Endpoint{URL: target, SDKAppID: appID, Token: tok},
		Seed:     seed, Budget: budget, Timeout: testTimeout, MaxFindings: 1, ShrinkRuns: 200,
	})
}

// exploreAll runs n explorations at once and returns their results: they spend their time
// waiting on the receivers (and on the second a RoomId waits before it is created again), so
// they go together rather than two at a time as parallel subtests would on two cores.
func exploreAll(t *testing.T, n int, one func(i int) (*explore.Result, error)) []*explore.Result {
	t.Helper()
	out := make([]*explore.Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = one(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// runReproducer runs a finding's reproducer through runner.Run, as `livehook run FILE` does.
func runReproducer(t *testing.T, res *explore.Result, target, tok string) *report.Report {
	t.Helper()
	var b bytes.Buffer
	if err := res.WriteFile(&b); err != nil {
		t.Fatal(err)
	}
	f, err := scenarios.Parse("reproducer.yaml", &b)
	if err != nil {
		t.Fatalf("the reproducer does not parse: %v\n%s", err, b.String())
	}
	rep, err := runner.Run(context.Background(), []*scenarios.File{f}, runner.Config{
		Endpoint: webhook.Endpoint{URL: target, SDKAppID: appID, Token: tok}, Seed: 99, Timeout: testTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// reproducerShows holds, for some broken receivers, what their reproducer must show.
var reproducerShows = map[string]func(reproducer string) bool{
	"a unique key on the RoomId in a case-insensitive collation":              twoRoomIDsDifferingInCase,
	"rooms keyed by strings.ToLower, so one room's changes land on the other": twoRoomIDsDifferingInCase,
}

// twoRoomIDsDifferingInCase reports whether a reproducer creates two rooms whose RoomIds differ
// only in case.
func twoRoomIDsDifferingInCase(reproducer string) bool {
	var ids []string
	for _, m := range regexp.MustCompile(`(?m)RoomId: (.+)$`).FindAllStringSubmatch(reproducer, -1) {
		ids = append(ids, strings.Trim(m[1], `"'`))
	}
	for i, a := range ids {
		for _, b := range ids[i+1:] {
			if a != b && strings.EqualFold(a, b) {
				return true
			}
		}
	}
	return false
}

// Each broken receiver is found within a small budget, with a reproducer of at most 6 steps
// that fails a fresh instance of it and passes the reference receiver.
func TestExploreFindsBrokenReceivers(t *testing.T) {
	broken := testrx.BrokenReceivers
	for name := range reproducerShows {
		if !slices.ContainsFunc(broken, func(b testrx.Broken) bool { return b.Name == name }) {
			t.Errorf("reproducerShows names %q, which is not among testrx.BrokenReceivers", name)
		}
	}
	tokenOf := func(i int) string {
		if broken[i].Token {
			return token
		}
		return ""
	}
	newBroken := func(t *testing.T, i int) http.Handler {
		return broken[i].New(func(tok string) http.Handler { return reference(t, tok) }, tokenOf(i))
	}
	targets := make([]string, len(broken))
	for i := range broken {
		targets[i] = start(t, newBroken(t, i))
	}
	results := exploreAll(t, len(broken), func(i int) (*explore.Result, error) {
		return exploreAt(targets[i], tokenOf(i), 1, 600)
	})
	for i, tc := range broken {
		t.Run(tc.Class+": "+tc.Name, func(t *testing.T) {
			g := NewWithT(t)
			tok, res := tokenOf(i), results[i]
			var out strings.Builder
			g.Expect(res.WriteText(&out, "")).To(Succeed())
			g.Expect(res.Findings).To(HaveLen(1), "found within the budget:\n%s", out.String())
			f := res.Findings[0]
			g.Expect(f.Steps).To(BeNumerically("<=", 6), "shrunk:\n%s", out.String())
			g.Expect(f.Reproduced).To(Equal(f.Verified), "the shrunk case holds:\n%s", out.String())
			g.Expect(len(f.Curl)).To(BeNumerically(">=", f.Webhooks), "a curl line per webhook sent")
			for _, c := range f.Curl {
				g.Expect(c).To(HavePrefix("curl -sS -X POST '" + strings.TrimSuffix(res.Target, "/webhook")))
			}

			if check := reproducerShows[tc.Name]; check != nil {
				var b bytes.Buffer
				g.Expect(res.WriteFile(&b)).To(Succeed())
				g.Expect(check(b.String())).To(BeTrue(), "the reproducer shows the cause:\n%s", b.String())
			}
			again := runReproducer(t, res, start(t, newBroken(t, i)), tok)
			g.Expect(again.Failed).To(Equal(1), "the reproducer fails a fresh broken receiver:\n%s", out.String())
			correct := runReproducer(t, res, start(t, reference(t, tok)), tok)
			g.Expect(correct.Failed).To(Equal(0), "and passes the reference receiver:\n%s\n%v", out.String(), correct.Scenarios)
			t.Logf("%s", out.String())
		})
	}
}

// A target that refuses everything (a wrong path) is found at once, and the report leads with
// the cause, as livehook run's does; its refusals of the probes count for nothing.
func TestExploreSaysWhenTheTargetRefusesEverything(t *testing.T) {
	g := NewWithT(t)
	notFound := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "404 page not found\n")
	})
	res, err := exploreAt(start(t, notFound), token, 3, 60)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Findings).To(HaveLen(1))
	g.Expect(res.Findings[0].Steps).To(Equal(1))
	g.Expect(res.Acknowledged).To(BeZero())
	var out strings.Builder
	g.Expect(res.WriteText(&out, "")).To(Succeed())
	g.Expect(out.String()).To(MatchRegexp(`seed 3, budget \d+ requests\n\n.*the target refused every webhook \(all HTTP 404\): is the path right\?`))
}

// --duration bounds the exploration whatever the budget; the case in flight is cut short and
// counts for nothing, so a correct receiver is not failed by the deadline.
func TestExploreStopsAtItsDuration(t *testing.T) {
	g := NewWithT(t)
	res, err := explore.Explore(context.Background(), explore.Config{
		Endpoint: webhook.Endpoint{URL: start(t, reference(t, token)), SDKAppID: appID, Token: token},
		Seed:     4, Budget: 1 << 30, Duration: 300 * time.Millisecond, Timeout: testTimeout,
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Stopped).To(Equal("duration"))
	g.Expect(res.Findings).To(BeEmpty())
	g.Expect(res.Cases).To(BeNumerically(">=", 1))
}
