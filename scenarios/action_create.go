package scenarios

import (
	"strings"

	"github.com/livehook/livehook/internal/text"
	"github.com/livehook/livehook/webhook"
)

// CreateRoom sends Live.CallbackAfterCreateRoom for a new room.
type CreateRoom struct {
	// As names the room for later steps (${NAME.RoomId}, room: NAME).
	As string `yaml:"as" json:"as,omitempty"`
	// Operator is Operator_Account; the owner unless set.
	Operator string `yaml:"operator" json:"operator,omitempty"`
	// RoomInfo sets fields of the room; those left out are generated.
	RoomInfo RoomFields `yaml:"RoomInfo" json:"RoomInfo,omitempty"`
	Probe    `yaml:",inline" json:",inline"`
}

// RoomFields are the RoomInfo fields a scenario may set; nil ones are generated.
type RoomFields struct {
	RoomId            *string `yaml:"RoomId" json:"RoomId,omitempty"`
	RoomName          *string `yaml:"RoomName" json:"RoomName,omitempty"`
	RoomType          *string `yaml:"RoomType" json:"RoomType,omitempty"`
	OwnerAccount      *string `yaml:"Owner_Account" json:"Owner_Account,omitempty"`
	MaxMemberCount    *int    `yaml:"MaxMemberCount" json:"MaxMemberCount,omitempty"`
	IsMessageDisabled *bool   `yaml:"IsMessageDisabled" json:"IsMessageDisabled,omitempty"`
	CustomInfo        *string `yaml:"CustomInfo" json:"CustomInfo,omitempty"`
	IsSeatEnabled     *bool   `yaml:"IsSeatEnabled" json:"IsSeatEnabled,omitempty"`
	TakeSeatMode      *Mode   `yaml:"TakeSeatMode" json:"TakeSeatMode,omitempty"`
	MaxSeatCount      *int    `yaml:"MaxSeatCount" json:"MaxSeatCount,omitempty"`
	CreateTime        *int64  `yaml:"CreateTime" json:"CreateTime,omitempty"`
	IsPublicVisible   *bool   `yaml:"IsPublicVisible" json:"IsPublicVisible,omitempty"`
	CoverURL          *string `yaml:"CoverURL" json:"CoverURL,omitempty"`
	Category          []int   `yaml:"Category" json:"Category,omitempty"`
}

func (c *CreateRoom) probe() *Probe { return &c.Probe }

func (c *CreateRoom) validate(v *stepCheck) {
	if id := c.RoomInfo.RoomId; id != nil && !strings.Contains(*id, "${") && len(*id) > webhook.MaxRoomIDBytes {
		v.errorf("create_room: RoomInfo.RoomId is %d bytes, at most %d are allowed", len(*id), webhook.MaxRoomIDBytes)
	}
	if o := c.RoomInfo.OwnerAccount; c.OwnerAsNumber && o != nil && !strings.Contains(*o, "${") && !text.IsDigits(*o) {
		v.errorf("create_room: owner_as_number needs a numeric Owner_Account, got %q", *o)
	}
	if as := c.As; as != "" && strings.ContainsAny(as, ".${} ") {
		v.errorf("create_room: as %q: use a plain name such as room or vip", as)
	}
	v.checkBodyPaths(webhook.CommandCreateRoom, &c.Probe)
}
