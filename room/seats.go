package room

import (
	"fmt"
	"slices"
	"time"

	"github.com/livehook/livehook/webhook"
)

// SeatTemplates maps the console's seat templates to the seats a room made with one gets. The
// console (TUILiveKit_Manager, its create page's template list) sends SeatTemplate and never
// IsSeatEnabled; its templates are the five video layouts, whose names give their seats
// (VideoDynamicGrid9Seats 9, VideoDynamicFloat7Seats 7, VideoFixedGrid9Seats 9,
// VideoFixedFloat7Seats 7, VideoLandscape4Seat 4), and the two audio ones (AudioSalon, Karaoke),
// for which it sends MaxSeatCount too, 8 by default (its form's default): DefaultAudioSeats is
// used when an audio template comes without one. A template not listed is refused.
var SeatTemplates = map[string]int{
	"VideoDynamicGrid9Seats":  9,
	"VideoDynamicFloat7Seats": 7,
	"VideoFixedGrid9Seats":    9,
	"VideoFixedFloat7Seats":   7,
	"VideoLandscape4Seat":     4,
	"AudioSalon":              DefaultAudioSeats,
	"Karaoke":                 DefaultAudioSeats,
}

// SeatTemplateNames lists SeatTemplates' names in order, for messages.
func SeatTemplateNames() []string {
	names := make([]string, 0, len(SeatTemplates))
	for n := range SeatTemplates {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// DefaultAudioSeats is an audio template's seats when create_room gives no MaxSeatCount: the
// console's default.
const DefaultAudioSeats = 8

// IsAudioTemplate reports whether a template's seats are set by MaxSeatCount, as the console's
// audio templates' are.
func IsAudioTemplate(t string) bool { return t == "AudioSalon" || t == "Karaoke" }

// openSeats gives a room of n seats, all empty; the caller knows n is within webhook.MaxSeatCount.
func (r *Room) openSeats(n int) {
	r.seats = make([]webhook.Seat, n)
	for i := range r.seats {
		r.seats[i].Index = i
	}
}

// EnableSeats gives the room n empty seats if it has none yet: a room created with
// IsSeatEnabled or a SeatTemplate.
func (r *Room) EnableSeats(n int) error {
	if n < 0 || n > webhook.MaxSeatCount {
		return fmt.Errorf("%w: MaxSeatCount is %d, want 0 to %d", ErrInvalid, n, webhook.MaxSeatCount)
	}
	if r.seats == nil {
		r.openSeats(n)
	}
	return nil
}

// Seats returns the room's seats, in index order.
func (r *Room) Seats() []webhook.Seat { return slices.Clone(r.seats) }

func (r *Room) seatOf(user string) int {
	return slices.IndexFunc(r.seats, func(s webhook.Seat) bool { return s.MemberAccount.ID == user })
}

// PickOnSeat puts member, who must be in the room, on the seat index, by operator at at, and
// returns the seat list webhook (Mic.CallbackAfterSeatInfoChanged).
func (r *Room) PickOnSeat(operator, member string, index int, at time.Time) (webhook.Message, error) {
	switch {
	case r.Closed:
		return webhook.Message{}, fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	case len(r.seats) == 0:
		return webhook.Message{}, fmt.Errorf("%w: room %q has no seats (it was created without IsSeatEnabled or SeatTemplate)", ErrInvalid, r.Info.RoomId)
	case index < 0 || index >= len(r.seats):
		return webhook.Message{}, fmt.Errorf("%w: Index is %d, room %q has seats 0 to %d", ErrInvalid, index, r.Info.RoomId, len(r.seats)-1)
	case !r.IsMember(member):
		return webhook.Message{}, fmt.Errorf("%w: %q is not in room %q", ErrNotMember, member, r.Info.RoomId)
	case r.seatOf(member) >= 0:
		return webhook.Message{}, fmt.Errorf("%w: %q is on seat %d of room %q", ErrAlreadyOnSeat, member, r.seatOf(member), r.Info.RoomId)
	case r.seats[index].IsTakenDisabled:
		return webhook.Message{}, fmt.Errorf("%w: seat %d of room %q", ErrSeatLocked, index, r.Info.RoomId)
	case r.seats[index].MemberAccount.ID != "":
		return webhook.Message{}, fmt.Errorf("%w: %q is on seat %d of room %q", ErrSeatOccupied, r.seats[index].MemberAccount.ID, index, r.Info.RoomId)
	}
	r.seats[index].MemberAccount = webhook.Account{ID: member}
	return r.seatEvent(operator, at), nil
}

// TakeFreeSeat puts member on the first free seat, as a viewer taking a seat does; ErrSeatsFull
// when none is free.
func (r *Room) TakeFreeSeat(operator, member string, at time.Time) (webhook.Message, error) {
	i := slices.IndexFunc(r.seats, func(s webhook.Seat) bool { return s.MemberAccount.ID == "" && !s.IsTakenDisabled })
	if i < 0 && len(r.seats) > 0 {
		return webhook.Message{}, fmt.Errorf("%w: room %q", ErrSeatsFull, r.Info.RoomId)
	}
	return r.PickOnSeat(operator, member, max(i, 0), at)
}

// KickOffSeat takes member off their seat, by operator at at, and returns the seat list webhook.
func (r *Room) KickOffSeat(operator, member string, at time.Time) (webhook.Message, error) {
	if r.Closed {
		return webhook.Message{}, fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	}
	i := r.seatOf(member)
	if i < 0 {
		return webhook.Message{}, fmt.Errorf("%w: %q sits on no seat of room %q", ErrNotOnSeat, member, r.Info.RoomId)
	}
	r.seats[i].MemberAccount = webhook.Account{}
	return r.seatEvent(operator, at), nil
}

// seatEvent is the seat list webhook of the room as it is now.
func (r *Room) seatEvent(operator string, at time.Time) webhook.Message {
	if operator == "" {
		operator = r.Info.OwnerAccount.ID
	}
	return webhook.Message{Event: &webhook.SeatInfoChanged{OperatorAccount: operator, RoomId: r.Info.RoomId,
		SeatList: r.Seats(), EventTime: at.UnixMilli()}, Meta: simulatedClient}
}
