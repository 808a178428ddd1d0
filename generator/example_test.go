package generator_test

import (
	"fmt"

	"github.com/livehook/livehook/generator"
)

// Realistic values from a seed: the same seed gives the same values.
func ExampleNew() {
	a, b := generator.New(42), generator.New(42)
	fmt.Println(a.RoomID() == b.RoomID(), a.UserID() == b.UserID(), len(a.RoomID()) <= 48)
	// Output: true true true
}

// The webhooks of three rooms' evenings, merged in time order on the simulated clock: each room
// is created, changes admins while it lives, and is destroyed by its owner or the system.
func ExampleGenerator_Stream() {
	s, err := generator.New(7).Stream(generator.Traffic{Rooms: 3})
	if err != nil {
		panic(err)
	}
	for ev, ok := s.Next(); ok; ev, ok = s.Next() {
		fmt.Println(ev.Seq, ev.At.Format("15:04:05"), ev.Event.Command(), ev.Event.Room())
	}
	// Output:
	// 1 19:00:01 Live.CallbackAfterCreateRoom live_1_cm4sro
	// 2 19:00:07 Live.CallbackAfterCreateRoom live_2_17bz0l
	// 3 19:00:15 Live.CallbackAfterCreateRoom live_3_pgsk8z
	// 4 19:02:27 Live.CallbackAfterModifyAdmin live_1_cm4sro
	// 5 19:03:26 Live.CallbackAfterModifyAdmin live_1_cm4sro
	// 6 19:17:37 Live.CallbackAfterModifyAdmin live_1_cm4sro
	// 7 19:22:47 Live.CallbackAfterModifyAdmin live_2_17bz0l
	// 8 19:23:42 Live.CallbackAfterModifyAdmin live_2_17bz0l
	// 9 19:29:02 Live.CallbackAfterDestroyRoom live_3_pgsk8z
	// 10 19:29:32 Live.CallbackAfterModifyAdmin live_2_17bz0l
	// 11 19:48:57 Live.CallbackAfterModifyAdmin live_2_17bz0l
	// 12 19:49:24 Live.CallbackAfterModifyAdmin live_2_17bz0l
	// 13 19:51:08 Live.CallbackAfterModifyAdmin live_1_cm4sro
	// 14 19:56:14 Live.CallbackAfterModifyAdmin live_1_cm4sro
	// 15 19:57:43 Live.CallbackAfterModifyAdmin live_1_cm4sro
	// 16 20:04:58 Live.CallbackAfterDestroyRoom live_2_17bz0l
	// 17 20:14:43 Live.CallbackAfterDestroyRoom live_1_cm4sro
}
