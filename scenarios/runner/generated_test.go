package runner_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/webhook"
)

func generated(t *testing.T, seed int64, rooms int) []byte {
	t.Helper()
	s, err := generator.New(seed).Stream(generator.Traffic{Rooms: rooms})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	sum, err := scenarios.WriteGenerated(&b, s, "test", scenarios.GeneratedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	NewWithT(t).Expect(sum.Rooms).To(Equal(rooms))
	return b.Bytes()
}

func TestGeneratedFileRoundTrips(t *testing.T) {
	g := NewWithT(t)
	data := generated(t, 42, 60)
	f, err := scenarios.Parse("gen.yaml", bytes.NewReader(data))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(f.Scenarios).To(HaveLen(60))
	rep := run(t, []*scenarios.File{f}, start(t, reference(t, receiver.Config{})), "")
	g.Expect(rep.Failed).To(BeZero(), "%+v", failedNames(rep))
	g.Expect(rep.Passed).To(Equal(60))
}

func TestGeneratedFileIsReproducible(t *testing.T) {
	g := NewWithT(t)
	g.Expect(generated(t, 7, 30)).To(Equal(generated(t, 7, 30)))
	g.Expect(generated(t, 7, 30)).NotTo(Equal(generated(t, 8, 30)))
}

// Waits between a room's events replay its simulated time at the speed-up: they sum, room by
// room, to its life divided by the speed-up; a wait beyond what a step takes is split; the file
// still parses; 0 writes none and a negative speed-up is refused.
func TestGeneratedWaits(t *testing.T) {
	g := NewWithT(t)
	write := func(speedUp float64) (string, scenarios.GeneratedSummary, error) {
		s, err := generator.New(42).Stream(generator.Traffic{Rooms: 20})
		g.Expect(err).NotTo(HaveOccurred())
		var b bytes.Buffer
		sum, err := scenarios.WriteGenerated(&b, s, "test", scenarios.GeneratedOptions{Speedup: speedUp})
		return b.String(), sum, err
	}
	// The rooms' lives, from the stream itself.
	s, err := generator.New(42).Stream(generator.Traffic{Rooms: 20})
	g.Expect(err).NotTo(HaveOccurred())
	opened := map[string]time.Time{}
	var lives time.Duration
	events := 0
	for ev, ok := s.Next(); ok; ev, ok = s.Next() {
		events++
		switch ev.Event.(type) {
		case *webhook.CreateRoom:
			opened[ev.Event.Room()] = ev.At
		case *webhook.DestroyRoom:
			lives += ev.At.Sub(opened[ev.Event.Room()])
		}
	}

	text, sum, err := write(60)
	g.Expect(err).NotTo(HaveOccurred())
	gaps := time.Duration(events-20) * time.Millisecond // each gap rounds by at most half a millisecond
	g.Expect(sum.Waited).To(BeNumerically("~", lives/60, gaps))
	f, err := scenarios.Parse("gen.yaml", strings.NewReader(text))
	g.Expect(err).NotTo(HaveOccurred())
	var waited time.Duration
	for _, sc := range f.Scenarios {
		g.Expect(sc.Steps[0].Action()).To(Equal("create_room"))
		for _, st := range sc.Steps {
			if st.Wait != nil {
				waited += time.Duration(*st.Wait)
			}
		}
	}
	g.Expect(waited).To(Equal(sum.Waited))

	text, sum, err = write(1)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(text).To(ContainSubstring("- wait: 1h0m0s\n"), "a life of hours is split into waits of at most an hour")
	_, err = scenarios.Parse("gen.yaml", strings.NewReader(text))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(sum.Waited).To(BeNumerically("~", lives, gaps))

	text, sum, err = write(0)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(text).NotTo(ContainSubstring("wait:"))
	g.Expect(sum.Waited).To(BeZero())

	_, _, err = write(-1)
	g.Expect(err).To(MatchError(ContainSubstring("speed-up is -1")))
}
