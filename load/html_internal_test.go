package load

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// round says whether v is 1, 2 or 5 times a power of ten (or 0).
func round(v float64) bool {
	if v == 0 {
		return true
	}
	e := math.Floor(math.Log10(v))
	m := v / math.Pow(10, e)
	for _, want := range []float64{1, 2, 5, 10} {
		if math.Abs(m-want) < 1e-6 {
			return true
		}
	}
	return false
}

func labels(a axis) []string {
	var out []string
	for _, t := range a.ticks {
		out = append(out, t.label)
	}
	return out
}

func TestTicksAreRound(t *testing.T) {
	g := NewWithT(t)
	// The issue's own examples: 558 µs to 1.12 ms, and 221 requests/s.
	g.Expect(labels(logAxis(0.558, 1.12, msLabel))).To(Equal([]string{"500 µs", "1 ms", "2 ms"}))
	g.Expect(labels(linearAxis(221, 5, countLabel))).To(Equal([]string{"0", "50", "100", "150", "200", "250"}))
	g.Expect(labels(linearAxis(1500, 5, countLabel))).To(Equal([]string{"0", "500", "1000", "1500"}))
	g.Expect(labels(linearAxis(42000, 5, countLabel))).To(Equal([]string{"0", "10k", "20k", "30k", "40k", "50k"}))
	g.Expect(labels(timeAxis(11))).To(Equal([]string{"0 s", "2 s", "4 s", "6 s", "8 s", "10 s"}))
	g.Expect(labels(timeAxis(600))).To(Equal([]string{"0 min", "2 min", "4 min", "6 min", "8 min", "10 min"}))
	// A p99 spike three decades above the p50: powers of ten alone, still covering both.
	a := logAxis(0.9, 2500, msLabel)
	g.Expect(labels(a)).To(Equal([]string{"100 µs", "1 ms", "10 ms", "100 ms", "1 s", "10 s"}))

	for _, tc := range []struct {
		ms   float64
		want string
	}{{0.5, "500 µs"}, {0.02, "20 µs"}, {1, "1 ms"}, {2, "2 ms"}, {200, "200 ms"}, {2000, "2 s"}, {0, "0"}} {
		g.Expect(msLabel(tc.ms)).To(Equal(tc.want))
	}
}

// checkAxis checks what every axis must be: covering [lo, hi], 2 to 8 round ticks inside it,
// labels free of floating-point dust.
func checkAxis(g Gomega, a axis, lo, hi float64, name string) {
	g.Expect(a.lo).To(BeNumerically("<=", lo*(1+1e-9)), name)
	g.Expect(a.hi).To(BeNumerically(">=", hi*(1-1e-9)), name)
	g.Expect(len(a.ticks)).To(And(BeNumerically(">=", 2), BeNumerically("<=", 11)), name)
	var step float64
	for i, tk := range a.ticks {
		g.Expect(tk.v).To(And(BeNumerically(">=", a.lo*(1-1e-9)), BeNumerically("<=", a.hi*(1+1e-9))), name)
		g.Expect(tk.label).NotTo(MatchRegexp(`\d{4,}\.|\.\d{4,}|e[+-]`), name)
		if a.log {
			g.Expect(round(tk.v)).To(BeTrue(), "%s: tick %v", name, tk.v)
		} else if i == 1 {
			step = tk.v - a.ticks[0].v
			g.Expect(round(step)).To(BeTrue(), "%s: step %v", name, step)
		}
	}
}

func TestAxesCoverTheirRangeWithRoundTicks(t *testing.T) {
	g := NewWithT(t)
	for _, lo := range []float64{0.001, 0.0123, 0.558, 1, 3.7, 99, 1234} {
		for _, f := range []float64{1, 1.01, 2, 7.5, 40, 1e3, 1e5} {
			checkAxis(g, logAxis(lo, lo*f, msLabel), lo, lo*f, "log "+strconv.FormatFloat(lo*f, 'g', -1, 64))
		}
	}
	for _, top := range []float64{0.3, 1, 7, 55, 111, 166, 221, 999, 1001, 12345, 987654} {
		a := linearAxis(top, 5, countLabel)
		checkAxis(g, a, 0, top, "linear "+strconv.FormatFloat(top, 'g', -1, 64))
		g.Expect(len(a.ticks)).To(BeNumerically("<=", 11))
	}
}

func TestLogScaleKeepsTheP50Readable(t *testing.T) {
	g := NewWithT(t)
	// A p50 of 1 ms under a p99 of 3 ms, then a p99 spike to 2 s: on a linear axis the two
	// would be 0.1% of the height apart, one line; on the log axis they stay a tenth apart.
	a := logAxis(1, 2000, msLabel)
	g.Expect(a.frac(3) - a.frac(1)).To(BeNumerically(">", 0.1))
	g.Expect(a.frac(2000)).To(BeNumerically(">", 0.75))
	g.Expect(a.frac(0)).To(Equal(0.0), "a value below the axis sits on it")
}

func TestAxesSurviveAnyInput(t *testing.T) {
	g := NewWithT(t)
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -5, 0, 1e300, 5e-324} {
		for _, a := range []axis{logAxis(v, v, msLabel), logAxis(0.5, v, msLabel), linearAxis(v, 5, countLabel), timeAxis(v)} {
			g.Expect(a.hi).To(BeNumerically(">", a.lo))
			g.Expect(a.ticks).NotTo(BeEmpty())
			g.Expect(math.IsNaN(a.frac(v))).To(BeFalse())
		}
	}
}

func FuzzAxes(f *testing.F) {
	f.Add(0.558, 1.12, 221.0)
	f.Add(0.001, 600000.0, 0.0)
	f.Fuzz(func(t *testing.T, lo, hi, top float64) {
		for _, a := range []axis{logAxis(lo, hi, msLabel), linearAxis(top, 5, countLabel), timeAxis(top)} {
			if len(a.ticks) == 0 || len(a.ticks) > 12 || !(a.hi > a.lo) {
				t.Fatalf("axis %+v", a)
			}
			if f := a.frac(hi); math.IsNaN(f) || f < 0 || f > 1 {
				t.Fatalf("frac(%v) = %v", hi, f)
			}
		}
	})
}

var (
	svgRe  = regexp.MustCompile(`(?s)<svg class="(\w+)" viewBox="0 0 (\d+) (\d+)"[^>]*font-size="(\d+)">(.*?)</svg>`)
	xlabRe = regexp.MustCompile(`<text x="([\d.]+)" y="[\d.]+" class="xlab">([^<]*)</text>`)
)

func TestHTMLReadsOnAPhoneAndOnADesktop(t *testing.T) {
	g := NewWithT(t)
	var b bytes.Buffer
	g.Expect(fixedReport().WriteHTML(&b)).To(Succeed())
	page := b.String()
	g.Expect(page).To(ContainSubstring(`<meta name="viewport" content="width=device-width, initial-scale=1">`))
	g.Expect(page).To(ContainSubstring("2026-11-22 10:00:00 UTC"), "the run's date")
	g.Expect(page).To(MatchRegexp(`<th>max</th><th>mean</th>`))
	g.Expect(page).To(ContainSubstring("@media (max-width:640px)"))
	g.Expect(page).NotTo(MatchRegexp(`<svg[^>]* (width|height)=`), "charts scale to the page's width")
	svgs := svgRe.FindAllStringSubmatch(page, -1)
	g.Expect(svgs).To(HaveLen(6), "three charts, each for wide and narrow screens")
	for _, s := range svgs {
		width, _ := strconv.ParseFloat(s[2], 64)
		font, _ := strconv.ParseFloat(s[4], 64)
		// Drawn about at the size it is shown: the narrow one for a phone, so its text stays legible.
		if s[1] == "narrow" {
			g.Expect(width).To(BeNumerically("<=", 390))
		} else {
			g.Expect(width).To(BeNumerically(">=", 800))
		}
		// The x labels do not overlap one another.
		right := math.Inf(-1)
		for _, l := range xlabRe.FindAllStringSubmatch(s[5], -1) {
			if strings.Contains(l[2], "since") || l[2] == "percentile" {
				continue // the axis title, below the labels
			}
			x, _ := strconv.ParseFloat(l[1], 64)
			half := float64(len([]rune(l[2]))) * font * 0.31
			g.Expect(x-half).To(BeNumerically(">=", right), "%s chart: label %q overlaps the one before", s[1], l[2])
			g.Expect(x+half).To(BeNumerically("<=", width+1), "%s chart: label %q runs off the chart", s[1], l[2])
			right = x + half
		}
	}
	for _, id := range []string{"latency-over-time", "throughput", "percentiles"} {
		g.Expect(page).To(ContainSubstring(`id="` + id + `"`))
	}
	g.Expect(page).To(ContainSubstring("log scale"))
}

func TestHTMLOfAnEmptyRun(t *testing.T) {
	g := NewWithT(t)
	cfg := &Config{Model: Closed, Concurrency: 1, Seed: 1, Shard: Shard{0, 1}}
	r := newCollector(cfg, time.Time{}).report(0)
	var b bytes.Buffer
	g.Expect(r.WriteHTML(&b)).To(Succeed())
	g.Expect(b.String()).To(ContainSubstring("start unknown"))
	g.Expect(b.String()).NotTo(ContainSubstring("NaN"))
}

// The run's last, partial second is drawn at its rate, not as a whole second's count: a run of
// 6.49 s at 1000 requests/s ends on 1000/s, not on a collapse to 490.
func TestThePartialLastSecondIsDrawnAtItsRate(t *testing.T) {
	g := NewWithT(t)
	r := &Report{}
	for at := range 6 {
		r.Timeline = append(r.Timeline, Second{At: at, Commands: map[string]SecondStats{All: {Count: 1000, Errors: 10}}})
	}
	r.Timeline = append(r.Timeline, Second{At: 6, Span: 490 * time.Millisecond, Commands: map[string]SecondStats{All: {Count: 490, Errors: 49}}})
	c := r.throughputChart()
	sent, errs := c.series[0].points, c.series[1].points
	g.Expect(sent).To(HaveLen(7))
	g.Expect(sent[6][0]).To(Equal(6.0))
	g.Expect(sent[6][1]).To(BeNumerically("~", 1000, 1e-9))
	g.Expect(errs[6][1]).To(BeNumerically("~", 100, 1e-9))
	g.Expect(c.note).To(ContainSubstring("the last point covers 490ms, its counts per second of that"))

	// Too short to say a rate: left out, and the note says so.
	r.Timeline[6].Span = 20 * time.Millisecond
	c = r.throughputChart()
	g.Expect(c.series[0].points).To(HaveLen(6))
	g.Expect(c.note).To(ContainSubstring("the last 20ms, too short for a rate, left out"))

	// A whole second (or a report from before spans) is drawn as it is.
	r.Timeline[6].Span = 0
	g.Expect(r.throughputChart().series[0].points[6][1]).To(Equal(490.0))
}

// The collector marks its last bucket with its real length, and a merge keeps it.
func TestTheLastBucketHasItsLength(t *testing.T) {
	g := NewWithT(t)
	start := time.Now()
	c := newCollector(&Config{Shard: Shard{0, 1}}, start)
	r := fakeResult(0, start)
	c.add(&r)
	c.closeSecond(true) // at once: far less than a second
	rep := c.report(time.Millisecond)
	g.Expect(rep.Timeline).To(HaveLen(1))
	g.Expect(rep.Timeline[0].Span).To(And(BeNumerically(">", 0), BeNumerically("<", time.Second)))

	var b bytes.Buffer
	g.Expect(rep.WriteJSON(&b)).To(Succeed())
	data := b.Bytes()
	back, err := ReadJSON(bytes.NewReader(data))
	g.Expect(err).NotTo(HaveOccurred())
	other, err := ReadJSON(bytes.NewReader(data))
	g.Expect(err).NotTo(HaveOccurred())
	other.Shards = []string{"1/2"}
	merged, err := Merge(back, other)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(merged.Timeline[0].Span).To(Equal(rep.Timeline[0].Span))
	g.Expect(merged.Timeline[0].Commands[All].Count).To(Equal(int64(2)))
}
