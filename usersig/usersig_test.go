package usersig_test

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/usersig"
)

const (
	key   = "test-secret-key"
	appID = 1400000001
	admin = "administrator"
)

var t0 = time.Unix(1700000000, 0)

func TestVector(t *testing.T) {
	NewWithT(t).Expect(usersig.Digest(key, appID, admin, 1700000000, 86400)).To(Equal("pOexNozfB0Dq+etkb7EtrffudxQMJeJcWLsCmftWbKA="))
}

func TestGenVerify(t *testing.T) {
	g := NewWithT(t)
	s, err := usersig.Gen(key, appID, admin, 24*time.Hour, t0)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(strings.ContainsAny(s, "+/=")).To(BeFalse())
	g.Expect(usersig.Verify(s, key, appID, admin, t0.Add(time.Hour))).To(Succeed())

	for _, tc := range []struct {
		name  string
		err   error
		code  int
		check func() error
	}{
		{"expired", usersig.ErrExpired, 70001, func() error { return usersig.Verify(s, key, appID, admin, t0.Add(25*time.Hour)) }},
		{"wrong key", usersig.ErrWrongKey, 70009, func() error { return usersig.Verify(s, "other-key", appID, admin, t0) }},
		{"identifier", usersig.ErrIdentifier, 70013, func() error { return usersig.Verify(s, key, appID, "mallory", t0) }},
		{"sdkappid", usersig.ErrSDKAppID, 70014, func() error { return usersig.Verify(s, key, 1400999999, admin, t0) }},
		{"garbage", usersig.ErrUnparsable, 70003, func() error { return usersig.Verify("!!!", key, appID, admin, t0) }},
		{"not zlib", usersig.ErrUnparsable, 70003, func() error { return usersig.Verify("aGVsbG8_", key, appID, admin, t0) }},
	} {
		err := tc.check()
		g.Expect(errors.Is(err, tc.err)).To(BeTrue(), "%s: %v", tc.name, err)
		g.Expect(usersig.Code(err)).To(Equal(tc.code), tc.name)
	}
	g.Expect(usersig.Code(nil)).To(BeZero())
}

// A UserSig compressed differently (another encoder, another level) still verifies.
func TestVerifyDecodesRatherThanCompares(t *testing.T) {
	g := NewWithT(t)
	json := `{"TLS.ver":"2.0","TLS.identifier":"administrator","TLS.sdkappid":1400000001,"TLS.expire":86400,"TLS.time":1700000000,"TLS.sig":"pOexNozfB0Dq+etkb7EtrffudxQMJeJcWLsCmftWbKA="}`
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write([]byte(json))
	zw.Close()
	s := strings.NewReplacer("+", "*", "/", "-", "=", "_").Replace(base64.StdEncoding.EncodeToString(z.Bytes()))
	g.Expect(usersig.Verify(s, key, appID, admin, t0)).To(Succeed())
}

func FuzzVerify(f *testing.F) {
	s, _ := usersig.Gen(key, appID, admin, time.Hour, t0)
	f.Add(s)
	f.Add("eJyrVgrxCQ5WsiopKk2tBQAcBwRB")
	f.Fuzz(func(t *testing.T, s string) {
		err := usersig.Verify(s, key, appID, admin, t0)
		if err != nil && usersig.Code(err) == 0 {
			t.Fatal("an error without a code")
		}
	})
}
