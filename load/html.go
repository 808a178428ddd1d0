package load

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"
)

// colors per command, stable across charts.
var colors = map[string]string{"CreateRoom": "#1f77b4", "ModifyAdmin": "#2ca02c", "DestroyRoom": "#d62728", All: "#444444"}

// chart is a line chart drawn as inline SVG: the page needs nothing from the network.
type chart struct {
	title, xLabel, yLabel string
	xTicks                []tick
	series                []series
	yMax                  float64
	xMax                  float64
	yFormat               func(float64) string
}

type tick struct {
	x     float64
	label string
}

type series struct {
	name   string
	points [][2]float64
	dashed bool
}

const (
	chartW, chartH = 720.0, 260.0
	padL, padR     = 70.0, 130.0
	padT, padB     = 30.0, 40.0
)

func (c *chart) svg() template.HTML {
	var b strings.Builder
	pw, ph := chartW-padL-padR, chartH-padT-padB
	xMax, yMax := max(c.xMax, 1e-9), max(c.yMax, 1e-9)
	px := func(x float64) float64 { return padL + x/xMax*pw }
	py := func(y float64) float64 { return padT + ph - y/yMax*ph }
	fmt.Fprintf(&b, `<svg viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<text x="%.0f" y="18" class="title">%s</text>`, padL, template.HTMLEscapeString(c.title))
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" class="frame"/>`, padL, padT, pw, ph)
	for i := 0; i <= 4; i++ {
		y := yMax * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" class="grid"/>`, padL, padL+pw, py(y), py(y))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="ylab">%s</text>`, padL-6, py(y)+4, template.HTMLEscapeString(c.yFormat(y)))
	}
	for _, t := range c.xTicks {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="xlab">%s</text>`, px(t.x), padT+ph+16, template.HTMLEscapeString(t.label))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="xlab">%s</text>`, padL+pw/2, chartH-4, template.HTMLEscapeString(c.xLabel))
	for i, s := range c.series {
		color := colors[strings.Fields(s.name)[0]]
		if color == "" {
			color = "#888"
		}
		var pts []string
		for _, p := range s.points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p[0]), py(min(p[1], yMax))))
		}
		dash := ""
		if s.dashed {
			dash = ` stroke-dasharray="4 3"`
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.6"%s points="%s"/>`, color, dash, strings.Join(pts, " "))
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`, padL+pw+10, padL+pw+28, padT+10+float64(i)*18, padT+10+float64(i)*18, color, dash)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="legend">%s</text>`, padL+pw+32, padT+14+float64(i)*18, template.HTMLEscapeString(s.name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // numbers and escaped text only
}

func msFormat(v float64) string { return short(time.Duration(v * float64(time.Millisecond))) }

// latencyOverTime plots each command's p99 (and the overall p50) per second.
func (r *Report) latencyOverTime() template.HTML {
	c := chart{title: "Latency over time (p99 per command, p50 of all dashed)", xLabel: "seconds since the start", yFormat: msFormat}
	for _, name := range r.commandOrder() {
		s := series{name: name + " p99"}
		p50 := series{name: All + " p50", dashed: true}
		for _, sec := range r.Timeline {
			st, ok := sec.Commands[name]
			if !ok {
				continue
			}
			v := float64(st.P99) / float64(time.Millisecond)
			s.points = append(s.points, [2]float64{float64(sec.At), v})
			c.yMax = max(c.yMax, v)
			if name == All {
				p50.points = append(p50.points, [2]float64{float64(sec.At), float64(st.P50) / float64(time.Millisecond)})
			}
		}
		c.series = append(c.series, s)
		if name == All {
			c.series = append(c.series, p50)
		}
	}
	c.xMax = float64(max(len(r.Timeline)-1, 1))
	c.yMax *= 1.1
	c.xTicks = timeTicks(c.xMax)
	return c.svg()
}

// throughputOverTime plots requests and errors per second.
func (r *Report) throughputOverTime() template.HTML {
	c := chart{title: "Requests per second", xLabel: "seconds since the start", yFormat: func(v float64) string { return fmt.Sprintf("%.0f", v) }}
	sent, errs := series{name: All + " sent"}, series{name: "errors", dashed: true}
	for _, sec := range r.Timeline {
		st := sec.Commands[All]
		sent.points = append(sent.points, [2]float64{float64(sec.At), float64(st.Count)})
		errs.points = append(errs.points, [2]float64{float64(sec.At), float64(st.Errors)})
		c.yMax = max(c.yMax, float64(st.Count))
	}
	c.series = []series{sent, errs}
	c.xMax = float64(max(len(r.Timeline)-1, 1))
	c.yMax *= 1.1
	c.xTicks = timeTicks(c.xMax)
	return c.svg()
}

var percentileTicks = []float64{0, 50, 90, 99, 99.9, 99.99, 99.999}

// percentiles plots the latency by percentile, on the usual 1/(1−q) scale.
func (r *Report) percentiles() template.HTML {
	c := chart{title: "Latency by percentile", xLabel: "percentile", yFormat: msFormat}
	scale := func(q float64) float64 { return math.Log10(1 / (1 - q/100)) }
	for _, name := range r.commandOrder() {
		h := r.Commands[name].Latency
		if h.h == nil && h.decode() != nil {
			continue
		}
		s := series{name: name}
		for x := 0.0; x <= 5; x += 0.05 {
			q := 100 * (1 - math.Pow(10, -x))
			v := float64(h.Quantile(q)) / float64(time.Millisecond)
			s.points = append(s.points, [2]float64{x, v})
			c.yMax = max(c.yMax, v)
		}
		c.series = append(c.series, s)
	}
	c.xMax, c.yMax = 5, c.yMax*1.1
	for _, q := range percentileTicks {
		c.xTicks = append(c.xTicks, tick{scale(q), fmt.Sprintf("%g%%", q)})
	}
	return c.svg()
}

func timeTicks(xMax float64) []tick {
	step := math.Max(1, math.Ceil(xMax/10))
	var out []tick
	for x := 0.0; x <= xMax; x += step {
		out = append(out, tick{x, fmt.Sprintf("%.0f", x)})
	}
	return out
}

var page = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>livehook load report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:900px}
table{border-collapse:collapse;margin:12px 0}td,th{padding:3px 10px;text-align:right;border-bottom:1px solid #ddd}
th:first-child,td:first-child{text-align:left}.fail{color:#b00020;font-weight:600}.ok{color:#0a7d32}
svg{display:block;margin:18px 0}.title{font-weight:600;font-size:13px}.frame{fill:none;stroke:#999}
.grid{stroke:#eee}.ylab{font-size:11px;text-anchor:end}.xlab{font-size:11px;text-anchor:middle}.legend{font-size:11px}
code{background:#f4f4f4;padding:1px 4px}
</style></head><body>
<h1>livehook load report</h1>
<p>{{.Summary}}</p>
<p>Sent <b>{{.R.Sent}}</b> requests in {{.Elapsed}}: {{printf "%.1f" .R.AchievedRate}} requests/s. Seed {{.R.Seed}}, shards {{.Shards}}.{{if .R.Interrupted}} <span class="fail">Interrupted.</span>{{end}}</p>
<table><tr><th>outcome</th><th>count</th><th>share</th></tr>
{{range .Outcomes}}<tr><td>{{.Name}}</td><td>{{.Count}}</td><td>{{.Share}}</td></tr>{{end}}</table>
<table><tr><th>latency</th><th>count</th><th>errors</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>
{{range .Rows}}<tr><td>{{.Name}}</td><td>{{.Count}}</td><td>{{.Errors}}</td><td>{{.P50}}</td><td>{{.P90}}</td><td>{{.P99}}</td><td>{{.P999}}</td><td>{{.Max}}</td></tr>{{end}}</table>
<p>Latency counts from each request's <em>scheduled</em> time, so a receiver that stalls shows here rather than in a lower rate.
Service time alone: p99 {{.ServiceP99}}.{{if .Open}} Schedule lag: p99 {{.LagP99}}.{{end}}</p>
{{if .R.Thresholds}}<h2>Thresholds</h2><table>{{range .R.Thresholds}}<tr><td><code>{{.Expr}}</code></td><td>{{.Actual}}</td><td class="{{if .OK}}ok{{else}}fail{{end}}">{{if .OK}}met{{else}}NOT MET{{end}}</td></tr>{{end}}</table>{{end}}
{{.Latency}}
{{.Throughput}}
{{.Percentiles}}
{{if .R.Errors}}<h2>Errors</h2><table><tr><th>outcome</th><th>command</th><th>count</th><th>first message</th></tr>
{{range .R.Errors}}<tr><td>{{.Outcome}}</td><td>{{.Command}}</td><td>{{.Count}}</td><td style="text-align:left">{{.Error}}</td></tr>{{end}}</table>{{end}}
</body></html>
`))

// WriteHTML writes a self-contained page: tables, and charts of the latency over time, the
// throughput, and the latency by percentile per command, as inline SVG (no script, no network).
func (r *Report) WriteHTML(w io.Writer) error {
	type row struct{ Name, Count, Errors, P50, P90, P99, P999, Max string }
	type outcome struct {
		Name  string
		Count int64
		Share string
	}
	var text strings.Builder
	_ = r.WriteText(&text)
	data := struct {
		R                                *Report
		Summary, Elapsed, Shards         string
		ServiceP99, LagP99               string
		Open                             bool
		Rows                             []row
		Outcomes                         []outcome
		Latency, Throughput, Percentiles template.HTML
	}{R: r, Summary: strings.SplitN(text.String(), "\n", 2)[0], Elapsed: r.Duration.Round(time.Millisecond).String(),
		Shards: strings.Join(r.Shards, " "), ServiceP99: short(r.Service.P99), LagP99: short(r.Lag.P99), Open: r.Model == "open",
		Latency: r.latencyOverTime(), Throughput: r.throughputOverTime(), Percentiles: r.percentiles()}
	for _, name := range r.commandOrder() {
		c := r.Commands[name]
		h := c.Latency
		data.Rows = append(data.Rows, row{name, fmt.Sprint(c.Sent), fmt.Sprintf("%.2f%%", 100*r.ErrorRate(name)),
			short(h.P50), short(h.P90), short(h.P99), short(h.P999), short(h.Max)})
	}
	for _, k := range sortedOutcomes(r.Outcomes) {
		data.Outcomes = append(data.Outcomes, outcome{k, r.Outcomes[k], fmt.Sprintf("%.2f%%", 100*float64(r.Outcomes[k])/float64(max(r.Sent, 1)))})
	}
	return page.Execute(w, data)
}
