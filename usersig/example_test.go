package usersig_test

import (
	"fmt"
	"time"

	"github.com/livehook/livehook/usersig"
)

// A UserSig made for an administrator, checked as the mock Live backend checks the usersig of
// each REST call: by decoding it, so that a UserSig from any TLSSigAPIv2 library is accepted.
func Example() {
	const key = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
	now := time.Unix(1767988800, 0)
	sig, err := usersig.Gen(key, 1400000001, "administrator", 24*time.Hour, now)
	if err != nil {
		panic(err)
	}
	fmt.Println(usersig.Verify(sig, key, 1400000001, "administrator", now.Add(time.Hour)))

	for _, err := range []error{
		usersig.Verify(sig, key, 1400000001, "someone_else", now),
		usersig.Verify(sig, "another key", 1400000001, "administrator", now),
		usersig.Verify(sig, key, 1400000001, "administrator", now.Add(25*time.Hour)),
		usersig.Verify("not a usersig", key, 1400000001, "administrator", now),
	} {
		fmt.Println(usersig.Code(err), err)
	}
	// Output:
	// <nil>
	// 70013 identifier differs from the UserSig's: "administrator" in the UserSig, "someone_else" in the request
	// 70009 UserSig was not signed with this app's key
	// 70001 UserSig has expired: at 2026-01-10T20:00:00Z
	// 70003 UserSig cannot be parsed: not base64: illegal base64 data at input byte 3
}
