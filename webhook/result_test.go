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
