package load

import (
	"bytes"
	"io"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

func reportJSON(t testing.TB) []byte {
	var b bytes.Buffer
	if err := fixedReport().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadJSONTakesTheReportAlone(t *testing.T) {
	g := NewWithT(t)
	rep := reportJSON(t)
	// Correct in unusual ways: blank lines and spaces around it, as a log may keep them.
	for _, ok := range [][]byte{rep, append(append([]byte("\n  "), rep...), "\n\n  \r\n"...)} {
		r, err := ReadJSON(bytes.NewReader(ok))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(r.Sent).To(BeEquivalentTo(300))
	}
	for _, bad := range [][]byte{
		append(append([]byte{}, rep...), "livehook load: interrupted\n"...), // an error after it, in the same log
		append(append([]byte{}, rep...), rep...),                            // two shards' logs in one file
		append([]byte("Sent 300 requests\n"), rep...),                       // the text report before it
	} {
		_, err := ReadJSON(bytes.NewReader(bad))
		g.Expect(err).To(MatchError(ContainSubstring("not a livehook load report")))
	}
}

// FuzzReadJSON: whatever a file holds, reading it does not panic, and a report it accepts can
// be written as text and HTML, as report merge does. Its seed is a small report (a large one
// slows the fuzzing engine to a crawl).
func FuzzReadJSON(f *testing.F) {
	cfg := &Config{Model: Open, Rate: 10, Seed: 7, Shard: Shard{0, 1}}
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	c := newCollector(cfg, start)
	for i := range 4 {
		r := fakeResult(i, start)
		c.add(&r)
	}
	c.closeSecond(false)
	var small bytes.Buffer
	if err := c.report(time.Second).WriteJSON(&small); err != nil {
		f.Fatal(err)
	}
	f.Add(small.Bytes())
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"commands":{"all":{"latency":{"hdr":""}}},"lag":{"hdr":""},"service":{"hdr":""}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := r.WriteText(io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := r.WriteHTML(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}
