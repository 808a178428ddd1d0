package runner_test

import (
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v6"
	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/scenarios/runner"
)

// bigFake is a text fake over MaxFakeBytes, as a program that adds its own gofakeit functions
// may have; registered before any test runs, since gofakeit's table is not locked.
var _ = func() int {
	gofakeit.AddFuncLookup("livehook_test_big", gofakeit.Info{
		Display: "big", Category: "test", Description: "a value over the bound", Output: "string",
		Generate: func(*rand.Rand, *gofakeit.MapParams, *gofakeit.Info) (any, error) {
			return strings.Repeat("b", scenarios.MaxFakeBytes+1), nil
		},
	})
	return 0
}()

// What a step's references make is bounded as it is made, at run time: a fake value over
// MaxFakeBytes, or a step whose references make over MaxExpandedBytes (a large room field used
// many times), fails its step naming file:line, and nothing that large is sent.
func TestExpansionIsBoundedAtRunTime(t *testing.T) {
	g := NewWithT(t)
	var biggest atomic.Int64
	target := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		if n > biggest.Load() {
			biggest.Store(n)
		}
		io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
	}))
	src := fmt.Sprintf(`vars: {name: %s}
scenarios:
  - name: big room name
    steps:
      - create_room: {RoomInfo: {CustomInfo: "${vars.name}"}}
      - send: {command: c, body: "%s"}
  - name: big fake
    steps:
      - send: {command: c, body: "${fake.livehook_test_big}"}
  - name: small
    steps:
      - send: {command: c, body: "${fake.uuid} ${room.RoomId}"}
`, strings.Repeat("n", 1<<20), strings.Repeat("${room.CustomInfo}", 100))
	src = strings.Replace(src, "${room.RoomId}", "${seed}", 1)
	f, err := scenarios.Parse("run.yaml", strings.NewReader(src))
	g.Expect(err).NotTo(HaveOccurred())
	var rep *report.Report
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rep = run(t, []*scenarios.File{f}, target, "")
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	g.Expect(rep.Scenarios).To(HaveLen(3))
	g.Expect(rep.Scenarios[0].Failure).To(Equal("step 2 (send, run.yaml:6): the step's ${...} make over 64 MiB of text (${room.CustomInfo} among them): use each large value fewer times"))
	g.Expect(rep.Scenarios[1].Failure).To(Equal("step 1 (send, run.yaml:9): ${fake.livehook_test_big} made a value of 4097 bytes, over the 4 KiB a fake value may hold: use another fake, or a fixed value under vars:"))
	g.Expect(rep.Scenarios[2].Status).To(Equal(report.StatusPassed))
	g.Expect(biggest.Load()).To(BeNumerically("<", 2<<20), "nothing over the bounds was sent")
	g.Expect(alloc).To(BeNumerically("<", 512<<20), "memory stays bounded: %d MiB", alloc>>20)
}

// A report keeps a bounded excerpt of each request body, so a large body repeated thousands of
// times is not kept once per run; a small one is kept whole.
func TestReportKeepsBoundedBodies(t *testing.T) {
	g := NewWithT(t)
	target := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
	}))
	big := strings.Repeat("é", 1<<19) // 1 MiB, two bytes a character: a cut may fall inside one
	src := fmt.Sprintf("scenarios:\n  - name: big\n    repeat: 3\n    steps: [{send: {command: c, body: %q}}]\n  - name: small\n    steps: [{send: {command: c, body: \"{}\"}}]\n", "x"+big)
	f, err := scenarios.Parse("keep.yaml", strings.NewReader(src))
	g.Expect(err).NotTo(HaveOccurred())
	rep := run(t, []*scenarios.File{f}, target, "")
	g.Expect(rep.Scenarios).To(HaveLen(4))
	for _, s := range rep.Scenarios[:3] {
		kept := s.Steps[0].Exchanges[0].RequestBody
		g.Expect(len(kept)).To(BeNumerically("<=", runner.MaxKeptBody+40))
		g.Expect(kept).To(HaveSuffix("é... (1048577 bytes in all)"))
		g.Expect(utf8.ValidString(kept)).To(BeTrue())
	}
	g.Expect(rep.Scenarios[3].Steps[0].Exchanges[0].RequestBody).To(Equal("{}"))
}
