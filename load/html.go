package load

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"github.com/livehook/livehook/internal/chart"
	"github.com/livehook/livehook/webhook"
)

// colors per command, stable across charts.
var colors = map[string]string{"CreateRoom": "#1f77b4", "ModifyAdmin": "#2ca02c", "DestroyRoom": "#d62728", All: "#444444", "errors": "#b00020"}

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
	c := chart.Chart{ID: "latency-over-time", Title: "Latency over time", Note: "p99 per command, p50 of all dashed; log scale", XLabel: "time since the start"}
	lo, hi := math.Inf(1), 0.0
	for _, name := range r.commandOrder() {
		s := chart.Series{Name: name + " p99", Color: color(name)}
		p50 := chart.Series{Name: All + " p50", Color: color(All), Dashed: true}
		for _, sec := range r.Timeline {
			st, ok := sec.Commands[name]
			if !ok || st.Count == 0 {
				continue
			}
			s.Points = append(s.Points, [2]float64{float64(sec.At), ms(st.P99)})
			lo, hi = min(lo, ms(st.P99)), max(hi, ms(st.P99))
			if name == All {
				p50.Points = append(p50.Points, [2]float64{float64(sec.At), ms(st.P50)})
				lo = min(lo, ms(st.P50))
			}
		}
		c.Series = append(c.Series, s)
		if name == All {
			c.Series = append(c.Series, p50)
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 1, 1
	}
	c.X = chart.TimeAxis(float64(len(r.Timeline) - 1))
	c.Y = chart.LogAxis(max(lo, 0.001), hi, chart.MsLabel)
	return c.HTML()
}

// throughputOverTime plots requests and errors per second.
func (r *Report) throughputOverTime() template.HTML {
	c := r.throughputChart()
	return c.HTML()
}

// minRateSpan is the shortest bucket whose rate is plotted: the run's last, partial second is
// scaled to a rate per second of its real length, unless it is too short to say one.
const minRateSpan = 100 * time.Millisecond

// throughputChart is the chart.Chart of requests and errors per second. A bucket shorter than a
// second (the run's last) has its counts divided by its length, so that a run ending 0.49 s into
// a second does not show a collapse to half the rate; one under minRateSpan is left out.
func (r *Report) throughputChart() chart.Chart {
	c := chart.Chart{ID: "throughput", Title: "Requests per second", Note: "all sent; errors dashed", XLabel: "time since the start"}
	sent := chart.Series{Name: All + " sent", Color: color(All)}
	errs := chart.Series{Name: "errors", Color: color("errors"), Dashed: true}
	top := 0.0
	for _, sec := range r.Timeline {
		st := sec.Commands[All]
		per := 1.0
		if sec.Span > 0 && sec.Span < time.Second {
			if sec.Span < minRateSpan {
				c.Note += fmt.Sprintf("; the last %s, too short for a rate, left out", short(sec.Span))
				continue
			}
			per = sec.Span.Seconds()
			c.Note += fmt.Sprintf("; the last point covers %s, its counts per second of that", short(sec.Span))
		}
		sent.Points = append(sent.Points, [2]float64{float64(sec.At), float64(st.Count) / per})
		errs.Points = append(errs.Points, [2]float64{float64(sec.At), float64(st.Errors) / per})
		top = max(top, float64(st.Count)/per)
	}
	c.Series = []chart.Series{sent, errs}
	c.X = chart.TimeAxis(float64(len(r.Timeline) - 1))
	c.Y = chart.LinearAxis(top, 5, chart.CountLabel)
	return c
}

// percentileTicks are the percentiles marked on the x axis.
var percentileTicks = []float64{0, 50, 90, 99, 99.9, 99.99, 99.999}

// percentiles plots the latency by percentile per command, the percentiles on the usual
// 1/(1−q) scale, as far as the number of requests resolves them, and the latency on a log scale.
func (r *Report) percentiles() template.HTML {
	c := chart.Chart{ID: "percentiles", Title: "Latency by percentile", Note: "per command; log scale", XLabel: "percentile"}
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
		s := chart.Series{Name: name, Color: color(name)}
		for x := 0.0; x <= nines+1e-9; x += nines / 100 {
			v := ms(h.Quantile(100 * (1 - math.Pow(10, -x))))
			s.Points = append(s.Points, [2]float64{x, v})
			lo, hi = min(lo, v), max(hi, v)
		}
		c.Series = append(c.Series, s)
	}
	if math.IsInf(lo, 1) {
		lo, hi = 1, 1
	}
	c.X = chart.Axis{Lo: 0, Hi: nines}
	for _, q := range percentileTicks {
		if scale(q) <= nines+1e-9 {
			c.X.Ticks = append(c.X.Ticks, chart.Tick{V: scale(q), Label: chart.TrimFloat(q) + "%"})
		}
	}
	c.Y = chart.LogAxis(max(lo, 0.001), hi, chart.MsLabel)
	return c.HTML()
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
{{range .R.RunErrors}}<p class="msg">The run itself failed: {{.}}</p>{{end}}
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
	}{R: r, Summary: r.headline(), Elapsed: r.Duration.Round(time.Millisecond).String(),
		Shards: strings.Join(r.Shards, " "), Started: started, Unsent: r.unsentNote(), CutOff: r.cutOffNote(), ServiceP99: short(r.Service.P99), LagP99: short(r.Lag.P99), Open: r.Model == Open,
		Latency: r.latencyOverTime(), Throughput: r.throughputOverTime(), Percentiles: r.percentiles()}
	for _, name := range r.commandOrder() {
		c := r.Commands[name]
		h := c.Latency
		data.Rows = append(data.Rows, row{name, firstWord(name), fmt.Sprint(c.Sent), fmt.Sprint(c.Outcomes[webhook.Acknowledged]), fmt.Sprintf("%d (%.2f%%)", c.Errors(), 100*r.ErrorRate(name)),
			short(h.P50), short(h.P90), short(h.P99), short(h.P999), short(h.Max), short(h.Mean)})
	}
	for _, k := range sortedOutcomes(r.Outcomes) {
		data.Outcomes = append(data.Outcomes, outcome{outcomeLabel(k), r.Outcomes[k], fmt.Sprintf("%.2f%%", 100*float64(r.Outcomes[k])/float64(max(r.Sent, 1)))})
	}
	return page.Execute(w, data)
}
