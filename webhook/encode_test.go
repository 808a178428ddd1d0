package webhook_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/livehook/livehook/generator"
	"github.com/livehook/livehook/webhook"
)

// reference is encoding/json's encoding of ev, through a struct type with the event's fields and
// tags but not its methods, with the protocol's two rules applied first: CallbackCommand is the
// event's command, and a nil list that its tags neither leave out nor send as null is [].
func reference(t *testing.T, ev webhook.Event) []byte {
	t.Helper()
	v := reflect.ValueOf(ev).Elem()
	var fields []reflect.StructField
	for i := range v.NumField() {
		fields = append(fields, v.Type().Field(i))
	}
	ref := reflect.New(reflect.StructOf(fields)).Elem()
	ref.Set(v.Convert(ref.Type()))
	ref.FieldByName("CallbackCommand").SetString(string(ev.Command()))
	emptyLists(ref)
	b, err := json.Marshal(ref.Interface())
	if err != nil {
		t.Fatal(err)
	}
	extra := ref.FieldByName("Extra").Interface().(webhook.Extra)
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

// emptyLists sets the nil lists of struct value v, and of the structs in it, to empty ones,
// except those tagged to be left out or sent as null. Lists of structs are copied first.
func emptyLists(v reflect.Value) {
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		switch f.Kind() {
		case reflect.Struct:
			emptyLists(f)
		case reflect.Slice:
			if f.IsNil() {
				js, live := sf.Tag.Get("json"), sf.Tag.Get("live")
				if !strings.Contains(js, ",omit") && !strings.HasSuffix(live, ",null") && !strings.Contains(live, ",null,") {
					f.Set(reflect.MakeSlice(f.Type(), 0, 0))
				}
				continue
			}
			if f.Type().Elem().Kind() == reflect.Struct {
				c := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
				reflect.Copy(c, f)
				for j := range c.Len() {
					emptyLists(c.Index(j))
				}
				f.Set(c)
			}
		}
	}
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

// The encoders write what encoding/json writes, for the samples of every command, for a generated
// day of rooms, and for empty events.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	samples, err := filepath.Glob("testdata/*.json")
	if err != nil || len(samples) < len(webhook.EventCommands) {
		t.Fatalf("%d samples (%v), want one a command at least", len(samples), err)
	}
	for _, f := range samples {
		raw, err := os.ReadFile(f)
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
	for _, c := range webhook.EventCommands {
		ev, err := webhook.Decode([]byte(`{"CallbackCommand":"` + string(c) + `"}`))
		if err != nil {
			t.Fatal(err)
		}
		expectSameEncoding(t, ev)
	}
	score := int64(7)
	expectSameEncoding(t, &webhook.EndBattle{FromRoomInfo: webhook.BattleRoom{Score: &score}, ToRoomList: []webhook.BattleRoom{{RoomId: "<r>"}, {}}})
	expectSameEncoding(t, &webhook.SeatInfoChanged{SeatList: []webhook.Seat{{Index: 1, MemberAccount: webhook.Account{ID: "18446744073709551615", Number: true}}, {}}})
	expectSameEncoding(t, &webhook.SetMetadata{Metadata: []webhook.MetadataItem{{Key: "k\u2028", Value: "\xff"}}, Extra: webhook.Extra{"a": json.RawMessage(`null`)}})
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
		score := int64(n)
		battle := webhook.BattleRoom{RoomId: room, OwnerAccount: acct}
		if flag {
			battle.Score = &score
		}
		var rooms []webhook.BattleRoom
		if !flag {
			rooms = []webhook.BattleRoom{battle, {}}
		}
		expectSameEncoding(t, &webhook.EndBattle{BattleId: name, Duration: n, StartTime: at, OpType: n, FromRoomInfo: battle, ToRoomList: rooms, Extra: extra})
		expectSameEncoding(t, &webhook.SeatInfoChanged{OperatorAccount: op, RoomId: room, SeatList: []webhook.Seat{{Index: n, MemberAccount: acct, IsAudioDisabled: flag}}, EventTime: at})
		expectSameEncoding(t, &webhook.BeforeSendGift{OperatorAccount: op, RoomId: room, GiftWater: webhook.GiftWater{FromAccount: name, ToAccount: admins, Time: at, GiftId: custom, Count: n, Coins: int64(n)}})
		expectSameEncoding(t, &webhook.UpdateRoomInfo{OperatorAccount: op, RoomInfo: webhook.UpdatedRoomInfo{RoomId: room, Category: category, CustomInfo: custom}, EventTime: at, Extra: extra})
	})
}
