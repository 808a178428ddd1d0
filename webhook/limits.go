package webhook

// The limits of the values the protocol carries, in one table that the room model, the
// generator, the scenario language, the mock and the explorer all read (docs/protocol.md, "Value
// ranges"). Lengths are in bytes; a RoomName counts UTF-8 bytes, not characters.
const (
	// MaxRoomIDBytes bounds a RoomId: at most 48 bytes of printable ASCII (RoomIDChars).
	MaxRoomIDBytes = 48
	// MaxRoomNameBytes bounds a RoomName, in UTF-8 bytes.
	MaxRoomNameBytes = 100
	// ClientRoomNameBytes is what the client SDKs allow for a room name; the REST API allows more.
	ClientRoomNameBytes = 30
	// MaxURLBytes bounds CoverURL and BackgroundURL.
	MaxURLBytes = 200
	// MaxUserIDBytes bounds a user ID (Owner_Account, Operator_Account, an admin): UserIDChars.
	MaxUserIDBytes = 32
	// MaxCategories bounds the Category array.
	MaxCategories = 3
	// MaxAdmins is how many admins a room may have at once.
	MaxAdmins = 5
	// MaxSeatCount bounds MaxSeatCount.
	MaxSeatCount = 16
)

// Character classes of the protocol's identifiers, as alphabets a generator draws from.
const (
	// RoomIDChars is every byte a RoomId may hold: printable ASCII, space to tilde.
	RoomIDChars = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
	// UserIDChars is every byte a user ID may hold.
	UserIDChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
)

// IsRoomID reports whether s is a RoomId the protocol allows: 1 to MaxRoomIDBytes bytes of
// RoomIDChars.
func IsRoomID(s string) bool {
	if s == "" || len(s) > MaxRoomIDBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
