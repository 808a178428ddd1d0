package load

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/livehook/livehook/internal/plural"
	"github.com/livehook/livehook/sender"
	"github.com/livehook/livehook/webhook"
)

// commandOrder lists the commands for reports: lifecycle order, then All.
func (r *Report) commandOrder() []string {
	var out []string
	for _, c := range webhook.Commands {
		if _, ok := r.Commands[c.Short()]; ok {
			out = append(out, c.Short())
		}
	}
	if _, ok := r.Commands[All]; ok {
		out = append(out, All)
	}
	return out
}

// headline is the report's first line, for the text report and the HTML page alike: the model,
// the traffic, the target, the seed and the shards.
func (r *Report) headline() string {
	what := ""
	switch r.Model {
	case Open:
		what = fmt.Sprintf("open model, %g requests/s", r.Rate)
		if r.RampTo > 0 {
			what = fmt.Sprintf("open model, ramp %g → %g requests/s", r.Rate, r.RampTo)
		}
		if r.Traffic == Rooms {
			what = "open model, the generator's rooms"
		}
	case Closed:
		what = "closed model, " + plural.Of(r.Concurrency, "sender")
	}
	return fmt.Sprintf("livehook load: %s against %s, seed %d, shard %s", what, r.Target, r.Seed, strings.Join(r.Shards, " "))
}

// WriteText writes the report for people.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	b.WriteString(r.headline() + "\n")
	if r.Interrupted {
		b.WriteString("Interrupted: the figures cover what was sent until then.\n")
	}
	fmt.Fprintf(&b, "Sent %s in %s: %.1f requests/s\n", plural.Of(r.Sent, "request"), r.Duration.Round(time.Millisecond), r.AchievedRate())
	for _, note := range []string{r.unsentNote(), r.cutOffNote(), r.trendNote()} {
		if note != "" {
			b.WriteString(note + "\n")
		}
	}
	if r.Delivery != "" {
		fmt.Fprintf(&b, "Delivered under %s: %s, %d sent after a later webhook of their room\n", r.Delivery, plural.Of(r.Redelivered, "redelivery"), r.Reordered)
	}
	var parts []string
	for _, k := range sortedOutcomes(r.Outcomes) {
		parts = append(parts, fmt.Sprintf("%s %d (%.2f%%)", outcomeLabel(k), r.Outcomes[k], 100*float64(r.Outcomes[k])/float64(max(r.Sent, 1))))
	}
	fmt.Fprintf(&b, "Outcomes: %s\n\n", strings.Join(parts, ", "))
	fmt.Fprintf(&b, "%-12s %9s %8s %9s %9s %9s %9s %9s %9s\n", "latency", "count", "errors", "p50", "p90", "p99", "p99.9", "max", "mean")
	for _, name := range r.commandOrder() {
		c := r.Commands[name]
		h := c.Latency
		fmt.Fprintf(&b, "%-12s %9d %7.2f%% %9s %9s %9s %9s %9s %9s\n", name, c.Judged(), 100*r.ErrorRate(name),
			short(h.P50), short(h.P90), short(h.P99), short(h.P999), short(h.Max), short(h.Mean))
	}
	fmt.Fprintf(&b, "\nLatency counts from each request's scheduled time. Service time alone: p50 %s, p99 %s, max %s.\n", short(r.Service.P50), short(r.Service.P99), short(r.Service.Max))
	if r.Model == Open {
		fmt.Fprintf(&b, "Schedule lag (sent after due): p50 %s, p99 %s, max %s.\n", short(r.Lag.P50), short(r.Lag.P99), short(r.Lag.Max))
	}
	if len(r.Errors) > 0 {
		b.WriteString("\nErrors (the first of each kind):\n")
		for _, e := range r.Errors {
			fmt.Fprintf(&b, "  %-22s %-12s ×%-6d %s\n", outcomeLabel(e.Outcome), e.Command, e.Count, e.Error)
		}
	}
	for _, e := range r.RunErrors {
		fmt.Fprintf(&b, "\nThe run itself failed: %s\n", e)
	}
	var msgs []string
	for _, e := range r.Errors {
		msgs = append(msgs, e.Error)
	}
	if hint := sender.NoAnswerHint(r.Target, r.Outcomes, msgs); hint != "" {
		fmt.Fprintf(&b, "\n%s%s\n", strings.ToUpper(hint[:1]), hint[1:]) // the hint starts with a lower-case ASCII word
	}
	if len(r.Thresholds) > 0 {
		if r.Thresholds[0].Default {
			b.WriteString("\nThresholds (the default, as none was given):\n")
		} else {
			b.WriteString("\nThresholds:\n")
		}
		for _, t := range r.Thresholds {
			verdict := "ok  "
			if !t.OK {
				verdict = "FAIL"
			}
			fmt.Fprintf(&b, "  %s  %-24s %s\n", verdict, t.Expr, t.Actual)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// unsentNote says how many requests due were not sent; "" for none.
func (r *Report) unsentNote() string {
	if r.Unsent <= 0 {
		return ""
	}
	return fmt.Sprintf("Not sent: %d more %s due before the end, but the receiver held every sender until then.", r.Unsent, plural.Verb(r.Unsent))
}

// cutOffNote says how many requests the end of the run cut off; "" for none.
func (r *Report) cutOffNote() string {
	n := r.Outcomes[webhook.CutOff]
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf("Cut off: %s %s still waiting for an answer when the run's duration ended, and %s canceled then: neither acknowledged nor failed, and without a latency.",
		plural.Of(n, "request"), plural.Verb(n), plural.Verb(n))
}

// outcomeLabel is how reports for people name an outcome: "bad status (non-200)" rather than
// "status", which would read as HTTP 200.
func outcomeLabel(o webhook.Outcome) string {
	if o == webhook.BadStatus {
		return "bad status (non-200)"
	}
	return strings.ReplaceAll(o.String(), "_", " ")
}

// sortedOutcomes lists the outcomes, the most frequent first, then by name.
func sortedOutcomes(m map[webhook.Outcome]int64) []webhook.Outcome {
	return slices.SortedFunc(maps.Keys(m), func(a, b webhook.Outcome) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a.String(), b.String()))
	})
}

// short formats a duration with three significant digits.
func short(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d >= time.Second:
		return fmt.Sprintf("%.3gs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3gms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3gµs", float64(d)/float64(time.Microsecond))
}
