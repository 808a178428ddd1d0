package load

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/livehook/livehook/webhook"
)

// colors per command, stable across charts.
var colors = map[string]string{"CreateRoom": "#1f77b4", "ModifyAdmin": "#2ca02c", "DestroyRoom": "#d62728", All: "#444444", "errors": "#b00020"}

// The page draws each chart twice, for wide and for narrow screens (a stylesheet media query shows
// one), so that the text of both stays legible without a script: an SVG scaled down to a phone's
// width would shrink its labels to nothing.
var layouts = []struct {
	class      string
	w, h, font float64
}{{"wide", 960, 300, 13}, {"narrow", 360, 250, 11}}

// tick is a labelled value on an axis.
type tick struct {
	v     float64
	label string
}

// axis maps data values onto a range of the plot, linearly or on a log scale, with round ticks.
type axis struct {
	lo, hi float64
	log    bool
	ticks  []tick
}

// frac is where v falls on the axis, from 0 (lo) to 1 (hi), clamped.
func (a axis) frac(v float64) float64 {
	var f float64
	if a.log {
		v = max(v, a.lo)
		f = (math.Log10(v) - math.Log10(a.lo)) / (math.Log10(a.hi) - math.Log10(a.lo))
	} else {
		f = (v - a.lo) / (a.hi - a.lo)
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

// linearAxis runs from 0 to the first tick at or above top, in about n round steps.
func linearAxis(top float64, n int, label func(float64) string) axis {
	top = finite(top, 1e-9, 1e15)
	n = max(n, 1)
	step := niceStep(top / float64(n))
	hi := math.Ceil(top/step-1e-9) * step
	a := axis{lo: 0, hi: hi}
	for i := 0.0; i*step <= hi*(1+1e-9); i++ {
		a.ticks = append(a.ticks, tick{i * step, label(i * step)})
	}
	return a
}

// timeAxis runs from 0 to the last second, with ticks every 1, 2 or 5 × 10ⁿ seconds, or minutes
// for runs over two minutes.
func timeAxis(last float64) axis {
	last = finite(last, 1, 1e9)
	unit, name := 1.0, "s"
	if last > 120 {
		unit, name = 60, "min"
	}
	step := max(niceStep(last/unit/6), 1) * unit
	a := axis{lo: 0, hi: last}
	for v := 0.0; v <= last+1e-9; v += step {
		a.ticks = append(a.ticks, tick{v, trimFloat(v/unit) + " " + name})
	}
	return a
}

// logAxis covers lo to hi (both > 0) from the round value at or below lo to the one at or above
// hi, with ticks at 1, 2 and 5 × 10ⁿ, or at the powers of ten alone when those would crowd.
func logAxis(lo, hi float64, label func(float64) string) axis {
	lo, hi = finite(lo, 1e-9, 1e12), finite(hi, 1e-9, 1e12)
	hi = max(hi, lo)
	a := logLadder(lo, hi, []float64{1, 2, 5}, 1, label)
	for every := 1.0; len(a.ticks) > 8; every++ {
		a = logLadder(lo, hi, []float64{1}, every, label)
	}
	return a
}

// logLadder is logAxis with ticks at the given mantissas times every so many powers of ten.
func logLadder(lo, hi float64, mantissas []float64, every float64, label func(float64) string) axis {
	var ladder []float64
	first := math.Floor((math.Floor(math.Log10(lo))-1)/every) * every
	for e := first; e <= math.Ceil(math.Log10(hi))+every; e += every {
		for _, m := range mantissas {
			ladder = append(ladder, m*math.Pow(10, e))
		}
	}
	a := axis{log: true, lo: ladder[0], hi: ladder[len(ladder)-1]}
	for i, v := range ladder {
		if v <= lo*(1+1e-9) {
			a.lo = v
		}
		if v >= hi*(1-1e-9) {
			a.hi = v
			if a.hi == a.lo && i+1 < len(ladder) {
				a.hi = ladder[i+1]
			}
			break
		}
	}
	for _, v := range ladder {
		if v >= a.lo*(1-1e-9) && v <= a.hi*(1+1e-9) {
			a.ticks = append(a.ticks, tick{v, label(v)})
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

// trimFloat prints a round value without floating-point dust: 0.5, 20, 1500.
func trimFloat(v float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// msLabel labels a duration given in milliseconds: 500 µs, 1 ms, 2 s.
func msLabel(ms float64) string {
	switch {
	case ms == 0:
		return "0"
	case ms < 1:
		return trimFloat(ms*1000) + " µs"
	case ms < 1000:
		return trimFloat(ms) + " ms"
	}
	return trimFloat(ms/1000) + " s"
}

// countLabel labels a count: 500, 1500, 20k.
func countLabel(v float64) string {
	if v >= 10000 {
		return trimFloat(v/1000) + "k"
	}
	return trimFloat(v)
}

// series is one line of a chart.
type series struct {
	name, color string
	dashed      bool
	points      [][2]float64
}

// chart is a line chart drawn as inline SVG: the page needs nothing from the network.
type chart struct {
	id, title, note, xLabel string
	x, y                    axis
	series                  []series
}

// html is the chart as a figure: its title, an HTML legend that wraps on narrow screens, and
// the plot in both layouts.
func (c *chart) html() template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart" id="%s"><figcaption>%s <small>%s</small></figcaption><div class="legend">`,
		c.id, template.HTMLEscapeString(c.title), template.HTMLEscapeString(c.note))
	for _, s := range c.series {
		style := "solid"
		if s.dashed {
			style = "dashed"
		}
		fmt.Fprintf(&b, `<span><i style="border-top:3px %s %s"></i>%s</span>`, style, s.color, template.HTMLEscapeString(s.name))
	}
	b.WriteString(`</div>`)
	for _, l := range layouts {
		c.svg(&b, l.class, l.w, l.h, l.font)
	}
	b.WriteString(`</figure>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and escaped text only
}

func (c *chart) svg(b *strings.Builder, class string, w, h, font float64) {
	longest := 0
	for _, t := range c.y.ticks {
		longest = max(longest, len([]rune(t.label)))
	}
	padL, padR := 10+float64(longest)*font*0.62, font*2.2
	padT, padB := font, font*3.2
	pw, ph := w-padL-padR, h-padT-padB
	px := func(v float64) float64 { return padL + c.x.frac(v)*pw }
	py := func(v float64) float64 { return padT + (1-c.y.frac(v))*ph }
	fmt.Fprintf(b, `<svg class="%s" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg" font-size="%.0f">`,
		class, w, h, template.HTMLEscapeString(c.title), font)
	for _, t := range c.y.ticks {
		y := py(t.v)
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, padL, padL+pw, y, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="ylab">%s</text>`, padL-5, y+font*0.35, template.HTMLEscapeString(t.label))
	}
	right := math.Inf(-1) // where the last x label drawn ends: a label that would overlap it is left out
	for _, t := range c.x.ticks {
		x := px(t.v)
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, x, x, padT, padT+ph)
		half := float64(len([]rune(t.label))) * font * 0.31
		if x-half < right+font*0.6 {
			continue
		}
		right = x + half
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="xlab">%s</text>`, x, padT+ph+font*1.3, template.HTMLEscapeString(t.label))
	}
	fmt.Fprintf(b, `<path d="M%.1f %.1fV%.1fH%.1f" class="axis"/>`, padL, padT, padT+ph, padL+pw)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="xlab">%s</text>`, padL+pw/2, h-font*0.3, template.HTMLEscapeString(c.xLabel))
	for _, s := range c.series {
		if len(s.points) == 0 {
			continue
		}
		pts := make([]string, 0, len(s.points))
		for _, p := range s.points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p[0]), py(p[1])))
		}
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="5 4"`
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="1.8" stroke-linejoin="round"%s points="%s"/>`, s.color, dash, strings.Join(pts, " "))
	}
	b.WriteString(`</svg>`)
}

// firstWord is the first word of a CamelCase name, for narrow tables: ModifyAdmin → Modify.
func firstWord(name string) string {
	for i, r := range name {
		if i > 0 && r >= 'A' && r <= 'Z' {
			return name[:i]
		}
	}
	return name
}

func color(name string) string {
	if c, ok := colors[name]; ok {
		return c
	}
	return "#888888"
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// latencyOverTime plots each command's p99 (and the overall p50) per second, on a log scale so
// that the p50 stays readable when the p99 spikes.
func (r *Report) latencyOverTime() template.HTML {
	c := chart{id: "latency-over-time", title: "Latency over time", note: "p99 per command, p50 of all dashed; log scale", xLabel: "time since the start"}
	lo, hi := math.Inf(1), 0.0
	for _, name := range r.commandOrder() {
		s := series{name: name + " p99", color: color(name)}
		p50 := series{name: All + " p50", color: color(All), dashed: true}
		for _, sec := range r.Timeline {
			st, ok := sec.Commands[name]
			if !ok || st.Count == 0 {
				continue
			}
			s.points = append(s.points, [2]float64{float64(sec.At), ms(st.P99)})
			lo, hi = min(lo, ms(st.P99)), max(hi, ms(st.P99))
			if name == All {
				p50.points = append(p50.points, [2]float64{float64(sec.At), ms(st.P50)})
				lo = min(lo, ms(st.P50))
			}
		}
		c.series = append(c.series, s)
		if name == All {
			c.series = append(c.series, p50)
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 1, 1
	}
	c.x = timeAxis(float64(len(r.Timeline) - 1))
	c.y = logAxis(max(lo, 0.001), hi, msLabel)
	return c.html()
}

// throughputOverTime plots requests and errors per second.
func (r *Report) throughputOverTime() template.HTML {
	c := r.throughputChart()
	return c.html()
}

// minRateSpan is the shortest bucket whose rate is plotted: the run's last, partial second is
// scaled to a rate per second of its real length, unless it is too short to say one.
const minRateSpan = 100 * time.Millisecond

// throughputChart is the chart of requests and errors per second. A bucket shorter than a
// second (the run's last) has its counts divided by its length, so that a run ending 0.49 s into
// a second does not show a collapse to half the rate; one under minRateSpan is left out.
func (r *Report) throughputChart() chart {
	c := chart{id: "throughput", title: "Requests per second", note: "all sent; errors dashed", xLabel: "time since the start"}
	sent := series{name: All + " sent", color: color(All)}
	errs := series{name: "errors", color: color("errors"), dashed: true}
	top := 0.0
	for _, sec := range r.Timeline {
		st := sec.Commands[All]
		per := 1.0
		if sec.Span > 0 && sec.Span < time.Second {
			if sec.Span < minRateSpan {
				c.note += fmt.Sprintf("; the last %s, too short for a rate, left out", short(sec.Span))
				continue
			}
			per = sec.Span.Seconds()
			c.note += fmt.Sprintf("; the last point covers %s, its counts per second of that", short(sec.Span))
		}
		sent.points = append(sent.points, [2]float64{float64(sec.At), float64(st.Count) / per})
		errs.points = append(errs.points, [2]float64{float64(sec.At), float64(st.Errors) / per})
		top = max(top, float64(st.Count)/per)
	}
	c.series = []series{sent, errs}
	c.x = timeAxis(float64(len(r.Timeline) - 1))
	c.y = linearAxis(top, 5, countLabel)
	return c
}

// percentileTicks are the percentiles marked on the x axis.
var percentileTicks = []float64{0, 50, 90, 99, 99.9, 99.99, 99.999}

// percentiles plots the latency by percentile per command, the percentiles on the usual
// 1/(1−q) scale, as far as the number of requests resolves them, and the latency on a log scale.
func (r *Report) percentiles() template.HTML {
	c := chart{id: "percentiles", title: "Latency by percentile", note: "per command; log scale", xLabel: "percentile"}
	scale := func(q float64) float64 { return math.Log10(1 / (1 - q/100)) }
	nines := 2.0
	if all, ok := r.Commands[All]; ok && all.Latency != nil {
		nines = min(max(math.Ceil(math.Log10(float64(max(all.Latency.Count, 1)))), 2), 5)
	}
	lo, hi := math.Inf(1), 0.0
	for _, name := range r.commandOrder() {
		h := r.Commands[name].Latency
		if h == nil || h.Count == 0 || h.h == nil && h.decode() != nil {
			continue
		}
		s := series{name: name, color: color(name)}
		for x := 0.0; x <= nines+1e-9; x += nines / 100 {
			v := ms(h.Quantile(100 * (1 - math.Pow(10, -x))))
			s.points = append(s.points, [2]float64{x, v})
			lo, hi = min(lo, v), max(hi, v)
		}
		c.series = append(c.series, s)
	}
	if math.IsInf(lo, 1) {
		lo, hi = 1, 1
	}
	c.x = axis{lo: 0, hi: nines}
	for _, q := range percentileTicks {
		if scale(q) <= nines+1e-9 {
			c.x.ticks = append(c.x.ticks, tick{scale(q), trimFloat(q) + "%"})
		}
	}
	c.y = logAxis(max(lo, 0.001), hi, msLabel)
	return c.html()
}

var page = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>livehook load report, {{.Started}}</title>
<style>
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:20px 24px;max-width:1040px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px}
p{margin:6px 0;overflow-wrap:anywhere}.meta{color:#555}
.scroll{overflow-x:auto;margin:10px 0}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
td,th{padding:4px 10px;text-align:right;border-bottom:1px solid #ddd;white-space:nowrap}
th{font-weight:600;background:#f6f6f6}
th:first-child,td:first-child{text-align:left}td.msg{text-align:left;white-space:normal;overflow-wrap:anywhere;min-width:14em}
.fail{color:#b00020;font-weight:600}.ok{color:#0a7d32;font-weight:600}
.chart{margin:26px 0 0}.chart figcaption{font-weight:600}.chart small{font-weight:400;color:#666}
.legend{display:flex;flex-wrap:wrap;gap:2px 16px;font-size:13px;margin:4px 0}
.legend i{display:inline-block;width:22px;vertical-align:middle;margin-right:6px}
svg{display:block;width:100%;height:auto;overflow:visible}svg.narrow{display:none}
.grid{stroke:#e6e6e6}.axis{fill:none;stroke:#999}.ylab{text-anchor:end;fill:#444}.xlab{text-anchor:middle;fill:#444}
code{background:#f4f4f4;padding:1px 4px;border-radius:3px}.short{display:none}
@media (max-width:640px){
body{padding:8px;font-size:14px}h1{font-size:19px}
td,th{padding:3px 2px;font-size:12px}.long{display:none}.short{display:inline}
svg.wide{display:none}svg.narrow{display:block}
}
</style></head><body>
<h1>livehook load report</h1>
<p class="meta">{{.Started}} · {{.Elapsed}} · seed {{.R.Seed}} · shards {{.Shards}}</p>
<p>{{.Summary}}</p>
<p>Sent <b>{{.R.Sent}}</b> requests in {{.Elapsed}}: <b>{{printf "%.1f" .R.AchievedRate}}</b> requests/s.{{if .R.Interrupted}} <span class="fail">Interrupted: the figures cover what was sent until then.</span>{{end}}{{with .Unsent}} <span class="fail">{{.}}</span>{{end}}{{with .CutOff}} <span class="fail">{{.}}</span>{{end}}</p>
{{if .R.Thresholds}}<h2>Thresholds</h2><div class="scroll"><table>{{range .R.Thresholds}}<tr><td><code>{{.Expr}}</code></td><td>{{.Actual}}</td><td class="{{if .OK}}ok{{else}}fail{{end}}">{{if .OK}}met{{else}}NOT MET{{end}}</td></tr>{{end}}</table></div>{{end}}
<h2 id="requests">Requests</h2>
<div class="scroll"><table><tr><th>command</th><th>sent</th><th>acknowledged</th><th>errors</th></tr>
{{range .Rows}}<tr><td>{{.Name}}</td><td>{{.Count}}</td><td>{{.Acked}}</td><td>{{.Errors}}</td></tr>{{end}}</table></div>
<h2 id="latency">Latency</h2>
<div class="scroll"><table><tr><th>command</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr>
{{range .Rows}}<tr><td><span class="long">{{.Name}}</span><span class="short">{{.Short}}</span></td><td>{{.P50}}</td><td>{{.P90}}</td><td>{{.P99}}</td><td>{{.P999}}</td><td>{{.Max}}</td><td>{{.Mean}}</td></tr>{{end}}</table></div>
<p>Latency counts from each request's <em>scheduled</em> time, so a receiver that stalls shows here rather than in a lower rate.
Service time alone: p99 {{.ServiceP99}}.{{if .Open}} Schedule lag: p99 {{.LagP99}}.{{end}}</p>
<h2 id="outcomes">Outcomes</h2>
<div class="scroll"><table><tr><th>outcome</th><th>count</th><th>share</th></tr>
{{range .Outcomes}}<tr><td>{{.Name}}</td><td>{{.Count}}</td><td>{{.Share}}</td></tr>{{end}}</table></div>
{{.Latency}}
{{.Throughput}}
{{.Percentiles}}
{{if .R.Errors}}<h2>Errors</h2><div class="scroll"><table><tr><th>outcome</th><th>command</th><th>count</th><th>first message</th></tr>
{{range .R.Errors}}<tr><td>{{.Outcome}}</td><td>{{.Command}}</td><td>{{.Count}}</td><td class="msg">{{.Error}}</td></tr>{{end}}</table></div>{{end}}
</body></html>
`))

// WriteHTML writes a self-contained page (inline SVG and CSS, no script, no network) that reads
// on a desktop and on a phone: the run's date and figures, tables of the latency (with the mean)
// and the outcomes, and charts of the latency over time, the throughput, and the latency by
// percentile per command, the latency on log scales with round ticks.
func (r *Report) WriteHTML(w io.Writer) error {
	type row struct{ Name, Short, Count, Acked, Errors, P50, P90, P99, P999, Max, Mean string }
	type outcome struct {
		Name  string
		Count int64
		Share string
	}
	var text strings.Builder
	_ = r.WriteText(&text)
	started := "start unknown"
	if !r.Started.IsZero() {
		started = r.Started.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	data := struct {
		R                                *Report
		Summary, Elapsed, Shards         string
		Started, ServiceP99, LagP99      string
		Unsent, CutOff                   string
		Open                             bool
		Rows                             []row
		Outcomes                         []outcome
		Latency, Throughput, Percentiles template.HTML
	}{R: r, Summary: strings.SplitN(text.String(), "\n", 2)[0], Elapsed: r.Duration.Round(time.Millisecond).String(),
		Shards: strings.Join(r.Shards, " "), Started: started, Unsent: r.unsentNote(), CutOff: r.cutOffNote(), ServiceP99: short(r.Service.P99), LagP99: short(r.Lag.P99), Open: r.Model == Open,
		Latency: r.latencyOverTime(), Throughput: r.throughputOverTime(), Percentiles: r.percentiles()}
	for _, name := range r.commandOrder() {
		c := r.Commands[name]
		h := c.Latency
		data.Rows = append(data.Rows, row{name, firstWord(name), fmt.Sprint(c.Sent), fmt.Sprint(c.Outcomes[webhook.Acknowledged]), fmt.Sprintf("%d (%.2f%%)", c.Errors(), 100*r.ErrorRate(name)),
			short(h.P50), short(h.P90), short(h.P99), short(h.P999), short(h.Max), short(h.Mean)})
	}
	for _, k := range sortedOutcomes(r.Outcomes) {
		data.Outcomes = append(data.Outcomes, outcome{outcomeLabel(k.String()), r.Outcomes[k], fmt.Sprintf("%.2f%%", 100*float64(r.Outcomes[k])/float64(max(r.Sent, 1)))})
	}
	return page.Execute(w, data)
}
