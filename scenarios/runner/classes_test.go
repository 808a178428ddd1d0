package runner_test

import (
	"net/http"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/internal/testrx"
	"github.com/livehook/livehook/receiver"
	"github.com/livehook/livehook/scenarios/report"
)

// The classes of defect the contract once missed: values at the protocol's limits, a room's
// identity over time, deliveries of one room in flight together, and authentication that is
// nearly right. Each receiver of testrx.BrokenReceivers breaks one class the way production
// receivers do; the default run (the built-in contract) must fail it in that class's scenarios,
// and only there.

// failsIn runs the contract against h and checks that the scenarios that failed include every
// one of want and are all among allowed (want, if nil).
func failsIn(t *testing.T, h http.Handler, tok string, want []string, allowed ...string) *report.Report {
	t.Helper()
	g := NewWithT(t)
	rep := run(t, contract(t), start(t, h), tok)
	got := failedNames(rep)
	g.Expect(got).To(ContainElements(want), "the class's scenarios fail")
	g.Expect(got).To(HaveEach(BeElementOf(append(append([]string{}, want...), allowed...))), "and nothing else")
	return rep
}

// refusing is testrx.Refusing the reference receiver with the callback token tok.
func refusing(t *testing.T, tok string, refuse func(r *http.Request, body []byte) string) http.Handler {
	return testrx.Refusing(reference(t, receiver.Config{Token: tok}), refuse)
}

const (
	folded = "RoomIds differing only in case are different rooms"
	again  = "a RoomId created again after its destroy is acknowledged"
	// platforms: every documented OptPlatform, in the URL of a creation and a destroy.
	platforms = "a room of every documented OptPlatform is accepted"
)

// failing is, by the name of each of testrx.BrokenReceivers, the scenarios of the contract that
// must fail it (want) and those that may (allowed).
var failing = map[string]struct{ want, allowed []string }{
	"a RoomId column of 32 bytes": {
		[]string{"a RoomId of 48 bytes, the longest allowed, is accepted", "the largest body the documented fields make is accepted"},
		[]string{"a RoomId of punctuation and spaces, all allowed, is accepted"},
	},
	"a router that takes only [A-Za-z0-9_-] in a RoomId": {
		[]string{"a RoomId of punctuation and spaces, all allowed, is accepted", "the largest body the documented fields make is accepted"}, nil,
	},
	"a MySQL utf8 (three-byte) column for the RoomName": {
		[]string{"a RoomName of 100 bytes of 4-byte UTF-8 is accepted", "the largest body the documented fields make is accepted"},
		// any RoomName with an emoji is refused, and the generated rooms' names have them (🎤)
		[]string{"a long UTF-8 room name is accepted", again, platforms, "many generated rooms live and close", "webhooks for many rooms at once are each acknowledged",
			"generated lifecycles at once, again and out of order are acknowledged", "generated lifecycles with overlapping retries are acknowledged"},
	},
	"room for three admins": {
		[]string{"the most admins a room may have, with the longest user IDs, are accepted", "the largest body the documented fields make is accepted"},
		// the lifecycles and the generated rooms reach four or five admins too
		[]string{"full lifecycle with repeated admin changes", "many generated rooms live and close", "generated lifecycles at once, again and out of order are acknowledged", "webhooks for many rooms at once are each acknowledged",
			"generated lifecycles with overlapping retries are acknowledged"},
	},
	"an OptPlatform ENUM column written before the desktop clients": {
		[]string{platforms},
		// the other scenarios' platforms are generated, and with seed 42 these draw Windows, Mac or iPad
		[]string{"a redelivered creation, admin change and destroy are each acknowledged", "generated lifecycles at once, again and out of order are acknowledged",
			"many generated rooms live and close", "the most admins a room may have, with the longest user IDs, are accepted", "webhooks for many rooms at once are each acknowledged"},
	},
	"a tombstone that refuses a RoomId created again": {
		[]string{again},
		// held-back creations after their destroy are refused too: that is this receiver's defect as well
		[]string{"an admin change and a destroy that arrive before their room's creation are acknowledged",
			"generated lifecycles at once, again and out of order are acknowledged"},
	},
	"a unique key on the RoomId that a destroy never frees":                   {[]string{again}, nil},
	"a unique key on the RoomId in a case-insensitive collation":              {[]string{folded}, nil},
	"rooms keyed by strings.ToLower, so one room's changes land on the other": {[]string{folded}, nil},
	"a room lock that answers 409 while held": {
		[]string{"a redelivery that overlaps its first delivery is acknowledged", "generated lifecycles with overlapping retries are acknowledged"},
		// a duplicate sent after the first was answered meets no lock, but one held back may
		[]string{"generated lifecycles at once, again and out of order are acknowledged"},
	},
	"an in-progress marker that takes the second delivery for a failure": {
		[]string{"a redelivery that overlaps its first delivery is acknowledged", "generated lifecycles with overlapping retries are acknowledged"},
		[]string{"generated lifecycles at once, again and out of order are acknowledged"},
	},
	"a Sign compared by its first 16 digits":         {[]string{"a Sign wrong only in its last digit is refused", "a truncated Sign is refused"}, nil},
	"a Sign checked for its shape, or as upper case": {[]string{"a wrong Sign of the right length in upper-case hex is refused"}, nil},
	"an SdkAppid checked only when there is one":     {[]string{"a webhook without any SdkAppid is refused"}, nil},
}

func TestContractCatchesBrokenReceiversInTheirClass(t *testing.T) {
	inTable := map[string]bool{}
	for _, b := range testrx.BrokenReceivers {
		inTable[b.Name] = true
		t.Run(b.Class+": "+b.Name, func(t *testing.T) {
			f, ok := failing[b.Name]
			if !ok {
				t.Fatalf("the scenarios that must fail %q are not said: add them to failing", b.Name)
			}
			h := b.New(func(tok string) http.Handler { return reference(t, receiver.Config{Token: tok}) }, token)
			failsIn(t, h, token, f.want, f.allowed...)
		})
	}
	for name := range failing {
		if !inTable[name] {
			t.Errorf("failing names %q, which is not among testrx.BrokenReceivers", name)
		}
	}
}

func TestContractPassesTheReferenceReceiverOnRoomIdsDifferingInCase(t *testing.T) {
	// The reference receiver compares RoomIds byte for byte.
	g := NewWithT(t)
	rep := run(t, contract(t), start(t, reference(t, receiver.Config{Token: token})), token)
	g.Expect(failedNames(rep)).To(BeEmpty())
	g.Expect(passedNames(rep)).To(ContainElement(folded))
}
