package webhook

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// oracleSpec is the protocol of every typed command, written out a second time from
// docs/protocol.md (§2 and §2a) and the vendor's samples, in a form of its own: the oracle must
// not read the package's field lists, or it would agree with them whatever they said. One line a
// field: its name, its kind, and "required" when every sample carries it; a nested object's or
// array of objects' fields follow, indented. The kinds, and what each accepts:
//
//	string    a JSON string            user     a string of at most 32 bytes
//	account   a user, or a JSON integer 0..2^64-1 (the Destroy sample's Owner_Account)
//	count     an integer 0..2^32-1     int32    an integer -2^31..2^31-1
//	total     an integer 0..2^63-1     bool     true or false
//	ms        Unix milliseconds (13 digits)     secs   Unix seconds (10 digits)
//	secs0     secs, or 0               command  the URL's CallbackCommand
//	enum(a|b) one of the strings       intenum(0|1) one of the integers, as written
//	int32s, users, strings: an array of that kind
//	object    an object                objects  an array of objects
const oracleSpec = `
Live.CallbackAfterCreateRoom
  CallbackCommand command required
  Operator_Account user required
  RoomInfo object required
    RoomId string required
    RoomName string
    RoomType string
    Owner_Account account
    MaxMemberCount count
    IsMessageDisabled bool
    CustomInfo string
    IsSeatEnabled bool
    TakeSeatMode enum(None|FreeToTake|ApplyToTake)
    MaxSeatCount count
    CreateTime secs
    IsPublicVisible bool
    CoverURL string
    Category int32s
  EventTime ms
Live.CallbackAfterModifyAdmin
  CallbackCommand command required
  RoomId string required
  EventTime ms required
  Operator_Account user required
  Admin_Account users required
  opType enum(add|delete) required
Live.CallbackAfterDestroyRoom
  CallbackCommand command required
  Operator_Account user required
  RoomId string required
  EventType enum(DestroyByUser|DestroyBySystem) required
  EventTime ms required
  RoomInfo object
    RoomId string
    RoomName string
    RoomType string
    Owner_Account account
    IsSeatEnabled bool
    TakeSeatMode enum(None|FreeToTake|ApplyToTake)
    MaxMemberCount count
    MaxSeatCount count
    Category int32s
    CustomInfo string
    IsMessageDisabled bool
    CoverURL string
    ActivityStatus int32
    IsPublicVisible bool
    ViewCount count
    BackgroundURL string
    IsUnlimitedRoomEnabled bool
  Statistic object
    TotalViewers total
    TotalGiftsSent total
    TotalGiftCoins total
    TotalUniqueGiftSenders total
    TotalLikesReceived total
Live.CallbackAfterUpdateRoomInfo
  CallbackCommand command required
  Operator_Account user required
  RoomInfo object required
    RoomId string required
    RoomName string
    MaxMemberCount count
    IsMessageDisabled bool
    CoverURL string
    Category int32s
    ActivityStatus int32
    IsPublicVisible bool
    TakeSeatMode enum(None|FreeToTake|ApplyToTake)
    CustomInfo string
  EventTime ms required
Live.CallbackAfterChangeOwner
  CallbackCommand command required
  RoomId string required
  EventTime ms required
  Operator_Account user required
  CurrentOwner_Account user required
  OriginalOwner_Account user required
Live.CallbackAfterSetMetadata
  CallbackCommand command required
  Operator_Account user required
  RoomId string required
  Metadata objects required
    Key string required
    Value string required
  EventTime ms required
Live.CallbackAfterDelMetadata
  CallbackCommand command required
  Operator_Account user required
  RoomId string required
  Keys strings required
  EventTime ms required
Live.CallbackAfterCreateRoomReachingThreshold
  CallbackCommand command required
  Operator_Account user required
  EventTime ms required
  CurRoomCount count required
  MaxRoomCount count required
Live.CallbackAfterMemberStateChanged
  CallbackCommand command required
  RoomId string required
  EventType enum(Online|Offline) required
  EventCause enum(Enter|Leave|HeartbeatInterrupt|HeartbeatRecover|Kicked) required
  MemberList objects required
    Member_Account account required
  EventTime ms required
Mic.CallbackAfterSeatInfoChanged
  CallbackCommand command required
  Operator_Account user
  RoomId string required
  SeatList objects required
    Index count required
    Member_Account account
    IsTakenDisabled bool
    IsVideoDisabled bool
    IsAudioDisabled bool
  EventTime ms required
Live.CallbackAfterCreateBattle
  CallbackCommand command required
  Operator_Account user required
  BattleId string required
  FromRoomId string required
  ToRoomIdList strings required
  Timeout count
  Duration count
  NeedResponse bool
  ExtensionInfo string
  EventTime ms required
Live.CallbackAfterStartBattle
  CallbackCommand command required
  BattleId string required
  Duration count
  CreateTime secs
  StartTime secs
  FromRoomInfo object required
    RoomId string required
    Owner_Account account
    Score total
  ToRoomList objects required
    RoomId string required
    Owner_Account account
    Score total
  EventTime ms required
Live.CallbackAfterEndBattle
  CallbackCommand command required
  BattleId string required
  Duration count
  CreateTime secs
  StartTime secs0
  EndTime secs
  OpType intenum(0|1|2) required
  FromRoomInfo object required
    RoomId string required
    Owner_Account account
    Score total
  ToRoomList objects required
    RoomId string required
    Owner_Account account
    Score total
  EventTime ms required
Live.CallbackBeforeSendGift
  CallbackCommand command required
  Operator_Account user required
  RoomId string required
  GiftWater object required
    From_Account user required
    To_Account users required
    Time secs required
    GiftId string required
    Count count required
    Coins total required
`

// oracleField is one line of oracleSpec.
type oracleField struct {
	name, kind string
	values     []string // of enum and intenum
	required   bool
	fields     []oracleField
}

// oracleCommands is oracleSpec read: each command's fields.
var oracleCommands = func() map[Command][]oracleField {
	out := map[Command][]oracleField{}
	lines := strings.Split(strings.TrimSpace(oracleSpec), "\n")
	// fields reads the fields at depth d from lines[*i:].
	var fields func(i *int, d int) []oracleField
	fields = func(i *int, d int) []oracleField {
		var list []oracleField
		for *i < len(lines) {
			line := lines[*i]
			if depth := (len(line) - len(strings.TrimLeft(line, " "))) / 2; depth < d {
				return list
			}
			*i++
			words := strings.Fields(line)
			f := oracleField{name: words[0], kind: words[1], required: len(words) > 2 && words[2] == "required"}
			if j := strings.IndexByte(f.kind, '('); j >= 0 {
				f.values = strings.Split(f.kind[j+1:len(f.kind)-1], "|")
				f.kind = f.kind[:j]
			}
			f.fields = fields(i, d+1)
			list = append(list, f)
		}
		return list
	}
	for i := 0; i < len(lines); {
		cmd := Command(lines[i])
		i++
		out[cmd] = fields(&i, 1)
	}
	return out
}()

// oracleAccepts reports whether the decoded body obj is a valid body of cmd.
func oracleAccepts(cmd Command, obj map[string]any) bool {
	fields, ok := oracleCommands[cmd]
	return ok && oracleFields(cmd, obj, fields)
}

func oracleFields(cmd Command, obj map[string]any, fields []oracleField) bool {
	for _, f := range fields {
		v, ok := obj[f.name]
		if !ok {
			if f.required {
				return false
			}
			continue
		}
		if !oracleFieldValue(cmd, v, f) {
			return false
		}
	}
	return true
}

// oracleInteger reports whether v is an integer literal within [lo, hi].
func oracleInteger(v any, lo, hi int64) bool {
	n, ok := v.(json.Number)
	if !ok || strings.ContainsAny(string(n), ".eE") {
		return false
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	return err == nil && i >= lo && i <= hi
}

func oracleUserID(v any) bool {
	s, ok := v.(string)
	return ok && len(s) <= 32
}

func oracleFieldValue(cmd Command, v any, f oracleField) bool {
	each := func(elem oracleField) bool {
		items, ok := v.([]any)
		if !ok {
			return false
		}
		for _, it := range items {
			if !oracleFieldValue(cmd, it, elem) {
				return false
			}
		}
		return true
	}
	switch f.kind {
	case "string":
		_, ok := v.(string)
		return ok
	case "user":
		return oracleUserID(v)
	case "account":
		if n, ok := v.(json.Number); ok {
			_, err := strconv.ParseUint(string(n), 10, 64)
			return err == nil && (string(n) == "0" || string(n)[0] != '0')
		}
		return oracleUserID(v)
	case "count":
		return oracleInteger(v, 0, math.MaxUint32)
	case "int32":
		return oracleInteger(v, math.MinInt32, math.MaxInt32)
	case "total":
		return oracleInteger(v, 0, math.MaxInt64)
	case "bool":
		_, ok := v.(bool)
		return ok
	case "ms":
		return oracleInteger(v, 1_000_000_000_000, 9_999_999_999_999)
	case "secs":
		return oracleInteger(v, 1_000_000_000, 9_999_999_999)
	case "secs0":
		return oracleInteger(v, 0, 0) || oracleInteger(v, 1_000_000_000, 9_999_999_999)
	case "command":
		s, ok := v.(string)
		return ok && Command(s) == cmd
	case "enum":
		s, ok := v.(string)
		return ok && slices.Contains(f.values, s)
	case "intenum":
		n, ok := v.(json.Number)
		return ok && slices.Contains(f.values, string(n))
	case "int32s":
		return each(oracleField{kind: "int32"})
	case "users":
		return each(oracleField{kind: "user"})
	case "strings":
		return each(oracleField{kind: "string"})
	case "object":
		obj, ok := v.(map[string]any)
		return ok && oracleFields(cmd, obj, f.fields)
	case "objects":
		return each(oracleField{kind: "object", fields: f.fields})
	}
	panic("oracleSpec: unknown kind " + f.kind)
}

// TestOracleSpecCoversEveryCommand keeps the oracle's protocol as wide as the package's.
func TestOracleSpecCoversEveryCommand(t *testing.T) {
	for _, c := range EventCommands {
		if _, ok := oracleCommands[c]; !ok {
			t.Errorf("oracleSpec has no %s", c)
		}
	}
	if len(oracleCommands) != len(EventCommands) {
		t.Errorf("oracleSpec has %d commands, EventCommands %d", len(oracleCommands), len(EventCommands))
	}
	if got := len(oracleCommands[CommandEndBattle][6].values); got != 3 {
		t.Errorf("EndBattle's OpType has %d values in the spec, want 3", got)
	}
	if f := oracleCommands[CommandDestroyRoom][5]; f.name != "RoomInfo" || len(f.fields) != 17 {
		t.Errorf("Destroy's RoomInfo in the spec: %s with %d fields, want RoomInfo with 17", f.name, len(f.fields))
	}
}

// TestOracleAcceptsTheSamplesAndRefusesTheirFaults: the oracle is no judge if it refuses the
// vendor's samples, or takes a sample with a field of the wrong type or a required one missing.
func TestOracleAcceptsTheSamplesAndRefusesTheirFaults(t *testing.T) {
	samples := map[Command]string{}
	for _, c := range EventCommands {
		name := map[Command]string{
			CommandCreateRoom: "create_room", CommandModifyAdmin: "modify_admin", CommandDestroyRoom: "destroy_room",
			CommandUpdateRoomInfo: "update_room_info", CommandChangeOwner: "change_owner", CommandSetMetadata: "set_metadata",
			CommandDelMetadata: "del_metadata", CommandRoomThreshold: "room_threshold", CommandMemberStateChanged: "member_state_changed",
			CommandSeatInfoChanged: "seat_info_changed", CommandCreateBattle: "create_battle", CommandStartBattle: "start_battle",
			CommandEndBattle: "end_battle", CommandBeforeSendGift: "before_send_gift",
		}[c]
		b, err := os.ReadFile("testdata/" + name + ".json")
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		samples[c] = string(b)
		if !oracle(c, b) {
			t.Errorf("the oracle refuses the %s sample:\n%s", c, b)
		}
		if err := ValidateBody(c, b); err != nil {
			t.Errorf("ValidateBody refuses the %s sample: %v", c, err)
		}
	}
	for _, tc := range []struct {
		cmd       Command
		old, new_ string
	}{
		{CommandCreateRoom, `"RoomInfo"`, `"Roominfo"`},
		{CommandModifyAdmin, `"opType"`, `"OpType"`},
		{CommandDestroyRoom, `"DestroyByUser"`, `"DestroyByAdmin"`},
		{CommandEndBattle, `"OpType": 0`, `"OpType": 3`},
		{CommandEndBattle, `"OpType": 0`, `"OpType": 0.0`},
		{CommandBeforeSendGift, `"GiftId"`, `"Giftid"`},
		{CommandSeatInfoChanged, `"Index": 1`, `"Index": -1`},
		{CommandMemberStateChanged, `"Enter"`, `"enter"`},
	} {
		s := samples[tc.cmd]
		if !strings.Contains(s, tc.old) {
			t.Fatalf("%s sample has no %s", tc.cmd, tc.old)
		}
		b := []byte(strings.Replace(s, tc.old, tc.new_, 1))
		if oracle(tc.cmd, b) {
			t.Errorf("the oracle takes a %s sample with %s for %s", tc.cmd, tc.new_, tc.old)
		}
		if ValidateBody(tc.cmd, b) == nil {
			t.Errorf("ValidateBody takes a %s sample with %s for %s", tc.cmd, tc.new_, tc.old)
		}
	}
}
