package webhook

import "unsafe"

// The room webhooks beyond the three seed ones. The mock backend fires them for the REST calls
// that change a room; they are not part of the contract a run checks (Commands stays the three),
// but a receiver must take them as the Live backend sends them.
const (
	CommandUpdateRoomInfo Command = "Live.CallbackAfterUpdateRoomInfo"
	CommandChangeOwner    Command = "Live.CallbackAfterChangeOwner"
	CommandSetMetadata    Command = "Live.CallbackAfterSetMetadata"
	CommandDelMetadata    Command = "Live.CallbackAfterDelMetadata"
)

// RoomCommands lists every command this package has a typed event for: the three seed ones, then
// the others in the order the vendor's webhook list names them.
var RoomCommands = []Command{
	CommandCreateRoom, CommandModifyAdmin, CommandDestroyRoom,
	CommandUpdateRoomInfo, CommandChangeOwner, CommandSetMetadata, CommandDelMetadata,
}

// UpdateRoomInfo is the body of Live.CallbackAfterUpdateRoomInfo.
type UpdateRoomInfo struct {
	CallbackCommand Command `json:"CallbackCommand" live:"command,required"`
	OperatorAccount string  `json:"Operator_Account" live:"user,required"`
	// RoomInfo is the room's updatable fields after the update.
	RoomInfo  UpdatedRoomInfo `json:"RoomInfo" live:"object,required"`
	EventTime int64           `json:"EventTime" live:"ms,required"`
	Extra     Extra           `json:"-"`
}

// UpdatedRoomInfo is the room as Live.CallbackAfterUpdateRoomInfo describes it.
type UpdatedRoomInfo struct {
	RoomId            string `json:"RoomId" live:"string,required"`
	RoomName          string `json:"RoomName" live:"string"`
	MaxMemberCount    int    `json:"MaxMemberCount" live:"count"`
	IsMessageDisabled bool   `json:"IsMessageDisabled" live:"bool"`
	CoverURL          string `json:"CoverURL" live:"string"`
	Category          []int  `json:"Category" live:"int32s"`
	ActivityStatus    int    `json:"ActivityStatus" live:"int32"`
	IsPublicVisible   bool   `json:"IsPublicVisible" live:"bool"`
	TakeSeatMode      string `json:"TakeSeatMode" live:"enum(TakeSeatModes)"`
	CustomInfo        string `json:"CustomInfo" live:"string"`
}

// ChangeOwner is the body of Live.CallbackAfterChangeOwner.
type ChangeOwner struct {
	CallbackCommand      Command `json:"CallbackCommand" live:"command,required"`
	RoomId               string  `json:"RoomId" live:"string,required"`
	EventTime            int64   `json:"EventTime" live:"ms,required"`
	OperatorAccount      string  `json:"Operator_Account" live:"user,required"`
	CurrentOwnerAccount  string  `json:"CurrentOwner_Account" live:"user,required"`
	OriginalOwnerAccount string  `json:"OriginalOwner_Account" live:"user,required"`
	Extra                Extra   `json:"-"`
}

// MetadataItem is one key of a room's metadata.
type MetadataItem struct {
	Key   string `json:"Key" live:"string,required"`
	Value string `json:"Value" live:"string,required"`
}

// SetMetadata is the body of Live.CallbackAfterSetMetadata.
type SetMetadata struct {
	CallbackCommand Command `json:"CallbackCommand" live:"command,required"`
	OperatorAccount string  `json:"Operator_Account" live:"user,required"`
	RoomId          string  `json:"RoomId" live:"string,required"`
	// Metadata are the keys set, with their new values.
	Metadata  []MetadataItem `json:"Metadata" live:"objects,required"`
	EventTime int64          `json:"EventTime" live:"ms,required"`
	Extra     Extra          `json:"-"`
}

// DelMetadata is the body of Live.CallbackAfterDelMetadata.
type DelMetadata struct {
	CallbackCommand Command `json:"CallbackCommand" live:"command,required"`
	OperatorAccount string  `json:"Operator_Account" live:"user,required"`
	RoomId          string  `json:"RoomId" live:"string,required"`
	// Keys are the keys deleted.
	Keys      []string `json:"Keys" live:"strings,required"`
	EventTime int64    `json:"EventTime" live:"ms,required"`
	Extra     Extra    `json:"-"`
}

// Command implements Event.
func (e *UpdateRoomInfo) Command() Command { return CommandUpdateRoomInfo }

// Room implements Event.
func (e *UpdateRoomInfo) Room() string { return e.RoomInfo.RoomId }

// Time implements Event.
func (e *UpdateRoomInfo) Time() int64 { return e.EventTime }

// Command implements Event.
func (e *ChangeOwner) Command() Command { return CommandChangeOwner }

// Room implements Event.
func (e *ChangeOwner) Room() string { return e.RoomId }

// Time implements Event.
func (e *ChangeOwner) Time() int64 { return e.EventTime }

// Command implements Event.
func (e *SetMetadata) Command() Command { return CommandSetMetadata }

// Room implements Event.
func (e *SetMetadata) Room() string { return e.RoomId }

// Time implements Event.
func (e *SetMetadata) Time() int64 { return e.EventTime }

// Command implements Event.
func (e *DelMetadata) Command() Command { return CommandDelMetadata }

// Room implements Event.
func (e *DelMetadata) Room() string { return e.RoomId }

// Time implements Event.
func (e *DelMetadata) Time() int64 { return e.EventTime }

type (
	updateRoomInfoJSON UpdateRoomInfo
	changeOwnerJSON    ChangeOwner
	setMetadataJSON    SetMetadata
	delMetadataJSON    DelMetadata
)

var updateRoomInfoEncoder = newEventEncoder[UpdateRoomInfo]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *UpdateRoomInfo) MarshalJSON() ([]byte, error) {
	return updateRoomInfoEncoder.event(unsafe.Pointer(e), e.Extra)
}

var changeOwnerEncoder = newEventEncoder[ChangeOwner]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *ChangeOwner) MarshalJSON() ([]byte, error) {
	return changeOwnerEncoder.event(unsafe.Pointer(e), e.Extra)
}

var setMetadataEncoder = newEventEncoder[SetMetadata]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *SetMetadata) MarshalJSON() ([]byte, error) {
	return setMetadataEncoder.event(unsafe.Pointer(e), e.Extra)
}

var delMetadataEncoder = newEventEncoder[DelMetadata]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *DelMetadata) MarshalJSON() ([]byte, error) {
	return delMetadataEncoder.event(unsafe.Pointer(e), e.Extra)
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *UpdateRoomInfo) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*updateRoomInfoJSON)(e), &e.Extra, e.Command())
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *ChangeOwner) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*changeOwnerJSON)(e), &e.Extra, e.Command())
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *SetMetadata) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*setMetadataJSON)(e), &e.Extra, e.Command())
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *DelMetadata) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*delMetadataJSON)(e), &e.Extra, e.Command())
}
