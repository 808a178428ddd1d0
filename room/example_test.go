package room_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

// A room's life, each change checked against the Live backend's rules and returning the webhook
// it fires.
func Example() {
	at := time.Date(2026, 1, 9, 19, 0, 0, 0, time.UTC)
	info := webhook.RoomInfo{RoomId: "live_1", RoomType: webhook.RoomTypeLive, OwnerAccount: webhook.Account{ID: "host_1"}, MaxSeatCount: 8}
	r, msg, err := room.Create(info, "", webhook.Meta{ClientIP: "10.0.0.1", OptPlatform: "iOS"}, at)
	if err != nil {
		panic(err)
	}
	fmt.Println(msg.Event.Command(), msg.Event.Room())

	msg, _, err = r.AddAdmins("", []string{"mod_1", "mod_2", "mod_3", "mod_4", "mod_5"}, at.Add(time.Minute))
	fmt.Println(msg.Event.Command(), r.Admins, err)
	_, _, err = r.AddAdmins("", []string{"mod_6"}, at.Add(2*time.Minute))
	fmt.Println(errors.Is(err, room.ErrTooManyAdmins))
	_, _, err = r.RemoveAdmins("", []string{"someone"}, at.Add(3*time.Minute), true)
	fmt.Println(errors.Is(err, room.ErrNotAdmin))

	msg, err = r.Destroy(room.Destruction{BySystem: true, At: at.Add(time.Hour)})
	d := msg.Event.(*webhook.DestroyRoom)
	fmt.Println(d.Command(), d.EventType, d.OperatorAccount, msg.Meta.OptPlatform, d.Statistic == nil)
	_, _, err = r.AddAdmins("", []string{"mod_7"}, at.Add(2*time.Hour))
	fmt.Println(err)

	_, _, err = room.Create(webhook.RoomInfo{RoomId: "a_room_id_of_more_than_forty_eight_bytes_is_refused", RoomType: webhook.RoomTypeLive,
		OwnerAccount: webhook.Account{ID: "host_1"}}, "", webhook.Meta{}, at)
	fmt.Println(err)
	// Output:
	// Live.CallbackAfterCreateRoom live_1
	// Live.CallbackAfterModifyAdmin [mod_1 mod_2 mod_3 mod_4 mod_5] <nil>
	// true
	// true
	// Live.CallbackAfterDestroyRoom DestroyBySystem @TIM#SYSTEM Unknown true
	// room is destroyed: room "live_1"
	// invalid room: RoomInfo.RoomId must be at most 48 bytes of printable ASCII
}

func ExampleValidate() {
	err := room.Validate(webhook.RoomInfo{RoomId: "live_1", RoomType: webhook.RoomTypeLive, OwnerAccount: webhook.Account{ID: "host_1"}, MaxSeatCount: 17})
	fmt.Println(err)
	// Output: invalid room: RoomInfo.MaxSeatCount is 17, want 0 to 16
}
