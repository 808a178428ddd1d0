package scenarios

import (
	"context"
	"fmt"
	"time"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/webhook"
)

// DestroyRoom sends Live.CallbackAfterDestroyRoom.
type DestroyRoom struct {
	// Room names a room created earlier; the last one created unless set.
	Room string `yaml:"room" json:"room,omitempty"`
	// By is user (DestroyByUser, the owner dissolves it) or system (DestroyBySystem, the
	// production shape: Operator_Account "@TIM#SYSTEM", RoomInfo.RoomId, no Category, no Statistic).
	By Destroyer `yaml:"by" json:"by,omitempty"`
	// Operator is Operator_Account; the owner, or "@TIM#SYSTEM" for a system destroy, unless set.
	Operator string `yaml:"operator" json:"operator,omitempty"`
	// Statistic sets the statistic's fields; those left out are generated.
	Statistic StatisticFields `yaml:"Statistic" json:"Statistic,omitempty"`
	Probe     `yaml:",inline" json:",inline"`
}

// StatisticFields are the Statistic fields a scenario may set; nil ones are generated.
type StatisticFields struct {
	TotalViewers           *int `yaml:"TotalViewers" json:"TotalViewers,omitempty"`
	TotalGiftsSent         *int `yaml:"TotalGiftsSent" json:"TotalGiftsSent,omitempty"`
	TotalGiftCoins         *int `yaml:"TotalGiftCoins" json:"TotalGiftCoins,omitempty"`
	TotalUniqueGiftSenders *int `yaml:"TotalUniqueGiftSenders" json:"TotalUniqueGiftSenders,omitempty"`
	TotalLikesReceived     *int `yaml:"TotalLikesReceived" json:"TotalLikesReceived,omitempty"`
}

func (dr *DestroyRoom) probe() *Probe { return &dr.Probe }

func (dr *DestroyRoom) validate(v *stepCheck) {
	v.roomRef(dr.Room)
	v.checkBodyPaths(webhook.CommandDestroyRoom, &dr.Probe)
}

func (dr *DestroyRoom) run(ctx context.Context, x *execution, st *Step, sr *report.StepResult) {
	runChange(ctx, x, st, sr, "destroy_room", dr)
}

// change closes the room by the rules of room and returns its webhook.
func (dr *DestroyRoom) change(x *execution) (webhook.Message, error) {
	r, err := x.room(dr.Room)
	if err != nil {
		return webhook.Message{}, err
	}
	if dr.OwnerAsNumber && !isDigits(r.Info.OwnerAccount.ID) {
		return webhook.Message{}, fmt.Errorf("owner_as_number: the room's owner %q is not a number; create the room with owner_as_number too", r.Info.OwnerAccount.ID)
	}
	now := x.now()
	// The life in whole minutes: the statistic must not depend on how fast the steps ran.
	st := x.gen.Statistic(now.Sub(r.Created).Truncate(time.Minute), r.Info.MaxMemberCount)
	f := dr.Statistic
	set(&st.TotalViewers, f.TotalViewers)
	set(&st.TotalGiftsSent, f.TotalGiftsSent)
	set(&st.TotalGiftCoins, f.TotalGiftCoins)
	set(&st.TotalUniqueGiftSenders, f.TotalUniqueGiftSenders)
	set(&st.TotalLikesReceived, f.TotalLikesReceived)
	msg, err := r.Destroy(room.Destruction{BySystem: dr.By == "system", Operator: dr.Operator, Client: x.meta(&dr.Probe), Statistic: st, At: now})
	if err != nil {
		return msg, err
	}
	msg.Event.(*webhook.DestroyRoom).RoomInfo.OwnerAccount.Number = dr.OwnerAsNumber || r.Info.OwnerAccount.Number
	return msg, nil
}
