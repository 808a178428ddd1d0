package webhook

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
