package generator

import "net/netip"

// nonPublic are the IPv4 ranges a client's address, as the Live backend sees it, never is: IANA's
// special-purpose registry (RFC 6890 and its successors), multicast, and the reserved 240/4.
var nonPublic = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // this network
		"10.0.0.0/8",      // private
		"100.64.0.0/10",   // shared address space (carrier-grade NAT)
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local
		"172.16.0.0/12",   // private
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation (TEST-NET-1)
		"192.31.196.0/24", // AS112
		"192.52.193.0/24", // AMT
		"192.88.99.0/24",  // 6to4 relay anycast
		"192.168.0.0/16",  // private
		"192.175.48.0/24", // AS112 direct delegation
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation (TEST-NET-2)
		"203.0.113.0/24",  // documentation (TEST-NET-3)
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, and the broadcast address
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

// PublicUnicast reports whether addr is an IPv4 address a client on the Internet can have: a
// unicast address outside every special-purpose range.
func PublicUnicast(addr netip.Addr) bool {
	if !addr.Is4() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// maxIPDraws bounds the draws of ClientIP; about one draw in seven falls in a special range, so
// 64 all doing so has a chance below 10^-50.
const maxIPDraws = 64

// fallbackIP is ClientIP's answer should every draw fall in a special range: a public address.
const fallbackIP = "8.8.8.8"

// ClientIP returns a client's IPv4 address: a public unicast one, never multicast, private,
// loopback, reserved or for documentation.
func (g *Generator) ClientIP() string {
	for range maxIPDraws {
		a := netip.AddrFrom4([4]byte{byte(g.rnd.Intn(256)), byte(g.rnd.Intn(256)), byte(g.rnd.Intn(256)), byte(g.rnd.Intn(256))})
		if PublicUnicast(a) {
			return a.String()
		}
	}
	return fallbackIP
}
