package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
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
	// One pass over the bytes: the receiver runs this for every webhook.
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		if len(bytes.TrimSpace(body)) == 0 {
			return fmt.Errorf("body is empty, want a JSON object")
		}
		return fmt.Errorf("body is not JSON: %s", Excerpt(body, 80))
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("body is not JSON: data after the object: %s", Excerpt(body, 80))
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return fmt.Errorf("body is %s, want a JSON object", describeValue(doc))
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

func validateObject(cmd Command, path string, obj map[string]any, fields []field) error {
	for _, f := range fields {
		v, ok := obj[f.name]
		if !ok {
			if f.required {
				return fmt.Errorf("%s%s is missing", path, f.name)
			}
			continue
		}
		if err := validateValue(cmd, path+f.name, v, f); err != nil {
			return err
		}
	}
	return nil
}

func isInteger(v any) bool {
	n, ok := v.(json.Number)
	return ok && isIntegerLiteral([]byte(n))
}

func validateValue(cmd Command, name string, v any, f field) error {
	switch f.kind {
	case kString:
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s is %s, want a string", name, describeValue(v))
		}
	case kInt, kTimeMS, kTimeSecs:
		if !isInteger(v) {
			return fmt.Errorf("%s is %s, want an integer", name, describeValue(v))
		}
		return checkTimeUnit(name, string(v.(json.Number)), f.kind)
	case kBool:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s is %s, want true or false", name, describeValue(v))
		}
	case kAccount:
		if _, ok := v.(string); !ok && !isInteger(v) {
			return fmt.Errorf("%s is %s, want a string (or an integer user ID)", name, describeValue(v))
		}
	case kInts, kStrings:
		items, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s is %s, want an array", name, describeValue(v))
		}
		for i, it := range items {
			if _, isStr := it.(string); f.kind == kStrings && !isStr {
				return fmt.Errorf("%s[%d] is %s, want a string", name, i, describeValue(it))
			}
			if f.kind == kInts && !isInteger(it) {
				return fmt.Errorf("%s[%d] is %s, want an integer", name, i, describeValue(it))
			}
		}
	case kObject:
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is %s, want an object", name, describeValue(v))
		}
		return validateObject(cmd, name+".", obj, f.fields)
	case kCommand, kEnum:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s is %s, want a string", name, describeValue(v))
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

// describeValue is kindOf for a decoded value.
func describeValue(v any) string {
	switch v := v.(type) {
	case string:
		b, _ := json.Marshal(v)
		return kindOf(b)
	case json.Number:
		return kindOf([]byte(v))
	case bool:
		return "the boolean " + strconv.FormatBool(v)
	case nil:
		return "null"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// Plausible time ranges tell seconds from milliseconds: 10 digits are seconds until 2286,
// 13 digits are milliseconds.
const (
	minSecs, maxSecs = 1_000_000_000, 9_999_999_999
	minMS, maxMS     = minSecs * 1000, maxSecs*1000 + 999
)

func checkTimeUnit(name string, raw string, k kind) error {
	if k != kTimeMS && k != kTimeSecs {
		return nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return fmt.Errorf("%s is the number %s, want an integer that fits 64 bits", name, raw)
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
