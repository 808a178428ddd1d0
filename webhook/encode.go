package webhook

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// The three room webhooks are encoded by hand: load runs encode one per request, and
// encoding/json's reflection was the largest part of a request's cost after the system calls.
// The output is byte for byte what encoding/json makes of the struct tags (HTML-safe escaping
// included), which TestEncodeMatchesEncodingJSON and FuzzEncodeMatchesEncodingJSON check; the
// other events go through encoding/json.

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *CreateRoom) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 512)
	b = append(b, `{"CallbackCommand":"`+CommandCreateRoom+`","Operator_Account":`...)
	b = appendString(b, e.OperatorAccount)
	b = append(b, `,"RoomInfo":{"RoomId":`...)
	r := &e.RoomInfo
	b = appendString(b, r.RoomId)
	b = append(b, `,"RoomName":`...)
	b = appendString(b, r.RoomName)
	b = append(b, `,"RoomType":`...)
	b = appendString(b, r.RoomType)
	b = append(b, `,"Owner_Account":`...)
	b, err := appendAccount(b, r.OwnerAccount)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"MaxMemberCount":`...)
	b = strconv.AppendInt(b, int64(r.MaxMemberCount), 10)
	b = append(b, `,"IsMessageDisabled":`...)
	b = strconv.AppendBool(b, r.IsMessageDisabled)
	b = append(b, `,"CustomInfo":`...)
	b = appendString(b, r.CustomInfo)
	b = append(b, `,"IsSeatEnabled":`...)
	b = strconv.AppendBool(b, r.IsSeatEnabled)
	b = append(b, `,"TakeSeatMode":`...)
	b = appendString(b, r.TakeSeatMode)
	b = append(b, `,"MaxSeatCount":`...)
	b = strconv.AppendInt(b, int64(r.MaxSeatCount), 10)
	b = append(b, `,"CreateTime":`...)
	b = strconv.AppendInt(b, r.CreateTime, 10)
	b = append(b, `,"IsPublicVisible":`...)
	b = strconv.AppendBool(b, r.IsPublicVisible)
	b = append(b, `,"CoverURL":`...)
	b = appendString(b, r.CoverURL)
	b = append(b, `,"Category":`...)
	b = appendInts(b, r.Category)
	b = append(b, '}')
	if e.EventTime != 0 {
		b = append(b, `,"EventTime":`...)
		b = strconv.AppendInt(b, e.EventTime, 10)
	}
	return appendExtra(append(b, '}'), e.Extra)
}

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *ModifyAdmin) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256)
	b = append(b, `{"CallbackCommand":"`+CommandModifyAdmin+`","RoomId":`...)
	b = appendString(b, e.RoomId)
	b = append(b, `,"EventTime":`...)
	b = strconv.AppendInt(b, e.EventTime, 10)
	b = append(b, `,"Operator_Account":`...)
	b = appendString(b, e.OperatorAccount)
	b = append(b, `,"Admin_Account":[`...)
	for i, a := range e.AdminAccount {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, a)
	}
	b = append(b, `],"opType":`...)
	b = appendString(b, e.OpType)
	return appendExtra(append(b, '}'), e.Extra)
}

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *DestroyRoom) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 768)
	b = append(b, `{"CallbackCommand":"`+CommandDestroyRoom+`","Operator_Account":`...)
	b = appendString(b, e.OperatorAccount)
	b = append(b, `,"RoomId":`...)
	b = appendString(b, e.RoomId)
	b = append(b, `,"EventType":`...)
	b = appendString(b, e.EventType)
	b = append(b, `,"EventTime":`...)
	b = strconv.AppendInt(b, e.EventTime, 10)
	b = append(b, `,"RoomInfo":{`...)
	r := &e.RoomInfo
	if r.RoomId != "" {
		b = append(b, `"RoomId":`...)
		b = appendString(b, r.RoomId)
		b = append(b, ',')
	}
	b = append(b, `"RoomName":`...)
	b = appendString(b, r.RoomName)
	b = append(b, `,"RoomType":`...)
	b = appendString(b, r.RoomType)
	b = append(b, `,"Owner_Account":`...)
	b, err := appendAccount(b, r.OwnerAccount)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"IsSeatEnabled":`...)
	b = strconv.AppendBool(b, r.IsSeatEnabled)
	b = append(b, `,"TakeSeatMode":`...)
	b = appendString(b, r.TakeSeatMode)
	b = append(b, `,"MaxMemberCount":`...)
	b = strconv.AppendInt(b, int64(r.MaxMemberCount), 10)
	b = append(b, `,"MaxSeatCount":`...)
	b = strconv.AppendInt(b, int64(r.MaxSeatCount), 10)
	if r.Category != nil {
		b = append(b, `,"Category":`...)
		b = appendInts(b, r.Category)
	}
	b = append(b, `,"CustomInfo":`...)
	b = appendString(b, r.CustomInfo)
	b = append(b, `,"IsMessageDisabled":`...)
	b = strconv.AppendBool(b, r.IsMessageDisabled)
	b = append(b, `,"CoverURL":`...)
	b = appendString(b, r.CoverURL)
	b = append(b, `,"ActivityStatus":`...)
	b = strconv.AppendInt(b, int64(r.ActivityStatus), 10)
	b = append(b, `,"IsPublicVisible":`...)
	b = strconv.AppendBool(b, r.IsPublicVisible)
	b = append(b, `,"ViewCount":`...)
	b = strconv.AppendInt(b, int64(r.ViewCount), 10)
	b = append(b, `,"BackgroundURL":`...)
	b = appendString(b, r.BackgroundURL)
	b = append(b, `,"IsUnlimitedRoomEnabled":`...)
	b = strconv.AppendBool(b, r.IsUnlimitedRoomEnabled)
	b = append(b, '}')
	if s := e.Statistic; s != nil {
		b = append(b, `,"Statistic":{"TotalViewers":`...)
		b = strconv.AppendInt(b, int64(s.TotalViewers), 10)
		b = append(b, `,"TotalGiftsSent":`...)
		b = strconv.AppendInt(b, int64(s.TotalGiftsSent), 10)
		b = append(b, `,"TotalGiftCoins":`...)
		b = strconv.AppendInt(b, int64(s.TotalGiftCoins), 10)
		b = append(b, `,"TotalUniqueGiftSenders":`...)
		b = strconv.AppendInt(b, int64(s.TotalUniqueGiftSenders), 10)
		b = append(b, `,"TotalLikesReceived":`...)
		b = strconv.AppendInt(b, int64(s.TotalLikesReceived), 10)
		b = append(b, '}')
	}
	return appendExtra(append(b, '}'), e.Extra)
}

// appendString appends s as encoding/json writes a string: as is when no byte needs escaping,
// and through encoding/json otherwise (HTML-safe escapes, invalid UTF-8, U+2028 and U+2029).
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendAccount(b []byte, a Account) ([]byte, error) {
	if !a.Number {
		return appendString(b, a.ID), nil
	}
	if !isIntegerLiteral([]byte(a.ID)) {
		return nil, fmt.Errorf("account %q cannot be sent as a JSON number: it is not an integer", a.ID)
	}
	return append(b, a.ID...), nil
}

// appendInts appends a list of integers, null for nil.
func appendInts(b []byte, v []int) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, n := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return append(b, ']')
}

// marshalWithExtra encodes v with encoding/json and appends extra.
func marshalWithExtra(v any, extra Extra) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return appendExtra(b, extra)
}

// appendExtra appends the fields of extra, in the order of their names, to an encoded object.
func appendExtra(b []byte, extra Extra) ([]byte, error) {
	if len(extra) == 0 {
		return b, nil
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := b[:len(b)-1] // drop the closing brace
	for _, k := range keys {
		raw := extra[k]
		if !json.Valid(raw) {
			return nil, fmt.Errorf("extra field %q: value is not valid JSON: %q", k, raw)
		}
		out = append(out, ',')
		out = appendString(out, k)
		out = append(out, ':')
		out = append(out, raw...)
	}
	return append(out, '}'), nil
}
