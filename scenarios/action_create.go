package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/scenarios/report"
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
	if o := c.RoomInfo.OwnerAccount; c.OwnerAsNumber && o != nil && !strings.Contains(*o, "${") && !isDigits(*o) {
		v.errorf("create_room: owner_as_number needs a numeric Owner_Account, got %q", *o)
	}
	if as := c.As; as != "" && strings.ContainsAny(as, ".${} ") {
		v.errorf("create_room: as %q: use a plain name such as room or vip", as)
	}
	v.checkBodyPaths(webhook.CommandCreateRoom, &c.Probe)
}

func (c *CreateRoom) run(ctx context.Context, x *execution, st *Step, sr *report.StepResult) {
	runChange(ctx, x, st, sr, "create_room", c)
}

// change makes the room the step describes, the rest generated, and returns its webhook.
func (c *CreateRoom) change(x *execution) (webhook.Message, error) {
	now := x.now()
	owner := deref(c.RoomInfo.OwnerAccount, "")
	if owner == "" && c.OwnerAsNumber {
		owner = x.gen.NumericUserID()
	}
	info := x.gen.RoomInfo(now, owner)
	f := c.RoomInfo
	set(&info.RoomId, f.RoomId)
	set(&info.RoomName, f.RoomName)
	set(&info.RoomType, f.RoomType)
	set(&info.MaxMemberCount, f.MaxMemberCount)
	set(&info.IsMessageDisabled, f.IsMessageDisabled)
	set(&info.CustomInfo, f.CustomInfo)
	set(&info.IsSeatEnabled, f.IsSeatEnabled)
	if f.TakeSeatMode != nil {
		info.TakeSeatMode = string(*f.TakeSeatMode)
	}
	set(&info.MaxSeatCount, f.MaxSeatCount)
	set(&info.CreateTime, f.CreateTime)
	set(&info.IsPublicVisible, f.IsPublicVisible)
	set(&info.CoverURL, f.CoverURL)
	if f.Category != nil {
		info.Category = f.Category
	}
	info.OwnerAccount.Number = c.OwnerAsNumber
	rm, msg, err := room.Create(info, c.Operator, x.meta(&c.Probe), now)
	if err != nil {
		return msg, err
	}
	r := &liveRoom{Room: rm}
	b, _ := json.Marshal(info)
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	_ = d.Decode(&r.fields)
	if c.As != "" {
		x.rooms[c.As] = r
	}
	x.last = r
	return msg, nil
}
