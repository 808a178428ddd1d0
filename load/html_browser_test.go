package load

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/webhook"
)

// measure is a script for a copy of the page: it gives the width of each table and of the box
// it scrolls in, at a phone's width of 390 px, as an attribute of the body for --dump-dom.
const measure = `<style>body{width:390px !important}</style><script>
window.addEventListener('load', () => {
  const out = [];
  document.querySelectorAll('.scroll').forEach(d => {
    out.push((d.previousElementSibling ? d.previousElementSibling.textContent : '?') + '=' + d.querySelector('table').scrollWidth + '/' + d.clientWidth);
  });
  document.body.setAttribute('data-widths', out.join('|'));
});
</script></body>`

// The tables of the HTML report fit a phone's width (390 px) with the widest values a report
// can hold (durations of six characters in every column), measured in headless Chromium; they
// scroll rather than overflow the page when they cannot. Skipped where Chromium is missing.
func TestTheTablesFitAPhone(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil || testing.Short() {
		t.Skip("needs chromium (apt-get install chromium), and not -short")
	}
	g := NewWithT(t)
	wide := func() *Histogram {
		d := 88800 * time.Microsecond // "88.8ms": six characters, as wide as short writes
		return &Histogram{Count: 1, P50: d, P90: d, P99: d, P999: d, Max: d, Mean: d}
	}
	r := &Report{Model: Open, Rate: 100, Sent: 999999, Outcomes: map[webhook.Outcome]int64{webhook.Acknowledged: 999999},
		Commands: map[string]*CommandStats{}, Lag: &Histogram{}, Service: &Histogram{}}
	for _, c := range []string{"CreateRoom", "ModifyAdmin", "DestroyRoom", All} {
		r.Commands[c] = &CommandStats{Sent: 333333, Outcomes: map[webhook.Outcome]int64{webhook.Acknowledged: 333333}, Latency: wide()}
	}
	var b bytes.Buffer
	g.Expect(r.WriteHTML(&b)).To(Succeed())
	page := bytes.Replace(b.Bytes(), []byte("</body>"), []byte(measure), 1)
	path := filepath.Join(t.TempDir(), "report.html")
	g.Expect(os.WriteFile(path, page, 0o600)).To(Succeed())

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := []string{"--headless", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
		"--window-size=390,2000", "--virtual-time-budget=2000", "--user-data-dir=" + t.TempDir(), "--dump-dom", "file://" + path}
	if os.Geteuid() == 0 {
		args = append([]string{"--no-sandbox"}, args...)
	}
	out, err := exec.CommandContext(ctx, chromium, args...).Output()
	g.Expect(err).NotTo(HaveOccurred())
	m := regexp.MustCompile(`data-widths="([^"]*)"`).FindSubmatch(out)
	g.Expect(m).NotTo(BeNil(), "the page was measured")
	widths := regexp.MustCompile(`([A-Za-z]+)=(\d+)/(\d+)`).FindAllStringSubmatch(string(m[1]), -1)
	g.Expect(len(widths)).To(BeNumerically(">=", 3))
	for _, w := range widths {
		table, _ := strconv.Atoi(w[2])
		box, _ := strconv.Atoi(w[3])
		g.Expect(box).To(BeNumerically("<=", 390))
		g.Expect(table).To(BeNumerically("<=", box), "the %s table is %d px wide in a box of %d", w[1], table, box)
	}
}
