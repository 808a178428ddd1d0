package webhook

import "slices"

// CommandDoc is one command of the vendor's webhook command list (trtc.io/document/64413), with
// the page that documents it.
type CommandDoc struct {
	Command Command
	// Page is the address of the command's own page.
	Page string
	// Before marks a callback whose answer decides whether the action happens; the Live backend
	// ignores the answer to every other.
	Before bool
	// Setting marks a name that the callback configuration takes but that is never sent: it
	// switches how another callback behaves.
	Setting bool
}

// Documented lists every command name of the vendor's webhook command list, grouped as the list
// groups them (room, user, seat, battle, gift, message, follow). It is the one list both the
// callback configuration of the mock backend (set_callback, update_callback) and the reference
// receiver read: a name here is taken, any other is refused by the one and marked by the other.
var Documented = []CommandDoc{
	{Command: CommandCreateRoom, Page: "https://trtc.io/document/64422"},
	{Command: CommandDestroyRoom, Page: "https://trtc.io/document/64423"},
	{Command: CommandUpdateRoomInfo, Page: "https://trtc.io/document/67938"},
	{Command: CommandSetMetadata, Page: "https://trtc.io/document/68222"},
	{Command: CommandDelMetadata, Page: "https://trtc.io/document/68223"},
	{Command: CommandRoomThreshold, Page: "https://trtc.io/document/70485"},
	{Command: CommandMemberStateChanged, Page: "https://trtc.io/document/64424"},
	{Command: CommandChangeOwner, Page: "https://trtc.io/document/72553"},
	{Command: CommandModifyAdmin, Page: "https://trtc.io/document/72554"},
	{Command: CommandSeatInfoChanged, Page: "https://trtc.io/document/64425"},
	{Command: CommandCreateBattle, Page: "https://trtc.io/document/68259"},
	{Command: CommandStartBattle, Page: "https://trtc.io/document/68260"},
	{Command: CommandEndBattle, Page: "https://trtc.io/document/68261"},
	{Command: CommandBeforeSendGift, Page: "https://trtc.io/document/72210", Before: true},
	{Command: CommandGiftNotBlock, Page: "https://trtc.io/document/72210", Setting: true},
	{Command: "Group.CallbackAfterSendMsg", Page: "https://trtc.io/document/74348"},
	{Command: "Group.CallbackBeforeSendMsg", Page: "https://trtc.io/document/74347", Before: true},
	{Command: "Follow.CallbackAfterFollowAdd", Page: "https://trtc.io/document/74356"},
	{Command: "Follow.CallbackAfterFollowDelete", Page: "https://trtc.io/document/74357"},
}

// CallbackCommands lists the names of Documented, in its order: what the callback configuration
// accepts.
var CallbackCommands = func() []Command {
	cs := make([]Command, len(Documented))
	for i, d := range Documented {
		cs[i] = d.Command
	}
	return cs
}()

// Doc returns the command's entry in Documented, and whether it has one.
func (c Command) Doc() (CommandDoc, bool) {
	i := slices.IndexFunc(Documented, func(d CommandDoc) bool { return d.Command == c })
	if i < 0 {
		return CommandDoc{}, false
	}
	return Documented[i], true
}

// Configurable reports whether c is a name the callback configuration accepts: one of
// Documented.
func (c Command) Configurable() bool {
	_, ok := c.Doc()
	return ok
}

// MaxCommandBytes bounds a command name the reference receiver takes as well formed; the longest
// documented one, Live.CallbackAfterCreateRoomReachingThreshold, has 45 bytes.
const MaxCommandBytes = 128

// WellFormed reports whether c has the shape of every documented command name: a namespace and a
// name, each of ASCII letters, digits and underscores starting with a letter, joined by one dot
// ("Live.CallbackAfterCreateRoom", "Mic.CallbackAfterSeatInfoChanged"). A receiver acknowledges
// a well-formed command it does not know, since the Live backend may add commands at any time.
func (c Command) WellFormed() bool {
	if len(c) == 0 || len(c) > MaxCommandBytes {
		return false
	}
	dots, start := 0, true
	for i := 0; i < len(c); i++ {
		switch b := c[i]; {
		case b == '.':
			if start {
				return false
			}
			dots++
			start = true
		case b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z':
			start = false
		case b >= '0' && b <= '9' || b == '_':
			if start {
				return false
			}
		default:
			return false
		}
	}
	return dots == 1 && !start
}
