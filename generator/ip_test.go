package generator_test

import (
	"net/netip"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/generator"
)

func TestPublicUnicast(t *testing.T) {
	g := NewWithT(t)
	for _, s := range []string{"1.1.1.1", "8.8.8.8", "62.223.97.165", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0", "223.255.255.255", "192.0.1.1"} {
		g.Expect(generator.PublicUnicast(netip.MustParseAddr(s))).To(BeTrue(), s)
	}
	for _, s := range []string{"0.0.0.0", "10.1.2.3", "100.64.0.1", "127.0.0.1", "169.254.1.1", "172.16.0.1", "172.31.255.255",
		"192.0.0.8", "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9",
		"224.0.0.1", "239.255.255.250", "240.0.0.1", "246.199.83.62", "255.255.255.255", "::1", "2001:db8::1"} {
		g.Expect(generator.PublicUnicast(netip.MustParseAddr(s))).To(BeFalse(), s)
	}
}

// Every generated client address is public unicast, over enough draws to meet every range, and
// they vary.
func TestClientIPsArePublicUnicast(t *testing.T) {
	g := NewWithT(t)
	gen := generator.New(7)
	seen := map[string]bool{}
	for range 20000 {
		s := gen.ClientIP()
		a, err := netip.ParseAddr(s)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(generator.PublicUnicast(a)).To(BeTrue(), s)
		seen[s] = true
	}
	g.Expect(len(seen)).To(BeNumerically(">", 19000))
}
