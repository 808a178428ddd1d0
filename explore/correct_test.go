package explore_test

import (
	"fmt"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/explore"
	"github.com/livehook/livehook/internal/testrx"
)

// A correct receiver is never failed, however unusual, with and without a token: the explorer
// holds it to the contract's rules and draws only what the Live backend may send.
func TestExploreNeverFailsCorrectReceivers(t *testing.T) {
	tokens := []string{token, ""}
	n := len(testrx.UnusualButCorrect) * len(tokens)
	targets := make([]string, n)
	for i := range n {
		targets[i] = start(t, testrx.UnusualButCorrect[i/len(tokens)].Wrap(reference(t, tokens[i%len(tokens)])))
	}
	results := exploreAll(t, n, func(i int) (*explore.Result, error) {
		return exploreAt(targets[i], tokens[i%len(tokens)], int64(100+i), 150)
	})
	for i, tc := range testrx.UnusualButCorrect {
		for j, tok := range tokens {
			t.Run(fmt.Sprintf("%s, token %t", tc.Name, tok != ""), func(t *testing.T) {
				g := NewWithT(t)
				res := results[i*len(tokens)+j]
				var out strings.Builder
				g.Expect(res.WriteText(&out, "")).To(Succeed())
				g.Expect(res.Findings).To(BeEmpty(), "%s", out.String())
				g.Expect(res.Cases).To(BeNumerically(">", 5))
				g.Expect(res.Acknowledged).To(BeNumerically(">", 0))
				g.Expect(out.String()).To(ContainSubstring("nothing found"))
			})
		}
	}
}
