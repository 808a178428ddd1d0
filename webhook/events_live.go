package webhook

import (
	"strconv"
	"unsafe"
)

// The Live webhooks beyond the room ones: members, seats, the room-count threshold, battles and
// gifts, as the vendor's webhook command list names them (see Documented).
const (
	CommandRoomThreshold      Command = "Live.CallbackAfterCreateRoomReachingThreshold"
	CommandMemberStateChanged Command = "Live.CallbackAfterMemberStateChanged"
	CommandSeatInfoChanged    Command = "Mic.CallbackAfterSeatInfoChanged"
	CommandCreateBattle       Command = "Live.CallbackAfterCreateBattle"
	CommandStartBattle        Command = "Live.CallbackAfterStartBattle"
	CommandEndBattle          Command = "Live.CallbackAfterEndBattle"
	CommandBeforeSendGift     Command = "Live.CallbackBeforeSendGift"
	// CommandGiftNotBlock is a setting, not a webhook: the command list names it "configuration
	// of the non-blocking mode before sending a gift" and says no more; it is never sent.
	CommandGiftNotBlock Command = "Live.CallbackBeforeCallBackNotBlock"
)

// LiveCommands lists the commands beyond the room ones that this package has a typed event for,
// in the order of the vendor's command list. CallbackBeforeCallBackNotBlock is a setting, never
// sent, so it has none; the message and follow callbacks are Chat's, not Live's.
var LiveCommands = []Command{
	CommandRoomThreshold, CommandMemberStateChanged, CommandSeatInfoChanged,
	CommandCreateBattle, CommandStartBattle, CommandEndBattle, CommandBeforeSendGift,
}

// EventCommands lists every command with a typed event and a field list: RoomCommands, then
// LiveCommands. The reference receiver checks these field by field (Command.Known).
var EventCommands = append(append([]Command{}, RoomCommands...), LiveCommands...)

// Values of the member state webhook's enumerations.
const (
	MemberOnline  = "Online"
	MemberOffline = "Offline"

	CauseEnter              = "Enter"
	CauseLeave              = "Leave"
	CauseHeartbeatInterrupt = "HeartbeatInterrupt"
	CauseHeartbeatRecover   = "HeartbeatRecover"
	CauseKicked             = "Kicked"
)

// MemberEventTypes and MemberEventCauses list the member state webhook's enumerations; Kicked is
// in the newer pages only.
var (
	MemberEventTypes  = []string{MemberOnline, MemberOffline}
	MemberEventCauses = []string{CauseEnter, CauseLeave, CauseHeartbeatInterrupt, CauseHeartbeatRecover, CauseKicked}
)

// The ways a battle ends, EndBattle.OpType.
const (
	BattleEndTimeUp     = 0 // the time was up
	BattleEndAllLeft    = 1 // every host left after it started
	BattleEndNeverBegan = 2 // created, but no host joined, so it never started
)

// BattleEnds lists EndBattle's OpType values as they are written in a body.
var BattleEnds = []string{
	strconv.Itoa(BattleEndTimeUp), strconv.Itoa(BattleEndAllLeft), strconv.Itoa(BattleEndNeverBegan),
}

// RoomThreshold is the body of Live.CallbackAfterCreateRoomReachingThreshold: the app's rooms
// reached 70% of what its plan allows. It names no room.
type RoomThreshold struct {
	CallbackCommand Command `json:"CallbackCommand" live:"command,required"`
	OperatorAccount string  `json:"Operator_Account" live:"user,required"`
	EventTime       int64   `json:"EventTime" live:"ms,required"`
	// CurRoomCount and MaxRoomCount are integers in the sample; the page's table calls them a
	// String and an Array, which the sample contradicts.
	CurRoomCount int   `json:"CurRoomCount" live:"count,required"`
	MaxRoomCount int   `json:"MaxRoomCount" live:"count,required"`
	Extra        Extra `json:"-"`
}

// Member is one entry of a member list.
type Member struct {
	MemberAccount Account `json:"Member_Account" live:"account,required"`
}

// MemberStateChanged is the body of Live.CallbackAfterMemberStateChanged.
type MemberStateChanged struct {
	CallbackCommand Command `json:"CallbackCommand" live:"command,required"`
	RoomId          string  `json:"RoomId" live:"string,required"`
	// EventType is one of MemberEventTypes, EventCause one of MemberEventCauses.
	EventType  string   `json:"EventType" live:"enum(MemberEventTypes),required"`
	EventCause string   `json:"EventCause" live:"enum(MemberEventCauses),required"`
	MemberList []Member `json:"MemberList" live:"objects,required"`
	EventTime  int64    `json:"EventTime" live:"ms,required"`
	Extra      Extra    `json:"-"`
}

// Seat is one seat of a seat list.
type Seat struct {
	Index int `json:"Index" live:"count,required"`
	// MemberAccount is who sits on it; the zero Account, left out, for an empty seat. The
	// sample sends it as a bare number.
	MemberAccount   Account `json:"Member_Account,omitzero" live:"account"`
	IsTakenDisabled bool    `json:"IsTakenDisabled" live:"bool"`
	IsVideoDisabled bool    `json:"IsVideoDisabled" live:"bool"`
	IsAudioDisabled bool    `json:"IsAudioDisabled" live:"bool"`
}

// SeatInfoChanged is the body of Mic.CallbackAfterSeatInfoChanged.
type SeatInfoChanged struct {
	CallbackCommand Command `json:"CallbackCommand" live:"command,required"`
	// OperatorAccount is in the older page's sample only.
	OperatorAccount string `json:"Operator_Account,omitempty" live:"user"`
	RoomId          string `json:"RoomId" live:"string,required"`
	SeatList        []Seat `json:"SeatList" live:"objects,required"`
	EventTime       int64  `json:"EventTime" live:"ms,required"`
	Extra           Extra  `json:"-"`
}

// CreateBattle is the body of Live.CallbackAfterCreateBattle.
type CreateBattle struct {
	CallbackCommand Command  `json:"CallbackCommand" live:"command,required"`
	OperatorAccount string   `json:"Operator_Account" live:"user,required"`
	BattleId        string   `json:"BattleId" live:"string,required"`
	FromRoomId      string   `json:"FromRoomId" live:"string,required"`
	ToRoomIdList    []string `json:"ToRoomIdList" live:"strings,required"`
	// Timeout is how long the invited hosts have to answer, in milliseconds, when NeedResponse.
	Timeout int `json:"Timeout" live:"count"`
	// Duration is the battle's length once started, in milliseconds.
	Duration      int    `json:"Duration" live:"count"`
	NeedResponse  bool   `json:"NeedResponse" live:"bool"`
	ExtensionInfo string `json:"ExtensionInfo" live:"string"`
	EventTime     int64  `json:"EventTime" live:"ms,required"`
	Extra         Extra  `json:"-"`
}

// BattleRoom is a room in a battle: its RoomId, its owner and, once it ends, its score.
type BattleRoom struct {
	RoomId       string  `json:"RoomId" live:"string,required"`
	Score        *int64  `json:"Score,omitempty" live:"total"`
	OwnerAccount Account `json:"Owner_Account" live:"account"`
}

// StartBattle is the body of Live.CallbackAfterStartBattle.
type StartBattle struct {
	CallbackCommand Command `json:"CallbackCommand" live:"command,required"`
	BattleId        string  `json:"BattleId" live:"string,required"`
	// Duration is in milliseconds; CreateTime and StartTime in Unix seconds.
	Duration     int          `json:"Duration" live:"count"`
	CreateTime   int64        `json:"CreateTime" live:"secs"`
	StartTime    int64        `json:"StartTime" live:"secs"`
	FromRoomInfo BattleRoom   `json:"FromRoomInfo" live:"object,required"`
	ToRoomList   []BattleRoom `json:"ToRoomList" live:"objects,required"`
	EventTime    int64        `json:"EventTime" live:"ms,required"`
	Extra        Extra        `json:"-"`
}

// EndBattle is the body of Live.CallbackAfterEndBattle.
type EndBattle struct {
	CallbackCommand Command `json:"CallbackCommand" live:"command,required"`
	BattleId        string  `json:"BattleId" live:"string,required"`
	// Duration is in milliseconds; CreateTime, StartTime and EndTime in Unix seconds.
	Duration   int   `json:"Duration" live:"count"`
	CreateTime int64 `json:"CreateTime" live:"secs"`
	StartTime  int64 `json:"StartTime" live:"secs0"`
	EndTime    int64 `json:"EndTime" live:"secs"`
	// OpType is how it ended: BattleEndTimeUp, BattleEndAllLeft or BattleEndNeverBegan.
	OpType       int          `json:"OpType" live:"intenum(BattleEnds),required"`
	FromRoomInfo BattleRoom   `json:"FromRoomInfo" live:"object,required"`
	ToRoomList   []BattleRoom `json:"ToRoomList" live:"objects,required"`
	EventTime    int64        `json:"EventTime" live:"ms,required"`
	Extra        Extra        `json:"-"`
}

// GiftWater is a gift being sent: who to whom, when (Unix seconds), which, how many and worth
// how many coins.
type GiftWater struct {
	FromAccount string   `json:"From_Account" live:"user,required"`
	ToAccount   []string `json:"To_Account" live:"users,required"`
	Time        int64    `json:"Time" live:"secs,required"`
	GiftId      string   `json:"GiftId" live:"string,required"`
	Count       int      `json:"Count" live:"count,required"`
	Coins       int64    `json:"Coins" live:"total,required"`
}

// BeforeSendGift is the body of Live.CallbackBeforeSendGift, a "before" callback: the app's
// answer decides whether the gift goes (ErrorCode 0 lets it, 1 refuses it; codes 102100 to 102200
// are passed through to the sender). It carries no EventTime.
type BeforeSendGift struct {
	CallbackCommand Command   `json:"CallbackCommand" live:"command,required"`
	OperatorAccount string    `json:"Operator_Account" live:"user,required"`
	RoomId          string    `json:"RoomId" live:"string,required"`
	GiftWater       GiftWater `json:"GiftWater" live:"object,required"`
	Extra           Extra     `json:"-"`
}

// Command implements Event.
func (e *RoomThreshold) Command() Command { return CommandRoomThreshold }

// Room implements Event: the threshold names no room.
func (e *RoomThreshold) Room() string { return "" }

// Time implements Event.
func (e *RoomThreshold) Time() int64 { return e.EventTime }

// Command implements Event.
func (e *MemberStateChanged) Command() Command { return CommandMemberStateChanged }

// Room implements Event.
func (e *MemberStateChanged) Room() string { return e.RoomId }

// Time implements Event.
func (e *MemberStateChanged) Time() int64 { return e.EventTime }

// Command implements Event.
func (e *SeatInfoChanged) Command() Command { return CommandSeatInfoChanged }

// Room implements Event.
func (e *SeatInfoChanged) Room() string { return e.RoomId }

// Time implements Event.
func (e *SeatInfoChanged) Time() int64 { return e.EventTime }

// Command implements Event.
func (e *CreateBattle) Command() Command { return CommandCreateBattle }

// Room implements Event: the room of the host who started the battle.
func (e *CreateBattle) Room() string { return e.FromRoomId }

// Time implements Event.
func (e *CreateBattle) Time() int64 { return e.EventTime }

// Command implements Event.
func (e *StartBattle) Command() Command { return CommandStartBattle }

// Room implements Event: the room of the host who started the battle.
func (e *StartBattle) Room() string { return e.FromRoomInfo.RoomId }

// Time implements Event.
func (e *StartBattle) Time() int64 { return e.EventTime }

// Command implements Event.
func (e *EndBattle) Command() Command { return CommandEndBattle }

// Room implements Event: the room of the host who started the battle.
func (e *EndBattle) Room() string { return e.FromRoomInfo.RoomId }

// Time implements Event.
func (e *EndBattle) Time() int64 { return e.EventTime }

// Command implements Event.
func (e *BeforeSendGift) Command() Command { return CommandBeforeSendGift }

// Room implements Event.
func (e *BeforeSendGift) Room() string { return e.RoomId }

// Time implements Event: the gift's body has no EventTime, so 0.
func (e *BeforeSendGift) Time() int64 { return 0 }

type (
	roomThresholdJSON      RoomThreshold
	memberStateChangedJSON MemberStateChanged
	seatInfoChangedJSON    SeatInfoChanged
	createBattleJSON       CreateBattle
	startBattleJSON        StartBattle
	endBattleJSON          EndBattle
	beforeSendGiftJSON     BeforeSendGift
)

var roomThresholdEncoder = newEventEncoder[RoomThreshold]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *RoomThreshold) MarshalJSON() ([]byte, error) {
	return roomThresholdEncoder.event(unsafe.Pointer(e), e.Extra)
}

var memberStateChangedEncoder = newEventEncoder[MemberStateChanged]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *MemberStateChanged) MarshalJSON() ([]byte, error) {
	return memberStateChangedEncoder.event(unsafe.Pointer(e), e.Extra)
}

var seatInfoChangedEncoder = newEventEncoder[SeatInfoChanged]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *SeatInfoChanged) MarshalJSON() ([]byte, error) {
	return seatInfoChangedEncoder.event(unsafe.Pointer(e), e.Extra)
}

var createBattleEncoder = newEventEncoder[CreateBattle]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *CreateBattle) MarshalJSON() ([]byte, error) {
	return createBattleEncoder.event(unsafe.Pointer(e), e.Extra)
}

var startBattleEncoder = newEventEncoder[StartBattle]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *StartBattle) MarshalJSON() ([]byte, error) {
	return startBattleEncoder.event(unsafe.Pointer(e), e.Extra)
}

var endBattleEncoder = newEventEncoder[EndBattle]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *EndBattle) MarshalJSON() ([]byte, error) {
	return endBattleEncoder.event(unsafe.Pointer(e), e.Extra)
}

var beforeSendGiftEncoder = newEventEncoder[BeforeSendGift]()

// MarshalJSON encodes the event with CallbackCommand set and Extra appended.
func (e *BeforeSendGift) MarshalJSON() ([]byte, error) {
	return beforeSendGiftEncoder.event(unsafe.Pointer(e), e.Extra)
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *RoomThreshold) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*roomThresholdJSON)(e), &e.Extra, e.Command())
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *MemberStateChanged) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*memberStateChangedJSON)(e), &e.Extra, e.Command())
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *SeatInfoChanged) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*seatInfoChangedJSON)(e), &e.Extra, e.Command())
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *CreateBattle) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*createBattleJSON)(e), &e.Extra, e.Command())
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *StartBattle) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*startBattleJSON)(e), &e.Extra, e.Command())
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *EndBattle) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*endBattleJSON)(e), &e.Extra, e.Command())
}

// UnmarshalJSON decodes the event; fields it does not know go into Extra.
func (e *BeforeSendGift) UnmarshalJSON(b []byte) error {
	return unmarshalWithExtra(b, (*beforeSendGiftJSON)(e), &e.Extra, e.Command())
}
