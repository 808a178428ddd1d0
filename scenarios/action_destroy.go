package scenarios

import (
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
