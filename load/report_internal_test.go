package load

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/livehook/livehook/internal/golden"
	. "github.com/onsi/gomega"
)

// fixedReport is a report with fixed figures, as a run would collect them.
func fixedReport() *Report {
	cfg := &Config{Model: Open, Rate: 100, Seed: 7, Shard: Shard{0, 1}}
	cfg.Endpoint.URL = "http://127.0.0.1:8080/hook"
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	c := newCollector(cfg, start)
	for i := range 300 {
		r := fakeResult(i, start)
		c.add(&r)
		if i%100 == 99 {
			c.closeSecond(false)
		}
	}
	c.addUnsent(4)
	return c.report(3 * time.Second)
}

func TestGoldenLoadText(t *testing.T) {
	g := NewWithT(t)
	r := fixedReport()
	ths := []Threshold{}
	for _, s := range []string{"p99<20ms", "errors<0.1%", "destroy:max<1s"} {
		th, err := ParseThreshold(s)
		g.Expect(err).NotTo(HaveOccurred())
		ths = append(ths, th)
	}
	g.Expect(r.Check(ths)).To(BeFalse())
	var b bytes.Buffer
	g.Expect(r.WriteText(&b)).To(Succeed())
	golden.Check(t, "report.txt", b.Bytes())
}

// A failure of the run itself (the traffic model could not be made) is no request's outcome:
// it is kept apart from the error samples, said in the text and the page, and kept through JSON
// and a merge of shards.
func TestRunErrorsAreTheRunsOwn(t *testing.T) {
	g := NewWithT(t)
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	shard := func(i int, fail error) *Report {
		c := newCollector(&Config{Model: Open, Rate: 10, Seed: 7, Shard: Shard{i, 2}}, start)
		r := fakeResult(i, start)
		c.add(&r)
		if fail != nil {
			c.fail(fail)
		}
		return c.report(time.Second)
	}
	rep := shard(0, errors.New("the traffic model: no rooms"))
	g.Expect(rep.RunErrors).To(Equal([]string{"the traffic model: no rooms"}))
	for _, e := range rep.Errors {
		g.Expect(e.Error).NotTo(ContainSubstring("traffic model"), "not an error sample of a request")
	}
	var b bytes.Buffer
	g.Expect(rep.WriteText(&b)).To(Succeed())
	g.Expect(b.String()).To(ContainSubstring("\nThe run itself failed: the traffic model: no rooms\n"))
	b.Reset()
	g.Expect(rep.WriteJSON(&b)).To(Succeed())
	back, err := ReadJSON(&b)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(back.RunErrors).To(Equal(rep.RunErrors))
	merged, err := Merge(back, shard(1, nil))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(merged.RunErrors).To(Equal(rep.RunErrors))
	b.Reset()
	g.Expect(merged.WriteHTML(&b)).To(Succeed())
	g.Expect(b.String()).To(ContainSubstring("The run itself failed: the traffic model: no rooms"))
}

func TestHTMLIsSelfContained(t *testing.T) {
	g := NewWithT(t)
	var b bytes.Buffer
	g.Expect(fixedReport().WriteHTML(&b)).To(Succeed())
	page := b.String()
	g.Expect(strings.Count(page, "<svg")).To(Equal(6))
	g.Expect(page).To(ContainSubstring("Latency by percentile"))
	g.Expect(page).NotTo(ContainSubstring("<script"))
	g.Expect(page).NotTo(MatchRegexp(`(src|href)=`), "nothing is loaded from elsewhere")
}
