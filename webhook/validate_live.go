package webhook

// Field lists of LiveCommands, as their vendor pages show them (docs/protocol.md, §2a, names
// each page). A field every version of a page's sample carries is required; one that only some
// carry (SeatInfoChanged's Operator_Account) or that a sample leaves out when empty (a seat's
// Member_Account) is not.
var (
	battleRoomFields = []field{
		{name: "RoomId", kind: kString, required: true},
		{name: "Owner_Account", kind: kAccount},
		{name: "Score", kind: kTotal},
	}
	liveBodyFields = map[Command][]field{
		CommandRoomThreshold: {
			{name: "CallbackCommand", kind: kCommand, required: true},
			{name: "Operator_Account", kind: kUser, required: true},
			{name: "EventTime", kind: kTimeMS, required: true},
			{name: "CurRoomCount", kind: kCount, required: true},
			{name: "MaxRoomCount", kind: kCount, required: true},
		},
		CommandMemberStateChanged: {
			{name: "CallbackCommand", kind: kCommand, required: true},
			{name: "RoomId", kind: kString, required: true},
			{name: "EventType", kind: kEnum, required: true, enum: MemberEventTypes},
			{name: "EventCause", kind: kEnum, required: true, enum: MemberEventCauses},
			{name: "MemberList", kind: kObjects, required: true, fields: []field{
				{name: "Member_Account", kind: kAccount, required: true},
			}},
			{name: "EventTime", kind: kTimeMS, required: true},
		},
		CommandSeatInfoChanged: {
			{name: "CallbackCommand", kind: kCommand, required: true},
			{name: "Operator_Account", kind: kUser},
			{name: "RoomId", kind: kString, required: true},
			{name: "SeatList", kind: kObjects, required: true, fields: []field{
				{name: "Index", kind: kCount, required: true},
				{name: "Member_Account", kind: kAccount},
				{name: "IsTakenDisabled", kind: kBool},
				{name: "IsVideoDisabled", kind: kBool},
				{name: "IsAudioDisabled", kind: kBool},
			}},
			{name: "EventTime", kind: kTimeMS, required: true},
		},
		CommandCreateBattle: {
			{name: "CallbackCommand", kind: kCommand, required: true},
			{name: "Operator_Account", kind: kUser, required: true},
			{name: "BattleId", kind: kString, required: true},
			{name: "FromRoomId", kind: kString, required: true},
			{name: "ToRoomIdList", kind: kStrings, required: true},
			{name: "Timeout", kind: kCount},
			{name: "Duration", kind: kCount},
			{name: "NeedResponse", kind: kBool},
			{name: "ExtensionInfo", kind: kString},
			{name: "EventTime", kind: kTimeMS, required: true},
		},
		CommandStartBattle: {
			{name: "CallbackCommand", kind: kCommand, required: true},
			{name: "BattleId", kind: kString, required: true},
			{name: "Duration", kind: kCount},
			{name: "CreateTime", kind: kTimeSecs},
			{name: "StartTime", kind: kTimeSecs},
			{name: "FromRoomInfo", kind: kObject, required: true, fields: battleRoomFields},
			{name: "ToRoomList", kind: kObjects, required: true, fields: battleRoomFields},
			{name: "EventTime", kind: kTimeMS, required: true},
		},
		CommandEndBattle: {
			{name: "CallbackCommand", kind: kCommand, required: true},
			{name: "BattleId", kind: kString, required: true},
			{name: "Duration", kind: kCount},
			{name: "CreateTime", kind: kTimeSecs},
			// A battle that never began (OpType 2) has no start time to give; no sample shows
			// one, so 0 is taken beside Unix seconds.
			{name: "StartTime", kind: kSecsOr0},
			{name: "EndTime", kind: kTimeSecs},
			{name: "OpType", kind: kIntEnum, required: true, enum: []string{"0", "1", "2"}},
			{name: "FromRoomInfo", kind: kObject, required: true, fields: battleRoomFields},
			{name: "ToRoomList", kind: kObjects, required: true, fields: battleRoomFields},
			{name: "EventTime", kind: kTimeMS, required: true},
		},
		CommandBeforeSendGift: {
			{name: "CallbackCommand", kind: kCommand, required: true},
			{name: "Operator_Account", kind: kUser, required: true},
			{name: "RoomId", kind: kString, required: true},
			{name: "GiftWater", kind: kObject, required: true, fields: []field{
				{name: "From_Account", kind: kUser, required: true},
				{name: "To_Account", kind: kUsers, required: true},
				{name: "Time", kind: kTimeSecs, required: true},
				{name: "GiftId", kind: kString, required: true},
				{name: "Count", kind: kCount, required: true},
				{name: "Coins", kind: kTotal, required: true},
			}},
		},
	}
)

func init() {
	for cmd, fields := range liveBodyFields {
		bodyFields[cmd] = fields
	}
}
