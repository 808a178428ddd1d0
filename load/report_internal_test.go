package load

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

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
	path := "testdata/report.txt"
	if *update {
		g.Expect(os.WriteFile(path, b.Bytes(), 0o644)).To(Succeed())
	}
	want, err := os.ReadFile(path)
	g.Expect(err).NotTo(HaveOccurred(), "run go test ./load -run Golden -update")
	g.Expect(b.String()).To(Equal(string(want)))
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
