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
	trimmed, err := jsonObject(body)
	if err != nil {
		return err
	}
	// The receiver runs this for every webhook: once the bytes are known to be JSON, one scan
	// over them checks the fields, without decoding into maps.
	return validateObject(cmd, "", trimmed, fields)
}

func joinCommands() string {
	s := make([]string, len(Commands))
	for i, c := range Commands {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// validateObject checks the members of obj, a valid JSON object, against fields.
func validateObject(cmd Command, path string, obj []byte, fields []field) error {
	var seen uint64
	err := members(obj, func(key, val []byte) error {
		for i := range fields {
			if fields[i].name == string(key) {
				seen |= 1 << i
				return validateValue(cmd, path, val, fields[i])
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, f := range fields {
		if f.required && seen&(1<<i) == 0 {
			return fmt.Errorf("%s%s is missing", path, f.name)
		}
	}
	return nil
}

// validateValue checks the value of the field f of the object at path; the field's full name is
// only put together for a message.
func validateValue(cmd Command, path string, raw []byte, f field) error {
	name := fullName{path, f.name}
	switch f.kind {
	case kString:
		if raw[0] != '"' {
			return fmt.Errorf("%s is %s, want a string", name, kindOf(raw))
		}
	case kInt, kTimeMS, kTimeSecs:
		if !isIntegerLiteral(raw) {
			return fmt.Errorf("%s is %s, want an integer", name, kindOf(raw))
		}
		return checkTimeUnit(name, raw, f.kind)
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
		i := 0
		return elements(raw, func(it []byte) error {
			defer func() { i++ }()
			if f.kind == kStrings && it[0] != '"' {
				return fmt.Errorf("%s[%d] is %s, want a string", name, i, kindOf(it))
			}
			if f.kind == kInts && !isIntegerLiteral(it) {
				return fmt.Errorf("%s[%d] is %s, want an integer", name, i, kindOf(it))
			}
			return nil
		})
	case kObject:
		if raw[0] != '{' {
			return fmt.Errorf("%s is %s, want an object", name, kindOf(raw))
		}
		return validateObject(cmd, name.String()+".", raw, f.fields)
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

// fullName is a field's dotted name, as a fmt.Stringer so that it is only built for a message.
type fullName struct{ path, name string }

func (n fullName) String() string { return n.path + n.name }

// The scanner below walks JSON already checked by json.Valid, so it only finds boundaries.

// members calls fn with each key (unquoted) and value of a valid JSON object.
func members(obj []byte, fn func(key, val []byte) error) error {
	i := skipSpace(obj, 1)
	for i < len(obj) && obj[i] != '}' {
		end := skipValue(obj, i)
		key := obj[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var k string
			_ = json.Unmarshal(obj[i:end], &k)
			key = []byte(k)
		}
		i = skipSpace(obj, end)
		i = skipSpace(obj, i+1) // the colon
		vend := skipValue(obj, i)
		if err := fn(key, obj[i:vend]); err != nil {
			return err
		}
		i = skipSpace(obj, vend)
		if i < len(obj) && obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
	return nil
}

// elements calls fn with each element of a valid JSON array.
func elements(arr []byte, fn func(val []byte) error) error {
	i := skipSpace(arr, 1)
	for i < len(arr) && arr[i] != ']' {
		end := skipValue(arr, i)
		if err := fn(arr[i:end]); err != nil {
			return err
		}
		i = skipSpace(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = skipSpace(arr, i+1)
		}
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the value starting at i.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// parseInt parses an integer literal without the string conversion strconv needs.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 { // 18 digits always fit
		return 0, false
	}
	var n int64
	for _, c := range b {
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// Plausible time ranges tell seconds from milliseconds: 10 digits are seconds until 2286,
// 13 digits are milliseconds.
const (
	minSecs, maxSecs = 1_000_000_000, 9_999_999_999
	minMS, maxMS     = minSecs * 1000, maxSecs*1000 + 999
)

func checkTimeUnit(name fullName, raw []byte, k kind) error {
	if k != kTimeMS && k != kTimeSecs {
		return nil
	}
	n, ok := parseInt(raw)
	if !ok {
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
