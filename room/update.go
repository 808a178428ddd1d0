package room

import (
	"fmt"
	"slices"
	"time"

	"github.com/livehook/livehook/webhook"
)

// Limits of the values update_room_info and the room metadata APIs take.
const (
	MaxNoticeBytes        = 100
	MaxMetadataKeys       = 10
	MaxMetadataKeyBytes   = 50
	MaxMetadataValueBytes = 2 << 10
	// MaxMetadataBytes bounds the sum of a room's metadata values.
	MaxMetadataBytes = 16 << 10
)

// Update is a change to a room's information, as update_room_info takes it: a nil field is left
// as it is.
type Update struct {
	RoomName               *string
	MaxMemberCount         *int
	IsMessageDisabled      *bool
	CoverURL               *string
	Category               *[]int
	ActivityStatus         *int
	IsPublicVisible        *bool
	TakeSeatMode           *string
	CustomInfo             *string
	Notice                 *string
	BackgroundURL          *string
	IsUnlimitedRoomEnabled *bool
}

// ValidateMemberCount checks a MaxMemberCount that a REST call sets: a room nobody can enter is
// refused. (A webhook body may still carry 0; Validate takes it.)
func ValidateMemberCount(n int) error {
	if n < 1 {
		return fmt.Errorf("%w: RoomInfo.MaxMemberCount is %d, want 1 or more", ErrInvalid, n)
	}
	return nil
}

// Update changes the room's information, by operator (the owner when "") from client at the
// instant at, and returns the update webhook. The changed room is checked against the same
// limits as a new one; on error nothing changes.
func (r *Room) Update(operator string, u Update, client webhook.Meta, at time.Time) (webhook.Message, error) {
	if r.Closed {
		return webhook.Message{}, fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	}
	if u.MaxMemberCount != nil {
		if err := ValidateMemberCount(*u.MaxMemberCount); err != nil {
			return webhook.Message{}, err
		}
	}
	info := r.Info
	set(&info.RoomName, u.RoomName)
	set(&info.MaxMemberCount, u.MaxMemberCount)
	set(&info.IsMessageDisabled, u.IsMessageDisabled)
	set(&info.CoverURL, u.CoverURL)
	if u.Category != nil {
		info.Category = slices.Clone(*u.Category)
	}
	set(&info.IsPublicVisible, u.IsPublicVisible)
	set(&info.TakeSeatMode, u.TakeSeatMode)
	set(&info.CustomInfo, u.CustomInfo)
	if err := Validate(info); err != nil {
		return webhook.Message{}, err
	}
	if u.Notice != nil && len(*u.Notice) > MaxNoticeBytes {
		return webhook.Message{}, fmt.Errorf("%w: RoomInfo.Notice is over %d bytes", ErrInvalid, MaxNoticeBytes)
	}
	if u.BackgroundURL != nil && len(*u.BackgroundURL) > webhook.MaxURLBytes {
		return webhook.Message{}, fmt.Errorf("%w: RoomInfo.BackgroundURL is over %d bytes", ErrInvalid, webhook.MaxURLBytes)
	}
	r.Info = info
	set(&r.ActivityStatus, u.ActivityStatus)
	set(&r.Notice, u.Notice)
	set(&r.BackgroundURL, u.BackgroundURL)
	set(&r.IsUnlimitedRoomEnabled, u.IsUnlimitedRoomEnabled)
	if info.Category == nil {
		info.Category = []int{}
	}
	ev := &webhook.UpdateRoomInfo{
		OperatorAccount: r.operator(operator), EventTime: at.UnixMilli(),
		RoomInfo: webhook.UpdatedRoomInfo{
			RoomId: info.RoomId, RoomName: info.RoomName, MaxMemberCount: info.MaxMemberCount,
			IsMessageDisabled: info.IsMessageDisabled, CoverURL: info.CoverURL, Category: slices.Clone(info.Category),
			ActivityStatus: r.ActivityStatus, IsPublicVisible: info.IsPublicVisible, TakeSeatMode: info.TakeSeatMode,
			CustomInfo: info.CustomInfo,
		},
	}
	return webhook.Message{Event: ev, Meta: client}, nil
}

// ChangeOwner makes newOwner the room's owner, by operator (the owner when "") at the instant at.
// Naming the current owner changes nothing: changed is false and no webhook is due.
func (r *Room) ChangeOwner(operator, newOwner string, at time.Time) (msg webhook.Message, changed bool, err error) {
	if r.Closed {
		return msg, false, fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	}
	if err := ValidateUser("NewOwner_Account", newOwner); err != nil {
		return msg, false, err
	}
	old := r.Info.OwnerAccount.ID
	if newOwner == old {
		return msg, false, nil
	}
	operator = r.operator(operator)
	r.Info.OwnerAccount = webhook.Account{ID: newOwner}
	return webhook.Message{Event: &webhook.ChangeOwner{
		RoomId: r.Info.RoomId, EventTime: at.UnixMilli(), OperatorAccount: operator,
		CurrentOwnerAccount: newOwner, OriginalOwnerAccount: old,
	}}, true, nil
}

// SetMetadata adds or replaces keys of the room's metadata, by operator (the owner when "") from
// client at the instant at, and returns the webhook listing them. The room keeps at most
// MaxMetadataKeys keys and MaxMetadataBytes of values; on error nothing changes.
func (r *Room) SetMetadata(operator string, items []webhook.MetadataItem, client webhook.Meta, at time.Time) (webhook.Message, error) {
	if r.Closed {
		return webhook.Message{}, fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	}
	if len(items) == 0 {
		return webhook.Message{}, fmt.Errorf("%w: Metadata is empty: give 1 to %d items of Key and Value", ErrInvalid, MaxMetadataKeys)
	}
	next := slices.Clone(r.Metadata)
	for i, it := range items {
		switch {
		case it.Key == "":
			return webhook.Message{}, fmt.Errorf("%w: Metadata[%d].Key is empty: a key is 1 to %d bytes", ErrInvalid, i, MaxMetadataKeyBytes)
		case len(it.Key) > MaxMetadataKeyBytes:
			return webhook.Message{}, fmt.Errorf("%w: %w: Metadata[%d].Key is %d bytes, at most %d are allowed", ErrInvalid, ErrMetadataKeyTooLarge, i, len(it.Key), MaxMetadataKeyBytes)
		case len(it.Value) > MaxMetadataValueBytes:
			return webhook.Message{}, fmt.Errorf("%w: %w: Metadata[%d].Value is %d bytes, at most %d are allowed", ErrInvalid, ErrMetadataValueTooLarge, i, len(it.Value), MaxMetadataValueBytes)
		case slices.ContainsFunc(items[:i], func(o webhook.MetadataItem) bool { return o.Key == it.Key }):
			return webhook.Message{}, fmt.Errorf("%w: Metadata[%d].Key %q is given twice", ErrInvalid, i, it.Key)
		}
		if j := slices.IndexFunc(next, func(o webhook.MetadataItem) bool { return o.Key == it.Key }); j >= 0 {
			next[j].Value = it.Value
		} else {
			next = append(next, it)
		}
	}
	total := 0
	for _, it := range next {
		total += len(it.Value)
	}
	switch {
	case len(next) > MaxMetadataKeys:
		return webhook.Message{}, fmt.Errorf("%w: %w: room %q would have %d metadata keys, at most %d are allowed", ErrInvalid, ErrTooManyMetadataKeys, r.Info.RoomId, len(next), MaxMetadataKeys)
	case total > MaxMetadataBytes:
		return webhook.Message{}, fmt.Errorf("%w: %w: room %q would hold %d bytes of metadata values, at most %d are allowed", ErrInvalid, ErrMetadataTooLarge, r.Info.RoomId, total, MaxMetadataBytes)
	}
	r.Metadata = next
	return webhook.Message{Event: &webhook.SetMetadata{
		OperatorAccount: r.operator(operator), RoomId: r.Info.RoomId, Metadata: slices.Clone(items), EventTime: at.UnixMilli(),
	}, Meta: client}, nil
}

// DelMetadata deletes keys from the room's metadata, by operator (the owner when "") from client
// at the instant at. Keys the room does not have are left out of the webhook; when none of them
// is there, nothing changes and the error is ErrNoMetadataKeys, as the vendor refuses it.
func (r *Room) DelMetadata(operator string, keys []string, client webhook.Meta, at time.Time) (msg webhook.Message, err error) {
	if r.Closed {
		return msg, fmt.Errorf("%w: room %q", ErrClosed, r.Info.RoomId)
	}
	var deleted []string
	for _, k := range keys {
		if slices.Contains(deleted, k) {
			continue
		}
		if i := slices.IndexFunc(r.Metadata, func(o webhook.MetadataItem) bool { return o.Key == k }); i >= 0 {
			r.Metadata = slices.Delete(r.Metadata, i, i+1)
			deleted = append(deleted, k)
		}
	}
	if len(deleted) == 0 {
		return msg, fmt.Errorf("%w: %w: room %q has none of the keys %q", ErrInvalid, ErrNoMetadataKeys, r.Info.RoomId, keys)
	}
	return webhook.Message{Event: &webhook.DelMetadata{
		OperatorAccount: r.operator(operator), RoomId: r.Info.RoomId, Keys: deleted, EventTime: at.UnixMilli(),
	}, Meta: client}, nil
}

// GetMetadata returns the room's metadata for keys, in the order asked, leaving out keys it does
// not have; no keys means all of it, in the order the keys were first set.
func (r *Room) GetMetadata(keys []string) []webhook.MetadataItem {
	if len(keys) == 0 {
		return append([]webhook.MetadataItem{}, r.Metadata...)
	}
	out := make([]webhook.MetadataItem, 0, len(keys))
	for _, k := range keys {
		if i := slices.IndexFunc(r.Metadata, func(o webhook.MetadataItem) bool { return o.Key == k }); i >= 0 &&
			!slices.ContainsFunc(out, func(o webhook.MetadataItem) bool { return o.Key == k }) {
			out = append(out, r.Metadata[i])
		}
	}
	return out
}

// operator is the operator of a change: the owner when "".
func (r *Room) operator(op string) string {
	if op == "" {
		return r.Info.OwnerAccount.ID
	}
	return op
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
