package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// kind is the JSON type a field must have.
type kind uint8

const (
	kString kind = iota
	kInt
	kBool
	kAccount  // a string, or an integer as in the Destroy sample's Owner_Account
	kInts     // an array of integers
	kStrings  // an array of strings
	kObject   // an object, checked against its own field list
	kCommand  // a string equal to the command
	kEnum     // a string from a list
	kTimeMS   // an integer of Unix milliseconds
	kTimeSecs // an integer of Unix seconds
)

// field describes one body field for validation.
type field struct {
	name     string
	kind     kind
	required bool
	enum     []string
	fields   []field // for kObject
}

// Field lists per command. Required are the fields every documented shape carries: the Create
// sample omits EventTime, and the production shape of a system destroy lacks Category and
// Statistic. Fields not listed are accepted, as a receiver must tolerate fields it does not know.
var (
	createRoomInfoFields = []field{
		{name: "RoomId", kind: kString, required: true},
		{name: "RoomName", kind: kString},
		{name: "RoomType", kind: kString},
		{name: "Owner_Account", kind: kAccount},
		{name: "MaxMemberCount", kind: kInt},
		{name: "IsMessageDisabled", kind: kBool},
		{name: "CustomInfo", kind: kString},
		{name: "IsSeatEnabled", kind: kBool},
		{name: "TakeSeatMode", kind: kEnum, enum: TakeSeatModes},
		{name: "MaxSeatCount", kind: kInt},
		{name: "CreateTime", kind: kTimeSecs},
		{name: "IsPublicVisible", kind: kBool},
		{name: "CoverURL", kind: kString},
		{name: "Category", kind: kInts},
	}
	destroyRoomInfoFields = []field{
		{name: "RoomId", kind: kString},
		{name: "RoomName", kind: kString},
		{name: "RoomType", kind: kString},
		{name: "Owner_Account", kind: kAccount},
		{name: "IsSeatEnabled", kind: kBool},
		{name: "TakeSeatMode", kind: kEnum, enum: TakeSeatModes},
		{name: "MaxMemberCount", kind: kInt},
		{name: "MaxSeatCount", kind: kInt},
		{name: "Category", kind: kInts},
		{name: "CustomInfo", kind: kString},
		{name: "IsMessageDisabled", kind: kBool},
		{name: "CoverURL", kind: kString},
		{name: "ActivityStatus", kind: kInt},
		{name: "IsPublicVisible", kind: kBool},
		{name: "ViewCount", kind: kInt},
		{name: "BackgroundURL", kind: kString},
		{name: "IsUnlimitedRoomEnabled", kind: kBool},
	}
	statisticFields = []field{
		{name: "TotalViewers", kind: kInt},
		{name: "TotalGiftsSent", kind: kInt},
		{name: "TotalGiftCoins", kind: kInt},
		{name: "TotalUniqueGiftSenders", kind: kInt},
		{name: "TotalLikesReceived", kind: kInt},
	}
	bodyFields = map[Command][]field{
		CommandCreateRoom: {
			{name: "CallbackCommand", kind: kCommand, required: true},
			{name: "Operator_Account", kind: kString, required: true},
			{name: "RoomInfo", kind: kObject, required: true, fields: createRoomInfoFields},
			{name: "EventTime", kind: kTimeMS},
		},
		CommandModifyAdmin: {
			{name: "CallbackCommand", kind: kCommand, required: true},
			{name: "RoomId", kind: kString, required: true},
			{name: "EventTime", kind: kTimeMS, required: true},
			{name: "Operator_Account", kind: kString, required: true},
			{name: "Admin_Account", kind: kStrings, required: true},
			{name: "opType", kind: kEnum, required: true, enum: OpTypes},
		},
		CommandDestroyRoom: {
			{name: "CallbackCommand", kind: kCommand, required: true},
			{name: "Operator_Account", kind: kString, required: true},
			{name: "RoomId", kind: kString, required: true},
			{name: "EventType", kind: kEnum, required: true, enum: DestroyEventTypes},
			{name: "EventTime", kind: kTimeMS, required: true},
			{name: "RoomInfo", kind: kObject, fields: destroyRoomInfoFields},
			{name: "Statistic", kind: kObject, fields: statisticFields},
		},
	}
)

// ValidateBody checks a webhook body against the protocol for cmd: a JSON object whose
// CallbackCommand equals cmd, with every required field, and every known field of its JSON type.
// Fields the protocol does not name are accepted. The error names the first field at fault.
func ValidateBody(cmd Command, body []byte) error {
	fields, ok := bodyFields[cmd]
	if !ok {
		return fmt.Errorf("unknown command %q: want one of %s", cmd, joinCommands())
	}
	obj, err := parseObject(body)
	if err != nil {
		return err
	}
	return validateObject(cmd, "", obj, fields)
}

func joinCommands() string {
	s := make([]string, len(Commands))
	for i, c := range Commands {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func validateObject(cmd Command, path string, obj map[string]json.RawMessage, fields []field) error {
	for _, f := range fields {
		name := path + f.name
		raw, ok := obj[f.name]
		if !ok {
			if f.required {
				return fmt.Errorf("%s is missing", name)
			}
			continue
		}
		if err := validateValue(cmd, name, raw, f); err != nil {
			return err
		}
	}
	return nil
}

func validateValue(cmd Command, name string, raw json.RawMessage, f field) error {
	raw = bytes.TrimSpace(raw)
	switch f.kind {
	case kString:
		if raw[0] != '"' {
			return fmt.Errorf("%s is %s, want a string", name, kindOf(raw))
		}
	case kInt, kTimeMS, kTimeSecs:
		if !isIntegerLiteral(raw) {
			return fmt.Errorf("%s is %s, want an integer", name, kindOf(raw))
		}
		if err := checkTimeUnit(name, raw, f.kind); err != nil {
			return err
		}
	case kBool:
		if raw[0] != 't' && raw[0] != 'f' {
			return fmt.Errorf("%s is %s, want true or false", name, kindOf(raw))
		}
	case kAccount:
		if raw[0] != '"' && !isIntegerLiteral(raw) {
			return fmt.Errorf("%s is %s, want a string (or an integer user ID)", name, kindOf(raw))
		}
	case kInts, kStrings:
		if raw[0] != '[' {
			return fmt.Errorf("%s is %s, want an array", name, kindOf(raw))
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		for i, it := range items {
			it = bytes.TrimSpace(it)
			if f.kind == kInts && !isIntegerLiteral(it) {
				return fmt.Errorf("%s[%d] is %s, want an integer", name, i, kindOf(it))
			}
			if f.kind == kStrings && it[0] != '"' {
				return fmt.Errorf("%s[%d] is %s, want a string", name, i, kindOf(it))
			}
		}
	case kObject:
		if raw[0] != '{' {
			return fmt.Errorf("%s is %s, want an object", name, kindOf(raw))
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		return validateObject(cmd, name+".", obj, f.fields)
	case kCommand, kEnum:
		var s string
		if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
			return fmt.Errorf("%s is %s, want a string", name, kindOf(raw))
		}
		if f.kind == kCommand && Command(s) != cmd {
			return fmt.Errorf("%s is %q in the body but %q in the URL", name, s, cmd)
		}
		if f.kind == kEnum && !slices.Contains(f.enum, s) {
			return fmt.Errorf("%s is %q, want one of %s", name, s, strings.Join(f.enum, ", "))
		}
	}
	return nil
}

// Plausible time ranges tell seconds from milliseconds: 10 digits are seconds until 2286,
// 13 digits are milliseconds.
const (
	minSecs, maxSecs = 1_000_000_000, 9_999_999_999
	minMS, maxMS     = minSecs * 1000, maxSecs*1000 + 999
)

func checkTimeUnit(name string, raw []byte, k kind) error {
	if k != kTimeMS && k != kTimeSecs {
		return nil
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return fmt.Errorf("%s is %s, want an integer", name, kindOf(raw))
	}
	switch {
	case k == kTimeMS && n >= minSecs && n <= maxSecs:
		return fmt.Errorf("%s is %d, which looks like Unix seconds; want Unix milliseconds", name, n)
	case k == kTimeMS && (n < minMS || n > maxMS):
		return fmt.Errorf("%s is %d, want Unix milliseconds (13 digits)", name, n)
	case k == kTimeSecs && n >= minMS && n <= maxMS:
		return fmt.Errorf("%s is %d, which looks like Unix milliseconds; want Unix seconds", name, n)
	case k == kTimeSecs && (n < minSecs || n > maxSecs):
		return fmt.Errorf("%s is %d, want Unix seconds (10 digits)", name, n)
	}
	return nil
}
