package scenarios_test

import (
	"bytes"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios"
)

func generated(t *testing.T, seed int64, rooms int) []byte {
	t.Helper()
	s, err := generator.New(seed).Stream(generator.Traffic{Rooms: rooms})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	sum, err := scenarios.WriteGenerated(&b, s, "test")
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
