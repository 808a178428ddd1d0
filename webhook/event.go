// Package webhook is the Live backend's webhook wire protocol: the typed events and their field
// lists, the limits of their values, the request URL, the callback signature, the response
// contract, and the record of what became of one delivery (Request, Result, Outcome). Package
// sender delivers them.
package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"unsafe"
)

// Command names a webhook, as sent in the CallbackCommand query parameter and body field.
type Command string

// The three room webhooks of the Live backend.
const (
	CommandCreateRoom  Command = "Live.CallbackAfterCreateRoom"
	CommandModifyAdmin Command = "Live.CallbackAfterModifyAdmin"
	CommandDestroyRoom Command = "Live.CallbackAfterDestroyRoom"
)

// Commands lists the known commands in lifecycle order.
var Commands = []Command{CommandCreateRoom, CommandModifyAdmin, CommandDestroyRoom}

// Known reports whether c is a webhook this package has a typed event and a field list for
// (EventCommands).
func (c Command) Known() bool {
	for _, k := range EventCommands {
		if k == c {
			return true
		}
	}
	return false
}

// Short is the command's name without the "Live.CallbackAfter" prefix, e.g. "CreateRoom".
func (c Command) Short() string {
	const p = "Live.CallbackAfter"
	if len(c) > len(p) && string(c[:len(p)]) == p {
		return string(c[len(p):])
	}
	return string(c)
}

// HasClientInfo reports whether the command's URL carries ClientIP and OptPlatform: the
// Create, Destroy, Update and metadata pages show them, the Modify Admin and Change Owner pages
// do not.
func (c Command) HasClientInfo() bool { return c != CommandModifyAdmin && c != CommandChangeOwner }

// Values of fields that are enumerations.
const (
	RoomTypeLive = "Live"

	TakeSeatModeNone        = "None"
	TakeSeatModeFreeToTake  = "FreeToTake"
	TakeSeatModeApplyToTake = "ApplyToTake"

	OpTypeAdd    = "add"
	OpTypeDelete = "delete"

	DestroyByUser   = "DestroyByUser"
	DestroyBySystem = "DestroyBySystem"

	// SystemAccount is the operator of a room the system dissolved, as captured in production.
	SystemAccount = "@TIM#SYSTEM"
)

// TakeSeatModes, OpTypes, DestroyEventTypes and Platforms list each enumeration's values.
var (
	TakeSeatModes     = []string{TakeSeatModeNone, TakeSeatModeFreeToTake, TakeSeatModeApplyToTake}
	OpTypes           = []string{OpTypeAdd, OpTypeDelete}
	DestroyEventTypes = []string{DestroyByUser, DestroyBySystem}
	Platforms         = []string{"RESTAPI", "Web", "Android", "iOS", "Windows", "Mac", "iPad", "Unknown"}
)

// Event is one webhook's body. Its JSON encoding is what goes on the wire.
type Event interface {
	// Command is the event's CallbackCommand.
	Command() Command
	// Room is the RoomId the event is about.
	Room() string
	// Time is the EventTime in Unix milliseconds, or 0 where the event has none.
	Time() int64
	// MarshalJSON encodes the body as it goes on the wire.
	MarshalJSON() ([]byte, error)
}

// Message is a webhook ready to deliver: the event, and what its URL says of the client that
// caused it (ClientIP and OptPlatform, for the commands whose URL carries them).
type Message struct {
	Event Event
	Meta  Meta
}

// Encode returns the event's body as it goes on the wire. It is json.Marshal without the second
// pass that encoding/json makes over a Marshaler's output.
func Encode(ev Event) ([]byte, error) { return ev.MarshalJSON() }

// Extra holds fields added to an event's body beyond the protocol's, to probe whether a
// receiver tolerates fields it does not know. They are encoded in key order, after the
// protocol's fields; a key that names a protocol field is encoded twice, and JSON decoders
// keep the later one, so Extra can also override a field with a value of another type.
type Extra map[string]json.RawMessage

// CreateRoom is the body of Live.CallbackAfterCreateRoom.
type CreateRoom struct {
	CallbackCommand Command  `json:"CallbackCommand" live:"command,required"`
	OperatorAccount string   `json:"Operator_Account" live:"user,required"`
	RoomInfo        RoomInfo `json:"RoomInfo" live:"object,required"`
	// EventTime is in Unix milliseconds; 0 omits it, as the vendor's sample does.
	EventTime int64 `json:"EventTime,omitempty" live:"ms"`
	Extra     Extra `json:"-"`
}

// RoomInfo is the room as Live.CallbackAfterCreateRoom describes it.
type RoomInfo struct {
	RoomId            string  `json:"RoomId" live:"string,required"`
	RoomName          string  `json:"RoomName" live:"string"`
	RoomType          string  `json:"RoomType" live:"string"`
	OwnerAccount      Account `json:"Owner_Account" live:"account"`
	MaxMemberCount    int     `json:"MaxMemberCount" live:"count"`
	IsMessageDisabled bool    `json:"IsMessageDisabled" live:"bool"`
	CustomInfo        string  `json:"CustomInfo" live:"string"`
	IsSeatEnabled     bool    `json:"IsSeatEnabled" live:"bool"`
	TakeSeatMode      string  `json:"TakeSeatMode" live:"enum(TakeSeatModes)"`
	MaxSeatCount      int     `json:"MaxSeatCount" live:"count"`
	// CreateTime is in Unix seconds.
	CreateTime      int64  `json:"CreateTime" live:"secs"`
	IsPublicVisible bool   `json:"IsPublicVisible" live:"bool"`
	CoverURL        string `json:"CoverURL" live:"string"`
	Category        []int  `json:"Category" live:"int32s,null"`
}

// ModifyAdmin is the body of Live.CallbackAfterModifyAdmin.
type ModifyAdmin struct {
	CallbackCommand Command  `json:"CallbackCommand" live:"command,required"`
	RoomId          string   `json:"RoomId" live:"string,required"`
	EventTime       int64    `json:"EventTime" live:"ms,required"`
	OperatorAccount string   `json:"Operator_Account" live:"user,required"`
	AdminAccount    []string `json:"Admin_Account" live:"users,required"`
	// OpType is OpTypeAdd or OpTypeDelete; the JSON name has a lower-case o.
	OpType string `json:"opType" live:"enum(OpTypes),required"`
	Extra  Extra  `json:"-"`
}

// DestroyRoom is the body of Live.CallbackAfterDestroyRoom.
type DestroyRoom struct {
	CallbackCommand Command `json:"CallbackCommand" live:"command,required"`
	OperatorAccount string  `json:"Operator_Account" live:"user,required"`
	RoomId          string  `json:"RoomId" live:"string,required"`
	// EventType is DestroyByUser or DestroyBySystem.
	EventType string            `json:"EventType" live:"enum(DestroyEventTypes),required"`
	EventTime int64             `json:"EventTime" live:"ms,required"`
	RoomInfo  DestroyedRoomInfo `json:"RoomInfo" live:"object"`
	// Statistic is nil in the production shape of a system destroy.
	Statistic *Statistic `json:"Statistic,omitempty" live:"object"`
	Extra     Extra      `json:"-"`
}

// DestroyedRoomInfo is the room as Live.CallbackAfterDestroyRoom describes it.
type DestroyedRoomInfo struct {
	// RoomId is empty in the vendor's sample and set in the production shape of a system destroy.
	RoomId         string  `json:"RoomId,omitempty" live:"string"`
	RoomName       string  `json:"RoomName" live:"string"`
	RoomType       string  `json:"RoomType" live:"string"`
	OwnerAccount   Account `json:"Owner_Account" live:"account"`
	IsSeatEnabled  bool    `json:"IsSeatEnabled" live:"bool"`
	TakeSeatMode   string  `json:"TakeSeatMode" live:"enum(TakeSeatModes)"`
	MaxMemberCount int     `json:"MaxMemberCount" live:"count"`
	MaxSeatCount   int     `json:"MaxSeatCount" live:"count"`
	// Category is nil, and left out, in the production shape of a system destroy; an empty
	// Category is sent as [], as a user destroy sends it.
	Category               []int  `json:"Category,omitzero" live:"int32s"`
	CustomInfo             string `json:"CustomInfo" live:"string"`
	IsMessageDisabled      bool   `json:"IsMessageDisabled" live:"bool"`
	CoverURL               string `json:"CoverURL" live:"string"`
	ActivityStatus         int    `json:"ActivityStatus" live:"int32"`
	IsPublicVisible        bool   `json:"IsPublicVisible" live:"bool"`
	ViewCount              int    `json:"ViewCount" live:"count"`
	BackgroundURL          string `json:"BackgroundURL" live:"string"`
	IsUnlimitedRoomEnabled bool   `json:"IsUnlimitedRoomEnabled" live:"bool"`
}

// Statistic sums up a room's life in Live.CallbackAfterDestroyRoom.
type Statistic struct {
	// TotalViewers counts room entries, a user entering twice counting twice.
	TotalViewers           int `json:"TotalViewers" live:"total"`
	TotalGiftsSent         int `json:"TotalGiftsSent" live:"total"`
	TotalGiftCoins         int `json:"TotalGiftCoins" live:"total"`
	TotalUniqueGiftSenders int `json:"TotalUniqueGiftSenders" live:"total"`
	TotalLikesReceived     int `json:"TotalLikesReceived" live:"total"`
}

// Command implements Event.
func (e *CreateRoom) Command() Command { return CommandCreateRoom }

// Room implements Event.
func (e *CreateRoom) Room() string { return e.RoomInfo.RoomId }

// Time implements Event.
func (e *CreateRoom) Time() int64 { return e.EventTime }

// Command implements Event.
func (e *ModifyAdmin) Command() Command { return CommandModifyAdmin }

// Room implements Event.
func (e *ModifyAdmin) Room() string { return e.RoomId }

// Time implements Event.
func (e *ModifyAdmin) Time() int64 { return e.EventTime }

// Command implements Event.
func (e *DestroyRoom) Command() Command { return CommandDestroyRoom }

// Room implements Event.
func (e *DestroyRoom) Room() string { return e.RoomId }

// Time implements Event.
func (e *DestroyRoom) Time() int64 { return e.EventTime }

var createRoomEncoder = newEventEncoder[CreateRoom]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *CreateRoom) MarshalJSON() ([]byte, error) {
	return createRoomEncoder.event(unsafe.Pointer(e), e.Extra)
}

var modifyAdminEncoder = newEventEncoder[ModifyAdmin]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *ModifyAdmin) MarshalJSON() ([]byte, error) {
	return modifyAdminEncoder.event(unsafe.Pointer(e), e.Extra)
}

var destroyRoomEncoder = newEventEncoder[DestroyRoom]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *DestroyRoom) MarshalJSON() ([]byte, error) {
	return destroyRoomEncoder.event(unsafe.Pointer(e), e.Extra)
}

// The alias types drop the methods, so that encoding/json does not recurse into UnmarshalJSON.
type (
	createRoomJSON  CreateRoom
	modifyAdminJSON ModifyAdmin
	destroyRoomJSON DestroyRoom
)

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *CreateRoom) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*createRoomJSON)(e), &e.Extra, e.Command())
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *ModifyAdmin) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*modifyAdminJSON)(e), &e.Extra, e.Command())
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *DestroyRoom) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*destroyRoomJSON)(e), &e.Extra, e.Command())
}

// knownNames are the names of each command's protocol fields, which a decoded event holds in its
// own fields, not in Extra.
var knownNames = func() map[Command][]string {
	m := make(map[Command][]string, len(eventTypes))
	for cmd, mk := range eventTypes {
		m[cmd] = fieldNames(reflect.TypeOf(mk()).Elem())
	}
	return m
}()

// unmarshalWithExtra decodes b into v, the alias type of an event of cmd, and the fields that
// are not cmd's into extra.
func unmarshalWithExtra(b []byte, v any, extra *Extra, cmd Command) error {
	known := knownNames[cmd]
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for _, k := range known {
		delete(all, k)
	}
	*extra = nil
	if len(all) > 0 {
		*extra = Extra(all)
	}
	return nil
}

// Decode decodes a webhook body, choosing the event type by its CallbackCommand field.
func Decode(body []byte) (Event, error) {
	var head struct {
		CallbackCommand Command `json:"CallbackCommand"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, fmt.Errorf("decode webhook body: %w", err)
	}
	mk, ok := eventTypes[head.CallbackCommand]
	if !ok {
		return nil, fmt.Errorf("decode webhook body: unknown CallbackCommand %q", head.CallbackCommand)
	}
	ev := mk()
	if err := json.Unmarshal(body, ev); err != nil {
		return nil, fmt.Errorf("decode %s body: %w", head.CallbackCommand, err)
	}
	return ev, nil
}

// eventTypes makes an empty event of each command this package has a typed event for.
var eventTypes = map[Command]func() Event{
	CommandCreateRoom:         func() Event { return new(CreateRoom) },
	CommandModifyAdmin:        func() Event { return new(ModifyAdmin) },
	CommandDestroyRoom:        func() Event { return new(DestroyRoom) },
	CommandUpdateRoomInfo:     func() Event { return new(UpdateRoomInfo) },
	CommandChangeOwner:        func() Event { return new(ChangeOwner) },
	CommandSetMetadata:        func() Event { return new(SetMetadata) },
	CommandDelMetadata:        func() Event { return new(DelMetadata) },
	CommandRoomThreshold:      func() Event { return new(RoomThreshold) },
	CommandMemberStateChanged: func() Event { return new(MemberStateChanged) },
	CommandSeatInfoChanged:    func() Event { return new(SeatInfoChanged) },
	CommandCreateBattle:       func() Event { return new(CreateBattle) },
	CommandStartBattle:        func() Event { return new(StartBattle) },
	CommandEndBattle:          func() Event { return new(EndBattle) },
	CommandBeforeSendGift:     func() Event { return new(BeforeSendGift) },
}

// Account is a user ID that may travel as a JSON string or, as in the vendor's Destroy sample,
// as a bare JSON number. A number keeps its digits exactly, even beyond float64's 2^53.
type Account struct {
	// ID is the user ID; for a number, its decimal digits.
	ID string
	// Number sends ID as a bare JSON number; ID must then be an integer literal.
	Number bool
}

// String returns the user ID.
func (a Account) String() string { return a.ID }

// MarshalJSON encodes the account as a string, or as a bare number when Number is set.
func (a Account) MarshalJSON() ([]byte, error) {
	if a.Number {
		if !isIntegerLiteral([]byte(a.ID)) {
			return nil, fmt.Errorf("account %q cannot be sent as a JSON number: it is not an integer", a.ID)
		}
		return []byte(a.ID), nil
	}
	return json.Marshal(a.ID)
}

// UnmarshalJSON accepts a JSON string or an integer JSON number.
func (a *Account) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		a.Number = false
		return json.Unmarshal(b, &a.ID)
	}
	if isIntegerLiteral(b) {
		a.ID, a.Number = string(b), true
		return nil
	}
	return fmt.Errorf("account must be a string or an integer, got %s", kindOf(b))
}

// isIntegerLiteral reports whether b is a JSON number without fraction or exponent.
func isIntegerLiteral(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || (b[0] == '0' && len(b) > 1) {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
