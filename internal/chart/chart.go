// Package chart draws line charts as inline SVG for livehook's HTML reports: axes, linear, of
// time or logarithmic, with round ticks, and each chart in a wide and a narrow layout, so that
// the page needs nothing from the network and reads on a desktop and on a phone.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// The page draws each chart twice, for wide and for narrow screens (a stylesheet media query shows
// one), so that the text of both stays legible without a script: an SVG scaled down to a phone's
// width would shrink its labels to nothing.
var layouts = []struct {
	class      string
	w, h, font float64
}{{"wide", 960, 300, 13}, {"narrow", 360, 250, 11}}

// Tick is a labelled value on an axis.
type Tick struct {
	V     float64
	Label string
}

// Axis maps data values onto a range of the plot, linearly or on a log scale, with round ticks.
type Axis struct {
	// Lo and Hi are the values at the axis's ends; Log puts it on a log scale.
	Lo, Hi float64
	Log    bool
	Ticks  []Tick
}

// Frac is where v falls on the axis, from 0 (Lo) to 1 (Hi), clamped.
func (a Axis) Frac(v float64) float64 {
	var f float64
	if a.Log {
		v = max(v, a.Lo)
		f = (math.Log10(v) - math.Log10(a.Lo)) / (math.Log10(a.Hi) - math.Log10(a.Lo))
	} else {
		f = (v - a.Lo) / (a.Hi - a.Lo)
	}
	if math.IsNaN(f) {
		return 0
	}
	return min(max(f, 0), 1)
}

// niceStep rounds a raw step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// LinearAxis runs from 0 to the first tick at or above top, in about n round steps.
func LinearAxis(top float64, n int, label func(float64) string) Axis {
	top = finite(top, 1e-9, 1e15)
	n = max(n, 1)
	step := niceStep(top / float64(n))
	hi := math.Ceil(top/step-1e-9) * step
	a := Axis{Lo: 0, Hi: hi}
	for i := 0.0; i*step <= hi*(1+1e-9); i++ {
		a.Ticks = append(a.Ticks, Tick{i * step, label(i * step)})
	}
	return a
}

// TimeAxis runs from 0 to the last second, with ticks every 1, 2 or 5 × 10ⁿ seconds, or minutes
// for runs over two minutes.
func TimeAxis(last float64) Axis {
	last = finite(last, 1, 1e9)
	unit, name := 1.0, "s"
	if last > 120 {
		unit, name = 60, "min"
	}
	step := max(niceStep(last/unit/6), 1) * unit
	a := Axis{Lo: 0, Hi: last}
	for v := 0.0; v <= last+1e-9; v += step {
		a.Ticks = append(a.Ticks, Tick{v, TrimFloat(v/unit) + " " + name})
	}
	return a
}

// LogAxis covers lo to hi (both > 0) from the round value at or below lo to the one at or above
// hi, with ticks at 1, 2 and 5 × 10ⁿ, or at the powers of ten alone when those would crowd.
func LogAxis(lo, hi float64, label func(float64) string) Axis {
	lo, hi = finite(lo, 1e-9, 1e12), finite(hi, 1e-9, 1e12)
	hi = max(hi, lo)
	a := logLadder(lo, hi, []float64{1, 2, 5}, 1, label)
	for every := 1.0; len(a.Ticks) > 8; every++ {
		a = logLadder(lo, hi, []float64{1}, every, label)
	}
	return a
}

// logLadder is LogAxis with ticks at the given mantissas times every so many powers of ten.
func logLadder(lo, hi float64, mantissas []float64, every float64, label func(float64) string) Axis {
	var ladder []float64
	first := math.Floor((math.Floor(math.Log10(lo))-1)/every) * every
	for e := first; e <= math.Ceil(math.Log10(hi))+every; e += every {
		for _, m := range mantissas {
			ladder = append(ladder, m*math.Pow(10, e))
		}
	}
	a := Axis{Log: true, Lo: ladder[0], Hi: ladder[len(ladder)-1]}
	for i, v := range ladder {
		if v <= lo*(1+1e-9) {
			a.Lo = v
		}
		if v >= hi*(1-1e-9) {
			a.Hi = v
			if a.Hi == a.Lo && i+1 < len(ladder) {
				a.Hi = ladder[i+1]
			}
			break
		}
	}
	for _, v := range ladder {
		if v >= a.Lo*(1-1e-9) && v <= a.Hi*(1+1e-9) {
			a.Ticks = append(a.Ticks, Tick{v, label(v)})
		}
	}
	return a
}

// finite clamps v into [lo, hi], and takes lo for NaN.
func finite(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return lo
	}
	return min(max(v, lo), hi)
}

// TrimFloat prints a round value without floating-point dust: 0.5, 20, 1500.
func TrimFloat(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// MsLabel labels a duration given in milliseconds: 500 µs, 1 ms, 2 s.
func MsLabel(ms float64) string {
	switch {
	case ms == 0:
		return "0"
	case ms < 1:
		return TrimFloat(ms*1000) + " µs"
	case ms < 1000:
		return TrimFloat(ms) + " ms"
	}
	return TrimFloat(ms/1000) + " s"
}

// CountLabel labels a count: 500, 1500, 20k.
func CountLabel(v float64) string {
	if v >= 10000 {
		return TrimFloat(v/1000) + "k"
	}
	return TrimFloat(v)
}

// Series is one line of a chart.
type Series struct {
	Name, Color string
	Dashed      bool
	// Points are the (x, y) values, in the order the line joins them.
	Points [][2]float64
}

// Chart is a line chart drawn as inline SVG: the page needs nothing from the network.
type Chart struct {
	// ID is the figure's HTML id; Note follows the Title in smaller type; XLabel names the x axis.
	ID, Title, Note, XLabel string
	X, Y                    Axis
	Series                  []Series
}

// HTML is the chart as a figure: its title, an HTML legend that wraps on narrow screens, and
// the plot in both layouts.
func (c *Chart) HTML() template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart" id="%s"><figcaption>%s <small>%s</small></figcaption><div class="legend">`,
		c.ID, template.HTMLEscapeString(c.Title), template.HTMLEscapeString(c.Note))
	for _, s := range c.Series {
		style := "solid"
		if s.Dashed {
			style = "dashed"
		}
		fmt.Fprintf(&b, `<span><i style="border-top:3px %s %s"></i>%s</span>`, style, s.Color, template.HTMLEscapeString(s.Name))
	}
	b.WriteString(`</div>`)
	for _, l := range layouts {
		c.svg(&b, l.class, l.w, l.h, l.font)
	}
	b.WriteString(`</figure>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and escaped text only
}

func (c *Chart) svg(b *strings.Builder, class string, w, h, font float64) {
	longest := 0
	for _, t := range c.Y.Ticks {
		longest = max(longest, len([]rune(t.Label)))
	}
	padL, padR := 10+float64(longest)*font*0.62, font*2.2
	padT, padB := font, font*3.2
	pw, ph := w-padL-padR, h-padT-padB
	px := func(v float64) float64 { return padL + c.X.Frac(v)*pw }
	py := func(v float64) float64 { return padT + (1-c.Y.Frac(v))*ph }
	fmt.Fprintf(b, `<svg class="%s" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg" font-size="%.0f">`,
		class, w, h, template.HTMLEscapeString(c.Title), font)
	for _, t := range c.Y.Ticks {
		y := py(t.V)
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, padL, padL+pw, y, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="ylab">%s</text>`, padL-5, y+font*0.35, template.HTMLEscapeString(t.Label))
	}
	right := math.Inf(-1) // where the last x label drawn ends: a label that would overlap it is left out
	for _, t := range c.X.Ticks {
		x := px(t.V)
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, x, x, padT, padT+ph)
		half := float64(len([]rune(t.Label))) * font * 0.31
		if x-half < right+font*0.6 {
			continue
		}
		right = x + half
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="xlab">%s</text>`, x, padT+ph+font*1.3, template.HTMLEscapeString(t.Label))
	}
	fmt.Fprintf(b, `<path d="M%.1f %.1fV%.1fH%.1f" class="axis"/>`, padL, padT, padT+ph, padL+pw)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="xlab">%s</text>`, padL+pw/2, h-font*0.3, template.HTMLEscapeString(c.XLabel))
	for _, s := range c.Series {
		if len(s.Points) == 0 {
			continue
		}
		pts := make([]string, 0, len(s.Points))
		for _, p := range s.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p[0]), py(p[1])))
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="5 4"`
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="1.8" stroke-linejoin="round"%s points="%s"/>`, s.Color, dash, strings.Join(pts, " "))
	}
	b.WriteString(`</svg>`)
}
