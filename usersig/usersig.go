// Package usersig makes and checks UserSigs as TLSSigAPIv2 defines them: an HMAC-SHA256 over the
// identifier, SDKAppID, time and expiry, in zlib-compressed JSON with URL-safe base64.
package usersig

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// maxSigBytes bounds a decoded UserSig, so that a zlib bomb cannot inflate without end.
const maxSigBytes = 16 << 10

// The reasons a UserSig is refused; each matches the Live backend's error code.
var (
	// ErrUnparsable: not base64, not zlib, not JSON, or fields missing (error 70003).
	ErrUnparsable = errors.New("UserSig cannot be parsed")
	// ErrExpired: time + expire is in the past (error 70001).
	ErrExpired = errors.New("UserSig has expired")
	// ErrWrongKey: the HMAC does not match, the signer used another key (error 70009).
	ErrWrongKey = errors.New("UserSig was not signed with this app's key")
	// ErrIdentifier: the identifier differs from the one in the request (error 70013).
	ErrIdentifier = errors.New("identifier differs from the UserSig's")
	// ErrSDKAppID: the SDKAppID differs from the one in the request (error 70014).
	ErrSDKAppID = errors.New("SDKAppID differs from the UserSig's")
)

// Code returns the Live backend's error code for a Verify error, or 0 for nil.
func Code(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrExpired):
		return 70001
	case errors.Is(err, ErrWrongKey):
		return 70009
	case errors.Is(err, ErrIdentifier):
		return 70013
	case errors.Is(err, ErrSDKAppID):
		return 70014
	}
	return 70003
}

// Digest returns the standard-base64 HMAC-SHA256 that a UserSig carries as TLS.sig.
func Digest(key string, sdkappid uint64, identifier string, t, expire int64) string {
	content := "TLS.identifier:" + identifier + "\n" +
		"TLS.sdkappid:" + strconv.FormatUint(sdkappid, 10) + "\n" +
		"TLS.time:" + strconv.FormatInt(t, 10) + "\n" +
		"TLS.expire:" + strconv.FormatInt(expire, 10) + "\n"
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(content))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// sig is the JSON inside a UserSig.
type sig struct {
	Ver        string `json:"TLS.ver"`
	Identifier string `json:"TLS.identifier"`
	SDKAppID   uint64 `json:"TLS.sdkappid"`
	Expire     int64  `json:"TLS.expire"`
	Time       int64  `json:"TLS.time"`
	Sig        string `json:"TLS.sig"`
}

var urlSafe = strings.NewReplacer("+", "*", "/", "-", "=", "_")
var urlUnsafe = strings.NewReplacer("*", "+", "-", "/", "_", "=")

// Gen makes a UserSig for identifier, valid for expire from now.
func Gen(key string, sdkappid uint64, identifier string, expire time.Duration, now time.Time) (string, error) {
	if key == "" || identifier == "" || sdkappid == 0 {
		return "", errors.New("usersig: key, SDKAppID and identifier are required")
	}
	t, exp := now.Unix(), int64(expire/time.Second)
	b, err := json.Marshal(sig{Ver: "2.0", Identifier: identifier, SDKAppID: sdkappid, Expire: exp, Time: t,
		Sig: Digest(key, sdkappid, identifier, t, exp)})
	if err != nil {
		return "", err
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(b); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return urlSafe.Replace(base64.StdEncoding.EncodeToString(z.Bytes())), nil
}

// Verify checks a UserSig by decoding it (never by comparing strings: encoders compress
// differently), then its SDKAppID, identifier, expiry and HMAC, in that order.
func Verify(userSig, key string, sdkappid uint64, identifier string, now time.Time) error {
	_, err := VerifyExpiry(userSig, key, sdkappid, identifier, now)
	return err
}

// VerifyExpiry is Verify, and returns when the UserSig expires.
func VerifyExpiry(userSig, key string, sdkappid uint64, identifier string, now time.Time) (time.Time, error) {
	s, err := decode(userSig)
	if err != nil {
		return time.Time{}, err
	}
	expiry := time.Unix(s.Time+s.Expire, 0)
	switch {
	case s.SDKAppID != sdkappid:
		return expiry, fmt.Errorf("%w: %d in the UserSig, %d in the request", ErrSDKAppID, s.SDKAppID, sdkappid)
	case s.Identifier != identifier:
		return expiry, fmt.Errorf("%w: %q in the UserSig, %q in the request", ErrIdentifier, s.Identifier, identifier)
	case Expired(expiry, now):
		return expiry, fmt.Errorf("%w: at %s", ErrExpired, expiry.UTC().Format(time.RFC3339))
	}
	want := Digest(key, s.SDKAppID, s.Identifier, s.Time, s.Expire)
	if !hmac.Equal([]byte(want), []byte(s.Sig)) {
		return expiry, ErrWrongKey
	}
	return expiry, nil
}

// Expired reports whether a UserSig that expires at expiry has expired at now. The boundary is
// the official library's: expired when the current Unix second is past TLS.time + TLS.expire,
// so a UserSig is still good during its last second.
func Expired(expiry, now time.Time) bool { return now.Unix() > expiry.Unix() }

// decode unpacks a UserSig's JSON.
func decode(userSig string) (*sig, error) {
	raw, err := base64.StdEncoding.DecodeString(urlUnsafe.Replace(userSig))
	if err != nil {
		return nil, fmt.Errorf("%w: not base64: %v", ErrUnparsable, err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: not zlib: %v", ErrUnparsable, err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, maxSigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnparsable, err)
	}
	if len(b) > maxSigBytes {
		return nil, fmt.Errorf("%w: over %d bytes inflated", ErrUnparsable, maxSigBytes)
	}
	var s sig
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %v", ErrUnparsable, err)
	}
	if s.Sig == "" || s.Identifier == "" || s.SDKAppID == 0 {
		return nil, fmt.Errorf("%w: TLS.sig, TLS.identifier or TLS.sdkappid is missing", ErrUnparsable)
	}
	return &s, nil
}
