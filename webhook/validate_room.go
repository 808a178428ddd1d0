package webhook

// Field lists of the room webhooks beyond the three seed ones, as their vendor pages show them.
// They join bodyFields here so that ValidateBody, and with it the reference receiver, checks
// every command the mock backend can fire.
var roomBodyFields = map[Command][]field{
	CommandUpdateRoomInfo: {
		{name: "CallbackCommand", kind: kCommand, required: true},
		{name: "Operator_Account", kind: kUser, required: true},
		{name: "RoomInfo", kind: kObject, required: true, fields: []field{
			{name: "RoomId", kind: kString, required: true},
			{name: "RoomName", kind: kString},
			{name: "MaxMemberCount", kind: kCount},
			{name: "IsMessageDisabled", kind: kBool},
			{name: "CoverURL", kind: kString},
			{name: "Category", kind: kInt32s},
			{name: "ActivityStatus", kind: kInt32},
			{name: "IsPublicVisible", kind: kBool},
			{name: "TakeSeatMode", kind: kEnum, enum: TakeSeatModes},
			{name: "CustomInfo", kind: kString},
		}},
		{name: "EventTime", kind: kTimeMS, required: true},
	},
	CommandChangeOwner: {
		{name: "CallbackCommand", kind: kCommand, required: true},
		{name: "RoomId", kind: kString, required: true},
		{name: "EventTime", kind: kTimeMS, required: true},
		{name: "Operator_Account", kind: kUser, required: true},
		{name: "CurrentOwner_Account", kind: kUser, required: true},
		{name: "OriginalOwner_Account", kind: kUser, required: true},
	},
	CommandSetMetadata: {
		{name: "CallbackCommand", kind: kCommand, required: true},
		{name: "Operator_Account", kind: kUser, required: true},
		{name: "RoomId", kind: kString, required: true},
		{name: "Metadata", kind: kObjects, required: true, fields: []field{
			{name: "Key", kind: kString, required: true},
			{name: "Value", kind: kString, required: true},
		}},
		{name: "EventTime", kind: kTimeMS, required: true},
	},
	CommandDelMetadata: {
		{name: "CallbackCommand", kind: kCommand, required: true},
		{name: "Operator_Account", kind: kUser, required: true},
		{name: "RoomId", kind: kString, required: true},
		{name: "Keys", kind: kStrings, required: true},
		{name: "EventTime", kind: kTimeMS, required: true},
	},
}

func init() {
	for cmd, fields := range roomBodyFields {
		bodyFields[cmd] = fields
	}
}
