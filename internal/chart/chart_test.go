package chart

import (
	"math"
	"strconv"
	"testing"

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

func labels(a Axis) []string {
	var out []string
	for _, t := range a.Ticks {
		out = append(out, t.Label)
	}
	return out
}

func TestTicksAreRound(t *testing.T) {
	g := NewWithT(t)
	// The issue's own examples: 558 µs to 1.12 ms, and 221 requests/s.
	g.Expect(labels(LogAxis(0.558, 1.12, MsLabel))).To(Equal([]string{"500 µs", "1 ms", "2 ms"}))
	g.Expect(labels(LinearAxis(221, 5, CountLabel))).To(Equal([]string{"0", "50", "100", "150", "200", "250"}))
	g.Expect(labels(LinearAxis(1500, 5, CountLabel))).To(Equal([]string{"0", "500", "1000", "1500"}))
	g.Expect(labels(LinearAxis(42000, 5, CountLabel))).To(Equal([]string{"0", "10k", "20k", "30k", "40k", "50k"}))
	g.Expect(labels(TimeAxis(11))).To(Equal([]string{"0 s", "2 s", "4 s", "6 s", "8 s", "10 s"}))
	g.Expect(labels(TimeAxis(600))).To(Equal([]string{"0 min", "2 min", "4 min", "6 min", "8 min", "10 min"}))
	// A p99 spike three decades above the p50: powers of ten alone, still covering both.
	a := LogAxis(0.9, 2500, MsLabel)
	g.Expect(labels(a)).To(Equal([]string{"100 µs", "1 ms", "10 ms", "100 ms", "1 s", "10 s"}))

	for _, tc := range []struct {
		ms   float64
		want string
	}{{0.5, "500 µs"}, {0.02, "20 µs"}, {1, "1 ms"}, {2, "2 ms"}, {200, "200 ms"}, {2000, "2 s"}, {0, "0"}} {
		g.Expect(MsLabel(tc.ms)).To(Equal(tc.want))
	}
}

// checkAxis checks what every Axis must be: covering [lo, hi], 2 to 8 round ticks inside it,
// labels free of floating-point dust.
func checkAxis(g Gomega, a Axis, lo, hi float64, name string) {
	g.Expect(a.Lo).To(BeNumerically("<=", lo*(1+1e-9)), name)
	g.Expect(a.Hi).To(BeNumerically(">=", hi*(1-1e-9)), name)
	g.Expect(len(a.Ticks)).To(And(BeNumerically(">=", 2), BeNumerically("<=", 11)), name)
	var step float64
	for i, tk := range a.Ticks {
		g.Expect(tk.V).To(And(BeNumerically(">=", a.Lo*(1-1e-9)), BeNumerically("<=", a.Hi*(1+1e-9))), name)
		g.Expect(tk.Label).NotTo(MatchRegexp(`\d{4,}\.|\.\d{4,}|e[+-]`), name)
		if a.Log {
			g.Expect(round(tk.V)).To(BeTrue(), "%s: Tick %v", name, tk.V)
		} else if i == 1 {
			step = tk.V - a.Ticks[0].V
			g.Expect(round(step)).To(BeTrue(), "%s: step %v", name, step)
		}
	}
}

func TestAxesCoverTheirRangeWithRoundTicks(t *testing.T) {
	g := NewWithT(t)
	for _, lo := range []float64{0.001, 0.0123, 0.558, 1, 3.7, 99, 1234} {
		for _, f := range []float64{1, 1.01, 2, 7.5, 40, 1e3, 1e5} {
			checkAxis(g, LogAxis(lo, lo*f, MsLabel), lo, lo*f, "log "+strconv.FormatFloat(lo*f, 'g', -1, 64))
		}
	}
	for _, top := range []float64{0.3, 1, 7, 55, 111, 166, 221, 999, 1001, 12345, 987654} {
		a := LinearAxis(top, 5, CountLabel)
		checkAxis(g, a, 0, top, "linear "+strconv.FormatFloat(top, 'g', -1, 64))
		g.Expect(len(a.Ticks)).To(BeNumerically("<=", 11))
	}
}

func TestLogScaleKeepsTheP50Readable(t *testing.T) {
	g := NewWithT(t)
	// A p50 of 1 ms under a p99 of 3 ms, then a p99 spike to 2 s: on a linear Axis the two
	// would be 0.1% of the height apart, one line; on the log Axis they stay a tenth apart.
	a := LogAxis(1, 2000, MsLabel)
	g.Expect(a.Frac(3) - a.Frac(1)).To(BeNumerically(">", 0.1))
	g.Expect(a.Frac(2000)).To(BeNumerically(">", 0.75))
	g.Expect(a.Frac(0)).To(Equal(0.0), "a value below the Axis sits on it")
}

func TestAxesSurviveAnyInput(t *testing.T) {
	g := NewWithT(t)
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -5, 0, 1e300, 5e-324} {
		for _, a := range []Axis{LogAxis(v, v, MsLabel), LogAxis(0.5, v, MsLabel), LinearAxis(v, 5, CountLabel), TimeAxis(v)} {
			g.Expect(a.Hi).To(BeNumerically(">", a.Lo))
			g.Expect(a.Ticks).NotTo(BeEmpty())
			g.Expect(math.IsNaN(a.Frac(v))).To(BeFalse())
		}
	}
}

func FuzzAxes(f *testing.F) {
	f.Add(0.558, 1.12, 221.0)
	f.Add(0.001, 600000.0, 0.0)
	f.Fuzz(func(t *testing.T, lo, hi, top float64) {
		for _, a := range []Axis{LogAxis(lo, hi, MsLabel), LinearAxis(top, 5, CountLabel), TimeAxis(top)} {
			if len(a.Ticks) == 0 || len(a.Ticks) > 12 || !(a.Hi > a.Lo) {
				t.Fatalf("Axis %+v", a)
			}
			if f := a.Frac(hi); math.IsNaN(f) || f < 0 || f > 1 {
				t.Fatalf("frac(%v) = %v", hi, f)
			}
		}
	})
}
