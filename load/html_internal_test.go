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
				continue // the chart.Axis title, below the labels
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
	sent, errs := c.Series[0].Points, c.Series[1].Points
	g.Expect(sent).To(HaveLen(7))
	g.Expect(sent[6][0]).To(Equal(6.0))
	g.Expect(sent[6][1]).To(BeNumerically("~", 1000, 1e-9))
	g.Expect(errs[6][1]).To(BeNumerically("~", 100, 1e-9))
	g.Expect(c.Note).To(ContainSubstring("the last point covers 490ms, its counts per second of that"))

	// Too short to say a rate: left out, and the note says so.
	r.Timeline[6].Span = 20 * time.Millisecond
	c = r.throughputChart()
	g.Expect(c.Series[0].Points).To(HaveLen(6))
	g.Expect(c.Note).To(ContainSubstring("the last 20ms, too short for a rate, left out"))

	// A whole second (or a report from before spans) is drawn as it is.
	r.Timeline[6].Span = 0
	g.Expect(r.throughputChart().Series[0].Points[6][1]).To(Equal(490.0))
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
