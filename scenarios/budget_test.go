package scenarios_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	internaltext "github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/scenarios"
)

// allocated is how many bytes fn allocates in all.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func parseErr(t *testing.T, src string) (err error, alloc uint64) {
	t.Helper()
	alloc = allocated(func() { _, err = scenarios.Parse("big.yaml", strings.NewReader(src)) })
	return err, alloc
}

// A small file that stands for gigabytes is refused as it is read, naming where, within a
// bounded amount of memory.
func TestExpansionBudget(t *testing.T) {
	g := NewWithT(t)
	mib := strings.Repeat("x", 1<<20)

	var b strings.Builder
	fmt.Fprintf(&b, "vars: {big: %s}\nscenarios:\n  - name: s\n    steps:\n      - create_room: {}\n", mib)
	for i := range 2000 {
		fmt.Fprintf(&b, "      - create_room: {RoomInfo: {CustomInfo: \"${vars.big}\"}, as: r%d}\n", i)
	}
	err, alloc := parseErr(t, b.String())
	g.Expect(err).To(MatchError(ContainSubstring("the file expands to over 64 MiB of text")))
	g.Expect(err.Error()).To(MatchRegexp(`^big\.yaml:\d+:\d+: scenario "s": step \d+: `))
	g.Expect(alloc).To(BeNumerically("<", 512<<20), "memory stays bounded: %d MiB", alloc>>20)

	b.Reset()
	fmt.Fprintf(&b, "x-big: &big %s\nscenarios:\n  - name: s\n    steps:\n", mib)
	for range 3000 {
		b.WriteString("      - create_room: {RoomInfo: {CustomInfo: *big}}\n")
	}
	err, alloc = parseErr(t, b.String())
	g.Expect(err).To(MatchError(ContainSubstring("the file expands to over 64 MiB of text")))
	g.Expect(alloc).To(BeNumerically("<", 512<<20), "memory stays bounded: %d MiB", alloc>>20)
}

// A large variable used many times in one value is measured before it is built: the refusal
// costs the file, not the gigabytes it stands for.
func TestExpansionBudgetWithinOneValue(t *testing.T) {
	g := NewWithT(t)
	src := fmt.Sprintf("vars: {big: %s}\nscenarios:\n  - name: s\n    steps:\n      - create_room: {}\n      - send: {command: c, body: \"%s\"}\n",
		strings.Repeat("x", 1<<20), strings.Repeat("${vars.big}", 2000))
	err, alloc := parseErr(t, src)
	g.Expect(err).To(MatchError(ContainSubstring("the file expands to over 64 MiB of text")))
	g.Expect(err.Error()).To(HavePrefix(`big.yaml:6:34: scenario "s": step 2: send.body: `))
	g.Expect(alloc).To(BeNumerically("<", 64<<20), "memory stays bounded: %d MiB", alloc>>20)

	f, err := scenarios.Parse("ok.yaml", strings.NewReader("vars: {v: ab, n: \"8\"}\nscenarios: [{name: s, steps: [{send: {command: c, body: \"<${vars.v}|${vars.v}>${vars.n}\"}}]}]"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f.Scenarios[0].Steps[0].Send.Body).To(Equal("<ab|ab>8"), "a value within the budget is expanded as before")
}

func TestWorkBudget(t *testing.T) {
	g := NewWithT(t)
	var b strings.Builder
	b.WriteString("scenarios:\n")
	for i := range 1000 {
		fmt.Fprintf(&b, "  - name: s%d\n    repeat: 10000\n    steps: [{create_room: {}}]\n", i)
	}
	var err error
	alloc := allocated(func() { _, err = scenarios.Parse("work.yaml", strings.NewReader(b.String())) })
	g.Expect(err).To(MatchError(ContainSubstring("over 2000000 step runs")))
	g.Expect(err.Error()).To(ContainSubstring(`work.yaml:602:5: scenario "s200"`), "named where the budget is crossed")
	g.Expect(alloc).To(BeNumerically("<", 64<<20))

	_, err = scenarios.Parse("wait.yaml", strings.NewReader("scenarios: [{name: w, steps: [{wait: 100000h}]}]"))
	g.Expect(err).To(MatchError(ContainSubstring("wait: 100000h0m0s is longer than 1h0m0s")))
}

// The did-you-mean search costs the product of two lengths: a huge unknown key gets no search.
func TestSuggestionsOfHugeKeysAreSkipped(t *testing.T) {
	g := NewWithT(t)
	key := strings.Repeat("k", 169<<10)
	var b strings.Builder
	b.WriteString("scenarios:\n  - name: s\n    steps: [{create_room: {}}]\n")
	for range 200 {
		fmt.Fprintf(&b, "    %s%d: 1\n", key[:500], b.Len())
	}
	fmt.Fprintf(&b, "    ? %s\n    : 1\n", key) // YAML takes a key this long only in the explicit form
	_, err := scenarios.Parse("keys.yaml", strings.NewReader(b.String()))
	g.Expect(err).To(MatchError(ContainSubstring("unknown field")))
	g.Expect(err.Error()).NotTo(ContainSubstring("did you mean"))
	g.Expect(internaltext.Suggest(key, []string{key + "x"})).To(BeEmpty())
	g.Expect(internaltext.Suggest("stpes", []string{"steps", "name"})).To(Equal(` (did you mean "steps"?)`))
}

// FuzzExpansion looks for a small file that expands past the budgets without being refused:
// whatever the input, parsing allocates a bounded amount.
func FuzzExpansion(f *testing.F) {
	f.Add("x: &a [1,2,3]\ny: &b [*a,*a,*a,*a]\nscenarios: [{name: s, steps: [{create_room: {extra: {k: [*b,*b,*b,*b]}}}]}]")
	f.Add("vars: {v: aaaaaaaaaaaaaaaa}\nscenarios: [{name: s, steps: [{send: {command: c, body: \"${vars.v}${vars.v}${vars.v}${vars.v}\"}}]}]")
	f.Add("scenarios: [{name: s, repeat: 10000, steps: [{generate: {rooms: 100000}}]}]")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		alloc := allocated(func() { _, _ = scenarios.Parse("f.yaml", strings.NewReader(src)) })
		if alloc > 1<<30 {
			t.Fatalf("parsing %d bytes allocated %d MiB", len(src), alloc>>20)
		}
	})
}

// A fake that makes megabytes of bytes (imagepng is a PNG printed as a list of numbers, 2.6 MB
// each) is refused when the file is read, by validate as by run, naming where; a text fake
// passes.
func TestBinaryFakesAreRefused(t *testing.T) {
	g := NewWithT(t)
	var b strings.Builder
	b.WriteString("scenarios:\n  - name: s\n    steps:\n")
	for range 1000 {
		b.WriteString("      - send: {command: c, body: \"${fake.imagepng}\"}\n")
	}
	err, alloc := parseErr(t, b.String())
	g.Expect(err).To(MatchError(HavePrefix(`big.yaml:4:9: scenario "s": step 1: ${fake.imagepng}: fake data "imagepng" makes bytes (image/png), not text`)))
	g.Expect(alloc).To(BeNumerically("<", 64<<20), "memory stays bounded: %d MiB", alloc>>20)

	_, err = scenarios.Parse("j.yaml", strings.NewReader(`scenarios: [{name: s, steps: [{send: {command: c, body: "${fake.json}"}}]}]`))
	g.Expect(err).To(MatchError(ContainSubstring(`fake data "json" makes bytes`)))

	_, err = scenarios.Parse("ok.yaml", strings.NewReader(`scenarios: [{name: s, steps: [{send: {command: c, body: "${fake.email_text} ${fake.uuid}"}}]}]`))
	g.Expect(err).NotTo(HaveOccurred())
}

// A step's fakes are bounded as a whole when the file is read: at MaxFakeBytes each, no step
// may use so many that they could make more than MaxExpandedBytes.
func TestFakeReferencesPerStepAreBounded(t *testing.T) {
	g := NewWithT(t)
	body := func(n int) string {
		return fmt.Sprintf("scenarios: [{name: s, steps: [{send: {command: c, body: %q}}]}]", strings.Repeat("${fake.uuid}", n))
	}
	limit := scenarios.MaxExpandedBytes / scenarios.MaxFakeBytes
	_, err := scenarios.Parse("many.yaml", strings.NewReader(body(limit+1)))
	g.Expect(err).To(MatchError(ContainSubstring(fmt.Sprintf(`step 1: the step uses ${fake...} %d times: at up to 4 KiB each that may make over 64 MiB; use at most %d`, limit+1, limit))))
	_, err = scenarios.Parse("many.yaml", strings.NewReader(body(limit)))
	g.Expect(err).NotTo(HaveOccurred())
}
