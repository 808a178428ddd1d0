package webhook_test

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/webhook"
)

// The reference: encoding/json on types with the events' fields and tags but not their methods.
type (
	createRef  webhook.CreateRoom
	modifyRef  webhook.ModifyAdmin
	destroyRef webhook.DestroyRoom
)

func reference(t *testing.T, ev webhook.Event) []byte {
	t.Helper()
	var v any
	var extra webhook.Extra
	switch e := ev.(type) {
	case *webhook.CreateRoom:
		r := createRef(*e)
		r.CallbackCommand, v, extra = webhook.CommandCreateRoom, &r, e.Extra
	case *webhook.ModifyAdmin:
		r := modifyRef(*e)
		r.CallbackCommand, v, extra = webhook.CommandModifyAdmin, &r, e.Extra
		if r.AdminAccount == nil {
			r.AdminAccount = []string{}
		}
	case *webhook.DestroyRoom:
		r := destroyRef(*e)
		r.CallbackCommand, v, extra = webhook.CommandDestroyRoom, &r, e.Extra
	default:
		t.Fatalf("no reference for %T", ev)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		b = append(append(append(append(b[:len(b)-1], ','), kb...), ':'), append(extra[k], '}')...)
	}
	return b
}

func expectSameEncoding(t *testing.T, ev webhook.Event) {
	t.Helper()
	got, err := webhook.Encode(ev)
	if err != nil {
		t.Fatalf("%T: %v", ev, err)
	}
	if want := reference(t, ev); !bytes.Equal(got, want) {
		t.Fatalf("%T encodes as\n%s\nencoding/json as\n%s", ev, got, want)
	}
}

// The hand-written encoders write what encoding/json writes, for the samples and for a
// generated day of rooms.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	for _, f := range []string{"create_room.json", "modify_admin.json", "destroy_room.json", "destroy_by_system.json"} {
		raw, err := os.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := webhook.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		expectSameEncoding(t, ev)
	}
	st, err := generator.New(7).Stream(generator.Traffic{Rooms: 300, SystemShare: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[webhook.Command]int{}
	for i := 0; i < 100_000; i++ {
		e, ok := st.Next()
		if !ok {
			break
		}
		seen[e.Event.Command()]++
		expectSameEncoding(t, e.Event)
	}
	for _, c := range webhook.Commands {
		if seen[c] == 0 {
			t.Errorf("no %s generated", c)
		}
	}
	// Empty and unusual values.
	expectSameEncoding(t, &webhook.CreateRoom{})
	expectSameEncoding(t, &webhook.ModifyAdmin{})
	expectSameEncoding(t, &webhook.DestroyRoom{})
	expectSameEncoding(t, &webhook.DestroyRoom{Statistic: &webhook.Statistic{TotalViewers: -1}, RoomInfo: webhook.DestroyedRoomInfo{RoomId: "r", Category: []int{}, OwnerAccount: webhook.Account{ID: "-12", Number: true}}})
	expectSameEncoding(t, &webhook.CreateRoom{RoomInfo: webhook.RoomInfo{Category: []int{}, RoomName: "<a&b> \u2028 \xff \"q\" \\ \x7f é"}, Extra: webhook.Extra{"z": json.RawMessage(`1`), "<a>": json.RawMessage(` {"x" : [1, 2]} `)}})
}

// FuzzEncodeMatchesEncodingJSON: any strings, numbers and flags encode as encoding/json would.
func FuzzEncodeMatchesEncodingJSON(f *testing.F) {
	f.Add("host_1", "live_1", "name <&>", "{\"k\":1}", "https://x/?a=1&b=2", "9007199254740993", true, int64(1703589922780), 5, []byte{1, 2})
	f.Add("", "", "\xff\xfe", "\u2028", "", "-0", false, int64(-1), -3, []byte(nil))
	f.Fuzz(func(t *testing.T, op, room, name, custom, cover, owner string, flag bool, at int64, n int, cats []byte) {
		var category []int
		if cats != nil {
			category = []int{}
			for _, c := range cats {
				category = append(category, int(c)-128)
			}
		}
		acct := webhook.Account{ID: owner, Number: flag}
		if _, err := json.Marshal(acct); err != nil {
			acct.Number = false
		}
		admins := []string{op, room, name}
		if flag {
			admins = nil
		}
		var stat *webhook.Statistic
		if !flag {
			stat = &webhook.Statistic{TotalViewers: n, TotalGiftsSent: n * 2, TotalGiftCoins: -n, TotalUniqueGiftSenders: n, TotalLikesReceived: n + 1}
		}
		var extra webhook.Extra
		if json.Valid([]byte(custom)) {
			extra = webhook.Extra{name: json.RawMessage(custom)}
		}
		expectSameEncoding(t, &webhook.CreateRoom{OperatorAccount: op, EventTime: at, Extra: extra, RoomInfo: webhook.RoomInfo{
			RoomId: room, RoomName: name, RoomType: cover, OwnerAccount: acct, MaxMemberCount: n, IsMessageDisabled: flag, CustomInfo: custom,
			IsSeatEnabled: !flag, TakeSeatMode: op, MaxSeatCount: -n, CreateTime: at / 1000, IsPublicVisible: flag, CoverURL: cover, Category: category}})
		expectSameEncoding(t, &webhook.ModifyAdmin{RoomId: room, EventTime: at, OperatorAccount: op, AdminAccount: admins, OpType: name, Extra: extra})
		expectSameEncoding(t, &webhook.DestroyRoom{OperatorAccount: op, RoomId: room, EventType: custom, EventTime: at, Statistic: stat, Extra: extra,
			RoomInfo: webhook.DestroyedRoomInfo{RoomId: room, RoomName: name, RoomType: cover, OwnerAccount: acct, IsSeatEnabled: flag, TakeSeatMode: op,
				MaxMemberCount: n, MaxSeatCount: n, Category: category, CustomInfo: custom, IsMessageDisabled: !flag, CoverURL: cover, ActivityStatus: n,
				IsPublicVisible: flag, ViewCount: n, BackgroundURL: cover, IsUnlimitedRoomEnabled: !flag}})
	})
}
