package webhook_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/webhook"
)

// createWith is the Create sample with old replaced by new (once; it must be there).
func createWith(t *testing.T, old, new string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/create_room.json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("the Create sample has no %q", old)
	}
	return []byte(strings.Replace(string(b), old, new, 1))
}

// unknownFields adds fields the protocol does not name to the Create sample's RoomInfo.
func unknownFields(t *testing.T, fields string) []byte {
	return createWith(t, `"Category":[1,2]`, `"Category":[1,2],`+fields)
}

func TestValidateBodyRefusesWhatTheVendorWouldNotSend(t *testing.T) {
	var wide strings.Builder
	for i := range 40 {
		fmt.Fprintf(&wide, `"k%d":%d,`, i, i)
	}
	for _, tc := range []struct {
		name    string
		body    []byte
		notJSON bool // errors.Is(err, ErrNotJSONObject)
		reason  string
	}{
		{"invalid UTF-8", createWith(t, `"RoomName":"tandy-test-rest"`, "\"RoomName\":\"tandy\xff\""), true, "body is not UTF-8: byte 0xff at byte 138 (in RoomInfo.RoomName)"},
		{"a surrogate encoded as UTF-8", createWith(t, `"RoomName":"tandy-test-rest"`, "\"RoomName\":\"\xed\xa0\x80\""), true, "body is not UTF-8"},
		{"invalid UTF-8 in a key", unknownFields(t, "\"\xc0\":1"), true, "body is not UTF-8"},
		{"a lone high surrogate", createWith(t, `"RoomName":"tandy-test-rest"`, `"RoomName":"a\ud800"`), false, `RoomInfo.RoomName holds the lone UTF-16 surrogate \ud800 at byte 134`},
		{"a lone low surrogate", createWith(t, `"RoomName":"tandy-test-rest"`, `"RoomName":"\udc00"`), false, `lone UTF-16 surrogate \udc00`},
		{"a high surrogate before a letter", createWith(t, `"RoomName":"tandy-test-rest"`, `"RoomName":"\uD83D\u0041"`), false, `lone UTF-16 surrogate \ud83d`},
		{"two high surrogates", createWith(t, `"CustomInfo":"custom123"`, `"CustomInfo":"\ud83d\ud83d\ude00"`), false, `RoomInfo.CustomInfo holds the lone UTF-16 surrogate \ud83d`},
		{"a lone surrogate in an unknown field", unknownFields(t, `"Future":{"note":"\ud800"}`), false, `RoomInfo.Future.note holds the lone`},
		{"MaxMemberCount 1e36 written out", createWith(t, `"MaxMemberCount":300`, `"MaxMemberCount":1`+strings.Repeat("0", 36)), false, "RoomInfo.MaxMemberCount is the number 1000000000000000000000000000000000000, out of range: want a count, from 0 to 4294967295"},
		{"MaxMemberCount -1e20 written out", createWith(t, `"MaxMemberCount":300`, `"MaxMemberCount":-100000000000000000000`), false, "RoomInfo.MaxMemberCount is the number -100000000000000000000, out of range"},
		{"MaxMemberCount 1e36", createWith(t, `"MaxMemberCount":300`, `"MaxMemberCount":1e36`), false, "RoomInfo.MaxMemberCount is the number 1e36, want an integer"},
		{"MaxMemberCount negative", createWith(t, `"MaxMemberCount":300`, `"MaxMemberCount":-1`), false, "out of range: want a count, from 0 to 4294967295"},
		{"MaxSeatCount over 32 bits", createWith(t, `"MaxSeatCount":16`, `"MaxSeatCount":4294967296`), false, "RoomInfo.MaxSeatCount is the number 4294967296, out of range"},
		{"a Category over 32 bits", createWith(t, `"Category":[1,2]`, `"Category":[1,2147483648]`), false, "RoomInfo.Category[1] is the number 2147483648, out of range: want a 32-bit integer"},
		{"an Owner_Account of 5,000 digits", createWith(t, `"Owner_Account":"user3"`, `"Owner_Account":`+strings.Repeat("7", 5000)), false, "RoomInfo.Owner_Account is a number of 5000 digits, want a user ID: a numeric one fits 64 bits (at most 18446744073709551615)"},
		{"an Owner_Account of 2^64", createWith(t, `"Owner_Account":"user3"`, `"Owner_Account":18446744073709551616`), false, "a number of 20 digits"},
		{"a negative Owner_Account", createWith(t, `"Owner_Account":"user3"`, `"Owner_Account":-5`), false, "RoomInfo.Owner_Account is the number -5, want a user ID: a numeric one has no sign"},
		{"an Owner_Account of 33 bytes", createWith(t, `"Owner_Account":"user3"`, `"Owner_Account":"`+strings.Repeat("u", 33)+`"`), false, "RoomInfo.Owner_Account is 33 bytes long"},
		{"an Operator_Account of 5,000 bytes", createWith(t, `"Operator_Account":"admin"`, `"Operator_Account":"`+strings.Repeat("a", 5000)+`"`), false, `Operator_Account is 5000 bytes long ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"... (5000 bytes)), want a user ID: at most 32 bytes`},
		{"an escaped Operator_Account of 33 bytes", createWith(t, `"Operator_Account":"admin"`, `"Operator_Account":"`+strings.Repeat(`\u00e9`, 16)+`x"`), false, "Operator_Account is 33 bytes long"},
		{"a duplicate key, same value", createWith(t, `"RoomType":"Live"`, `"RoomType":"Live","RoomType":"Live"`), false, `RoomInfo has the key "RoomType" twice (at bytes 151 and 169); a key may appear once per object`},
		{"a duplicate key, other value", createWith(t, `"RoomId":"tandy-test-rest"`, `"RoomId":"a","RoomId":"b"`), false, `RoomInfo has the key "RoomId" twice`},
		{"a duplicate key spelled with an escape", createWith(t, `"RoomId":"tandy-test-rest"`, `"RoomId":"a","Room\u0049d":"a"`), false, `RoomInfo has the key "RoomId" twice`},
		{"a duplicate top-level key", createWith(t, `"Operator_Account":"admin"`, `"Operator_Account":"admin","Operator_Account":"root"`), false, `the body has the key "Operator_Account" twice`},
		{"a duplicate key in an unknown object", unknownFields(t, `"Future":{"x":[{"a":1,"a":1}]}`), false, `RoomInfo.Future.x[0] has the key "a" twice`},
		{"a duplicate key in a wide object", unknownFields(t, wide.String()+`"k7":1`), false, `RoomInfo has the key "k7" twice`},
		{"a key that is an escape code", unknownFields(t, `"\u001b[31m":{"a":1,"a":2}`), false, `RoomInfo["\x1b[31m"] has the key "a" twice`},
		{"nesting beyond the limit", unknownFields(t, `"Future":`+strings.Repeat("[", webhook.MaxBodyDepth)+strings.Repeat("]", webhook.MaxBodyDepth)), false, "nests deeper than 1000 levels"},
		{"a control character", createWith(t, `"RoomName":"tandy-test-rest"`, "\"RoomName\":\"a\tb\""), true, `body is not JSON: '\t' at byte 134, want a control character escaped`},
		{"a trailing comma", createWith(t, `"Category":[1,2]`, `"Category":[1,2,]`), true, `body is not JSON: ']' at byte`},
		{"a leading zero", createWith(t, `"MaxSeatCount":16`, `"MaxSeatCount":016`), true, `body is not JSON: '1'`},
		{"a second value", append(createWith(t, "tandy", "tandy"), " {}"...), true, "want data after the JSON value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			err := webhook.ValidateBody(webhook.CommandCreateRoom, tc.body)
			g.Expect(err).To(MatchError(ContainSubstring(tc.reason)))
			g.Expect(errors.Is(err, webhook.ErrNotJSONObject)).To(Equal(tc.notJSON), "%v", err)
		})
	}
}

func TestValidateBodyAcceptsWhatIsUnusualButLegal(t *testing.T) {
	var wide strings.Builder
	for i := range 100 {
		fmt.Fprintf(&wide, `"k%d":{"k%d":%d},`, i, i, i)
	}
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"escaped unicode", createWith(t, `"RoomName":"tandy-test-rest"`, `"RoomName":"\u6d4b\u8bd5 \"live\" \\ud800 \/ \ufffd �"`)},
		{"a surrogate pair", createWith(t, `"RoomName":"tandy-test-rest"`, `"RoomName":"\ud83d\ude00\uD83D\uDE00😀"`)},
		{"an Owner_Account beyond 2^53", createWith(t, `"Owner_Account":"user3"`, `"Owner_Account":144115216631667826`)},
		{"the largest numeric Owner_Account", createWith(t, `"Owner_Account":"user3"`, `"Owner_Account":18446744073709551615`)},
		{"a numeric Owner_Account of 0", createWith(t, `"Owner_Account":"user3"`, `"Owner_Account":0`)},
		{"user IDs of exactly 32 bytes", createWith(t, `"Owner_Account":"user3"`, `"Owner_Account":"`+strings.Repeat("é", 16)+`"`)},
		{"an escaped user ID of 32 bytes", createWith(t, `"Operator_Account":"admin"`, `"Operator_Account":"`+strings.Repeat(`\u00e9`, 16)+`"`)},
		{"the system operator", createWith(t, `"Operator_Account":"admin"`, `"Operator_Account":"@TIM#SYSTEM"`)},
		{"the edges of the ranges", createWith(t, `"MaxMemberCount":300,`, `"MaxMemberCount":4294967295,"ViewCount":0,"ActivityStatus":-2147483648,"Later":[2147483647],`)},
		{"the edges of Category", createWith(t, `"Category":[1,2]`, `"Category":[-2147483648,2147483647,0]`)},
		{"unknown fields of every kind", unknownFields(t, `"Future":{"a":{"a":[null,true,-0.5e-7,{"a":""}]},"b":{"a":2}},"Note":null,"Big":123456789012345678901234567890`)},
		{"an object of 100 keys", unknownFields(t, strings.TrimSuffix(wide.String(), ","))},
		{"deep unknown nesting within the limit", unknownFields(t, `"Future":`+strings.Repeat("[", webhook.MaxBodyDepth-3)+strings.Repeat("]", webhook.MaxBodyDepth-3))},
		{"space everywhere", []byte(" \r\n\t{ \"CallbackCommand\" : \"Live.CallbackAfterCreateRoom\" ,\n\"Operator_Account\":\"a\", \"RoomInfo\" : { \"RoomId\" : \"r\" , \"Category\" : [ ] } } \n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			NewWithT(t).Expect(webhook.ValidateBody(webhook.CommandCreateRoom, tc.body)).To(Succeed(), "%s", tc.body)
		})
	}
	// The Destroy sample's Statistic takes totals beyond 32 bits; a negative one is refused.
	destroy, err := os.ReadFile("testdata/destroy_room.json")
	if err != nil {
		t.Fatal(err)
	}
	g := NewWithT(t)
	g.Expect(webhook.ValidateBody(webhook.CommandDestroyRoom, []byte(strings.Replace(string(destroy), `"TotalGiftCoins": 0`, `"TotalGiftCoins": 9223372036854775807`, 1)))).To(Succeed())
	g.Expect(webhook.ValidateBody(webhook.CommandDestroyRoom, []byte(strings.Replace(string(destroy), `"TotalViewers": 0`, `"TotalViewers": -1`, 1)))).
		To(MatchError(ContainSubstring("Statistic.TotalViewers is the number -1, out of range: want a total, from 0 to 9223372036854775807")))
}

func TestCheckBodyNamesTheRoom(t *testing.T) {
	g := NewWithT(t)
	room, err := webhook.CheckBody(webhook.CommandCreateRoom, createWith(t, `"RoomId":"tandy-test-rest"`, `"RoomId":"r\u00e9"`))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(room).To(Equal("ré"))
	room, err = webhook.CheckBody(webhook.CommandCreateRoom, createWith(t, `"MaxSeatCount":16`, `"MaxSeatCount":"16"`))
	g.Expect(err).To(HaveOccurred())
	g.Expect(room).To(Equal("tandy-test-rest"), "a refused body still names its room")
	g.Expect(webhook.BodyRoom([]byte(`{"RoomId":"top","RoomInfo":{"RoomId":"inner"}}`))).To(Equal("top"))
	g.Expect(webhook.BodyRoom([]byte(`{"RoomInfo":{"RoomId":"inner"},"RoomId":"top"}`))).To(Equal("top"))
	g.Expect(webhook.BodyRoom([]byte(`{"RoomInfo":{"RoomId":7}}`))).To(Equal(""))
	g.Expect(webhook.BodyRoom([]byte(`not json`))).To(Equal(""))
}

func TestAMessageNamesADeepPathByItsEnds(t *testing.T) {
	body := unknownFields(t, `"Deep":`+strings.Repeat(`{"a":`, 20)+`{"b":1,"b":2}`+strings.Repeat("}", 20))
	NewWithT(t).Expect(webhook.ValidateBody(webhook.CommandCreateRoom, body)).
		To(MatchError(HavePrefix(`RoomInfo.Deep.a.a...(14 levels).a.a.a.a has the key "b" twice`)))
}
