package webhook

import (
	"testing"

	. "github.com/onsi/gomega"
)

func TestOutcomeNames(t *testing.T) {
	g := NewWithT(t)
	g.Expect(BadStatus.String()).To(Equal("bad_status"))
	var o Outcome
	g.Expect(o.UnmarshalText([]byte("status"))).To(Succeed(), "reports written before the rename still read")
	g.Expect(o).To(Equal(BadStatus))
	g.Expect(o.UnmarshalText([]byte("stats"))).To(MatchError(ContainSubstring(`unknown outcome "stats"`)))
}

func TestCutOffIsAnOutcomeOfItsOwn(t *testing.T) {
	g := NewWithT(t)
	g.Expect(CutOff.String()).To(Equal("cut_off"), "the name load reports carried before it was an Outcome")
	g.Expect(CutOff.Answered()).To(BeFalse())
	g.Expect(Outcomes).To(ContainElement(CutOff))
	var o Outcome
	g.Expect(o.UnmarshalText([]byte("cut_off"))).To(Succeed())
	g.Expect(o).To(Equal(CutOff))
}
