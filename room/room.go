// Package room is the Live backend's rules of a room's life: a room's values checked against the
// protocol's limits (webhook.MaxRoomIDBytes and the rest of that table), and
// the changes a room goes through (created, updated, owner and admins changed, metadata set and
// deleted, destroyed), each checked against those rules and returning the webhook it fires, and
// its live activity (viewers, gifts, likes, messages), whose totals its destroy webhook reports.
//
// The simulator, the scenarios, load runs and the mock backend all keep their rooms here, so a
// rule (at most five admins, only current admins removed, what a system destroy looks like)
// is written once.
package room

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/livehook/livehook/webhook"
)

// Errors of the rules, matched with errors.Is; the error's text says which value broke which rule.
var (
	// ErrInvalid: a value breaks the protocol's limits.
	ErrInvalid = errors.New("invalid room")
	// ErrTooManyAdmins: the change would leave the room with more than webhook.MaxAdmins admins.
	ErrTooManyAdmins = errors.New("too many admins")
	// ErrNotAdmin: an account to remove is not an admin of the room.
	ErrNotAdmin = errors.New("not an admin")
	// ErrClosed: the room was destroyed already.
	ErrClosed = errors.New("room is destroyed")

	// The limits the vendor's console tells apart by error code (TUILiveKit_Manager's error
	// table): each error matching one of them also matches ErrInvalid.

	// ErrTooManyCategories: more than webhook.MaxCategories categories (the console's 100009).
	ErrTooManyCategories = errors.New("too many categories")
	// ErrTooManyMetadataKeys: more than MaxMetadataKeys metadata keys (100500).
	ErrTooManyMetadataKeys = errors.New("too many metadata keys")
	// ErrMetadataValueTooLarge: a metadata value over MaxMetadataValueBytes (100501).
	ErrMetadataValueTooLarge = errors.New("metadata value too large")
	// ErrMetadataTooLarge: the metadata values together over MaxMetadataBytes (100502).
	ErrMetadataTooLarge = errors.New("metadata values too large together")
	// ErrNoMetadataKeys: none of the metadata keys to delete exists (100503).
	ErrNoMetadataKeys = errors.New("no such metadata keys")
	// ErrMetadataKeyTooLarge: a metadata key over MaxMetadataKeyBytes (100504).
	ErrMetadataKeyTooLarge = errors.New("metadata key too large")
)

// Room is a room as the Live backend knows it while it lives.
type Room struct {
	// Info is the room as its creation webhook describes it.
	Info webhook.RoomInfo
	// Fields the creation webhook does not carry but the destroy webhook does.
	ActivityStatus         int
	BackgroundURL          string
	IsUnlimitedRoomEnabled bool
	// Notice is the room's notice (update_room_info's Notice).
	Notice string
	// SeatTemplate is the console's seat layout the room was created with (SeatTemplates), and
	// KeepOwnerOnSeat its setting; neither is in a webhook.
	SeatTemplate    string
	KeepOwnerOnSeat bool
	// Metadata is the room's metadata, in the order its keys were first set.
	Metadata []webhook.MetadataItem
	// Activity is what happened in the room while it was open.
	Activity Activity
	// Admins are the current admins, in the order they were added.
	Admins []string
	// Client is the address and platform of the client that created the room.
	Client webhook.Meta
	// Created is when the room was created, to the nanosecond.
	Created time.Time
	// Closed is set once the room is destroyed.
	Closed bool

	mod   moderation     // bans and mutes (members.go)
	seats []webhook.Seat // the seats, in index order, nil for a room without (seats.go)
}

// Validate checks a room's values against the protocol's limits.
func Validate(info webhook.RoomInfo) error {
	switch {
	case info.RoomId == "":
		return fmt.Errorf("%w: RoomInfo.RoomId is missing", ErrInvalid)
	case !webhook.IsRoomID(info.RoomId):
		return fmt.Errorf("%w: RoomInfo.RoomId must be at most %d bytes of printable ASCII", ErrInvalid, webhook.MaxRoomIDBytes)
	case info.RoomType != webhook.RoomTypeLive:
		return fmt.Errorf("%w: RoomInfo.RoomType must be %q", ErrInvalid, webhook.RoomTypeLive)
	case len(info.RoomName) > webhook.MaxRoomNameBytes:
		return fmt.Errorf("%w: RoomInfo.RoomName is over %d bytes", ErrInvalid, webhook.MaxRoomNameBytes)
	case len(info.CoverURL) > webhook.MaxURLBytes:
		return fmt.Errorf("%w: RoomInfo.CoverURL is over %d bytes", ErrInvalid, webhook.MaxURLBytes)
	case len(info.Category) > webhook.MaxCategories:
		return fmt.Errorf("%w: %w: RoomInfo.Category has %d items, at most %d are allowed", ErrInvalid, ErrTooManyCategories, len(info.Category), webhook.MaxCategories)
	case info.TakeSeatMode != "" && !slices.Contains(webhook.TakeSeatModes, info.TakeSeatMode):
		return fmt.Errorf("%w: RoomInfo.TakeSeatMode is %q, want one of %s", ErrInvalid, info.TakeSeatMode, strings.Join(webhook.TakeSeatModes, ", "))
	case info.MaxSeatCount < 0 || info.MaxSeatCount > webhook.MaxSeatCount:
		return fmt.Errorf("%w: RoomInfo.MaxSeatCount is %d, want 0 to %d", ErrInvalid, info.MaxSeatCount, webhook.MaxSeatCount)
	case info.MaxMemberCount < 0:
		return fmt.Errorf("%w: RoomInfo.MaxMemberCount is %d, want 0 or more", ErrInvalid, info.MaxMemberCount)
	}
	return ValidateUser("RoomInfo.Owner_Account", info.OwnerAccount.ID)
}

// ValidateUser checks a user ID: 1 to webhook.MaxUserIDBytes bytes. what names the field, for the message.
func ValidateUser(what, id string) error {
	if id == "" || len(id) > webhook.MaxUserIDBytes {
		return fmt.Errorf("%w: %s is %q: a user ID is 1 to %d bytes", ErrInvalid, what, id, webhook.MaxUserIDBytes)
	}
	return nil
}

// Create makes the room info describes, created by operator (the owner when "") from client at
// the instant at, and returns it with its creation webhook. A zero CreateTime becomes at.
func Create(info webhook.RoomInfo, operator string, client webhook.Meta, at time.Time) (*Room, webhook.Message, error) {
	if info.CreateTime == 0 {
		info.CreateTime = at.Unix()
	}
	if err := Validate(info); err != nil {
		return nil, webhook.Message{}, err
	}
	if operator == "" {
		operator = info.OwnerAccount.ID
	}
	r := &Room{Info: info, Client: client, Created: at}
	if info.IsSeatEnabled {
		r.openSeats(info.MaxSeatCount)
	}
	ev := &webhook.CreateRoom{OperatorAccount: operator, RoomInfo: info, EventTime: at.UnixMilli()}
	return r, webhook.Message{Event: ev, Meta: client}, nil
}

// IsAdmin reports whether id is an admin of the room.
func (r *Room) IsAdmin(id string) bool { return slices.Contains(r.Admins, id) }

// AddAdmins makes accounts admins of the room, by operator (the owner when "") at the instant
// at. Accounts that are admins already, or listed twice, change nothing and are left out of the
// webhook; changed is false when nothing changed, and then no webhook is due.
func (r *Room) AddAdmins(operator string, accounts []string, at time.Time) (msg webhook.Message, changed bool, err error) {
	if r.Closed {
		return msg, false, fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	}
	var added []string
	for _, a := range accounts {
		if err := ValidateUser("Admin_Account", a); err != nil {
			return msg, false, err
		}
		if !r.IsAdmin(a) && !slices.Contains(added, a) {
			added = append(added, a)
		}
	}
	if n := len(r.Admins) + len(added); n > webhook.MaxAdmins {
		return msg, false, fmt.Errorf("%w: room %q would have %d admins, at most %d are allowed", ErrTooManyAdmins, r.Info.RoomId, n, webhook.MaxAdmins)
	}
	if len(added) == 0 {
		return msg, false, nil
	}
	r.Admins = append(r.Admins, added...)
	return r.adminChange(operator, webhook.OpTypeAdd, added, at), true, nil
}

// RemoveAdmins removes accounts from the room's admins, by operator (the owner when "") at the
// instant at. Only current admins are removed: with strict set, an account that is not one is an
// ErrNotAdmin; without it, such accounts are left out of the webhook, and changed is false when
// none was an admin.
func (r *Room) RemoveAdmins(operator string, accounts []string, at time.Time, strict bool) (msg webhook.Message, changed bool, err error) {
	if r.Closed {
		return msg, false, fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	}
	var removed []string
	for _, a := range accounts {
		switch {
		case slices.Contains(removed, a):
		case r.IsAdmin(a):
			removed = append(removed, a)
		case strict:
			return msg, false, fmt.Errorf("%w: %q is not an admin of room %q (its admins: %s)", ErrNotAdmin, a, r.Info.RoomId, listOrNone(r.Admins))
		}
	}
	if len(removed) == 0 {
		return msg, false, nil
	}
	r.Admins = slices.DeleteFunc(r.Admins, func(a string) bool { return slices.Contains(removed, a) })
	return r.adminChange(operator, webhook.OpTypeDelete, removed, at), true, nil
}

func (r *Room) adminChange(operator, op string, accounts []string, at time.Time) webhook.Message {
	if operator == "" {
		operator = r.Info.OwnerAccount.ID
	}
	return webhook.Message{Event: &webhook.ModifyAdmin{
		RoomId: r.Info.RoomId, EventTime: at.UnixMilli(), OperatorAccount: operator,
		AdminAccount: slices.Clone(accounts), OpType: op,
	}}
}

// Destruction says how a room ends.
type Destruction struct {
	// BySystem: the system dissolved the room (it stayed empty), DestroyBySystem in its production
	// shape: Operator_Account "@TIM#SYSTEM", OptPlatform Unknown, RoomInfo.RoomId set, no Category
	// and no Statistic. Otherwise its owner (or Operator) did, DestroyByUser.
	BySystem bool
	// Operator is Operator_Account: the owner, or the system's account, when "".
	Operator string
	// Client is who caused it: the client that created the room when zero. A system destroy has
	// no client, whatever Client says: its URL carries an empty ClientIP and OptPlatform Unknown,
	// the overview's platform of "an unknown type of device" (no page shows a system destroy's URL;
	// the one captured from production is a body only, and no source gives it the creator's
	// address).
	Client webhook.Meta
	// Statistic sums up the room's life.
	Statistic webhook.Statistic
	// At is the instant of the destruction.
	At time.Time
}

// Destroy closes the room and returns its destroy webhook.
func (r *Room) Destroy(d Destruction) (webhook.Message, error) {
	if r.Closed {
		return webhook.Message{}, fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	}
	r.Closed = true
	info, st := r.Info, d.Statistic
	if info.Category == nil {
		info.Category = []int{} // a user destroy carries Category, empty or not, as the sample does
	}
	ev := &webhook.DestroyRoom{
		OperatorAccount: info.OwnerAccount.ID, RoomId: info.RoomId, EventType: webhook.DestroyByUser,
		EventTime: d.At.UnixMilli(), Statistic: &st,
		RoomInfo: webhook.DestroyedRoomInfo{
			RoomName:               info.RoomName,
			RoomType:               info.RoomType,
			OwnerAccount:           info.OwnerAccount,
			IsSeatEnabled:          info.IsSeatEnabled,
			TakeSeatMode:           info.TakeSeatMode,
			MaxMemberCount:         info.MaxMemberCount,
			MaxSeatCount:           info.MaxSeatCount,
			Category:               info.Category,
			CustomInfo:             info.CustomInfo,
			IsMessageDisabled:      info.IsMessageDisabled,
			CoverURL:               info.CoverURL,
			ActivityStatus:         r.ActivityStatus,
			IsPublicVisible:        info.IsPublicVisible,
			ViewCount:              st.TotalViewers,
			BackgroundURL:          r.BackgroundURL,
			IsUnlimitedRoomEnabled: r.IsUnlimitedRoomEnabled,
		},
	}
	meta := d.Client
	if meta == (webhook.Meta{}) {
		meta = r.Client
	}
	if d.BySystem {
		ev.EventType, ev.OperatorAccount = webhook.DestroyBySystem, webhook.SystemAccount
		ev.RoomInfo.RoomId, ev.RoomInfo.Category, ev.Statistic = info.RoomId, nil, nil
		meta = webhook.Meta{OptPlatform: webhook.PlatformUnknown} // no client caused it
	}
	if d.Operator != "" {
		ev.OperatorAccount = d.Operator
	}
	return webhook.Message{Event: ev, Meta: meta}, nil
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
