package usersig_test

import (
	"errors"
	"testing"
	"time"

	tls "github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/usersig"
)

const (
	interopApp = 1400000001
	interopKey = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
)

// UserSigs made by the official TLSSigAPIv2 library pass this package's Verify, and fail it for
// the reasons the official verifier fails them.
func TestOfficialUserSigsVerify(t *testing.T) {
	g := NewWithT(t)
	sig, err := tls.GenUserSig(interopApp, interopKey, "administrator", 86400)
	g.Expect(err).NotTo(HaveOccurred())
	now := time.Now()
	g.Expect(usersig.Verify(sig, interopKey, interopApp, "administrator", now)).To(Succeed())
	g.Expect(usersig.Verify(sig, "another-key", interopApp, "administrator", now)).To(MatchError(usersig.ErrWrongKey))
	g.Expect(usersig.Verify(sig, interopKey, interopApp+1, "administrator", now)).To(MatchError(usersig.ErrSDKAppID))
	g.Expect(usersig.Verify(sig, interopKey, interopApp, "mallory", now)).To(MatchError(usersig.ErrIdentifier))
	g.Expect(usersig.Verify(sig, interopKey, interopApp, "administrator", now.Add(48*time.Hour))).To(MatchError(usersig.ErrExpired))
}

// This package's UserSigs pass the official verifier, and fail it where this package fails them.
func TestOwnUserSigsPassTheOfficialVerifier(t *testing.T) {
	g := NewWithT(t)
	now := time.Now()
	sig, err := usersig.Gen(interopKey, interopApp, "administrator", time.Hour, now)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tls.VerifyUserSig(interopApp, interopKey, "administrator", sig, now)).To(Succeed())
	g.Expect(tls.VerifyUserSig(interopApp, "another-key", "administrator", sig, now)).To(MatchError(tls.ErrSigNotMatch))
	g.Expect(tls.VerifyUserSig(interopApp, interopKey, "mallory", sig, now)).To(MatchError(tls.ErrIdentifierNotMatch))
}

// The expiry boundary is the official one: a UserSig made at T for E seconds is good through the
// whole second T+E and expired from T+E+1, in both implementations alike.
func TestExpiryBoundaryMatchesTheOfficialLibrary(t *testing.T) {
	g := NewWithT(t)
	made := time.Unix(1_800_000_000, 0)
	sig, err := usersig.Gen(interopKey, interopApp, "administrator", 60*time.Second, made)
	g.Expect(err).NotTo(HaveOccurred())
	for _, tc := range []struct {
		at      time.Time
		expired bool
	}{
		{made.Add(59 * time.Second), false},
		{made.Add(60 * time.Second), false},
		{made.Add(60*time.Second + 999*time.Millisecond), false},
		{made.Add(61 * time.Second), true},
		{made.Add(61*time.Second + time.Millisecond), true},
	} {
		official := tls.VerifyUserSig(interopApp, interopKey, "administrator", sig, tc.at)
		ours := usersig.Verify(sig, interopKey, interopApp, "administrator", tc.at)
		g.Expect(errors.Is(official, tls.ErrExpired)).To(Equal(tc.expired), "official at +%v", tc.at.Sub(made))
		g.Expect(errors.Is(ours, usersig.ErrExpired)).To(Equal(tc.expired), "ours at +%v", tc.at.Sub(made))
		if !tc.expired {
			g.Expect(official).To(Succeed())
			g.Expect(ours).To(Succeed())
		}
	}
}
