package mockserver

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

// liveRoom is a room the mock backend holds: the room model, and when it last saw a call.
type liveRoom struct {
	*room.Room
	lastCall time.Time
	robots   map[string]bool // the members add_robot put in (members.go)
}

// meta is what a webhook's URL says of a REST call.
func (c call) meta() webhook.Meta {
	return webhook.Meta{ClientIP: c.ip, OptPlatform: webhook.PlatformRESTAPI}
}

// roomInfoRequest is create_room's and update_room_info's RoomInfo: pointers tell a field left
// out from a zero value.
type roomInfoRequest struct {
	RoomId                 *string `json:"RoomId"`
	RoomType               *string `json:"RoomType"`
	RoomName               *string `json:"RoomName"`
	OwnerAccount           *string `json:"Owner_Account"`
	MaxMemberCount         *int    `json:"MaxMemberCount"`
	IsMessageDisabled      *bool   `json:"IsMessageDisabled"`
	CustomInfo             *string `json:"CustomInfo"`
	IsSeatEnabled          *bool   `json:"IsSeatEnabled"`
	TakeSeatMode           *string `json:"TakeSeatMode"`
	MaxSeatCount           *int    `json:"MaxSeatCount"`
	IsPublicVisible        *bool   `json:"IsPublicVisible"`
	CoverURL               *string `json:"CoverURL"`
	Category               *[]int  `json:"Category"`
	ActivityStatus         *int    `json:"ActivityStatus"`
	IsUnlimitedRoomEnabled *bool   `json:"IsUnlimitedRoomEnabled"`
	BackgroundURL          *string `json:"BackgroundURL"`
	Notice                 *string `json:"Notice"`
	// SeatTemplate and KeepOwnerOnSeat are what the vendor's console sends (never IsSeatEnabled).
	SeatTemplate    *string `json:"SeatTemplate"`
	KeepOwnerOnSeat *bool   `json:"KeepOwnerOnSeat"`
}

// decodeRoomInfo reads the body of create_room and update_room_info: {"RoomInfo": {...}}.
func decodeRoomInfo(body []byte) (*roomInfoRequest, *apiError) {
	var req struct {
		RoomInfo *roomInfoRequest `json:"RoomInfo"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.RoomInfo == nil {
		return nil, fail(CodeBadParameter, "RoomInfo is missing")
	}
	return req.RoomInfo, nil
}

func (s *Server) createRoom(c call, body []byte) (any, *apiError) {
	ri, aerr := decodeRoomInfo(body)
	if aerr != nil {
		return nil, aerr
	}
	switch {
	case ri.RoomId == nil || *ri.RoomId == "":
		return nil, fail(CodeBadParameter, "RoomInfo.RoomId is missing")
	case ri.RoomType == nil || *ri.RoomType != webhook.RoomTypeLive:
		return nil, fail(CodeBadParameter, "RoomInfo.RoomType must be %q", webhook.RoomTypeLive)
	}
	now := s.cfg.Now()
	// The newest create_room page's defaults: the name is the ID, seats are taken freely, the
	// room is listed, and it holds as many members as the plan allows.
	info := webhook.RoomInfo{
		RoomId: *ri.RoomId, RoomName: *ri.RoomId, RoomType: webhook.RoomTypeLive,
		OwnerAccount: webhook.Account{ID: c.identifier}, MaxMemberCount: s.cfg.MaxMembers,
		TakeSeatMode: webhook.TakeSeatModeFreeToTake, IsPublicVisible: true, CreateTime: now.Unix(), Category: []int{},
	}
	setp(&info.RoomName, ri.RoomName)
	if ri.OwnerAccount != nil {
		info.OwnerAccount.ID = *ri.OwnerAccount
	}
	setp(&info.MaxMemberCount, ri.MaxMemberCount)
	setp(&info.IsMessageDisabled, ri.IsMessageDisabled)
	setp(&info.CustomInfo, ri.CustomInfo)
	setp(&info.IsSeatEnabled, ri.IsSeatEnabled)
	if info.IsSeatEnabled {
		info.MaxSeatCount = 8
	}
	setp(&info.TakeSeatMode, ri.TakeSeatMode)
	if ri.SeatTemplate != nil {
		// A template gives the room its seats (room.SeatTemplates), as the console expects.
		n, known := room.SeatTemplates[*ri.SeatTemplate]
		if !known {
			return nil, fail(CodeBadParameter, "RoomInfo.SeatTemplate is %q, want one of %s", *ri.SeatTemplate, strings.Join(room.SeatTemplateNames(), ", "))
		}
		if ri.MaxSeatCount != nil && !room.IsAudioTemplate(*ri.SeatTemplate) && *ri.MaxSeatCount != n {
			return nil, fail(CodeBadParameter, "RoomInfo.MaxSeatCount is %d but SeatTemplate %s has %d seats: leave it out", *ri.MaxSeatCount, *ri.SeatTemplate, n)
		}
		info.IsSeatEnabled, info.MaxSeatCount = true, n
	}
	setp(&info.MaxSeatCount, ri.MaxSeatCount)
	setp(&info.IsPublicVisible, ri.IsPublicVisible)
	setp(&info.CoverURL, ri.CoverURL)
	setp(&info.Category, ri.Category)
	if err := room.ValidateMemberCount(info.MaxMemberCount); err != nil {
		return nil, roomError(err)
	}

	r, msg, err := room.Create(info, c.identifier, c.meta(), now)
	if err != nil {
		return nil, roomError(err)
	}
	// Fields the creation webhook does not carry, checked as an update checks them.
	if ri.ActivityStatus != nil || ri.IsUnlimitedRoomEnabled != nil || ri.BackgroundURL != nil || ri.Notice != nil {
		if _, err := r.Update("", room.Update{ActivityStatus: ri.ActivityStatus, IsUnlimitedRoomEnabled: ri.IsUnlimitedRoomEnabled,
			BackgroundURL: ri.BackgroundURL, Notice: ri.Notice}, c.meta(), now); err != nil {
			return nil, roomError(err)
		}
	}

	setp(&r.SeatTemplate, ri.SeatTemplate)
	setp(&r.KeepOwnerOnSeat, ri.KeepOwnerOnSeat)

	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	if old, ok := a.rooms[info.RoomId]; ok {
		switch {
		case now.Sub(old.Created) < time.Second:
			return nil, fail(CodeCreatedTwice, "room %q was created twice within a second", info.RoomId)
		case old.Info.OwnerAccount.ID == info.OwnerAccount.ID:
			return nil, fail(CodeRoomExistsOwner, "room %q exists, with the same owner", info.RoomId)
		}
		return nil, fail(CodeRoomExists, "room %q exists", info.RoomId)
	}
	a.rooms[info.RoomId] = &liveRoom{Room: r, lastCall: now}
	s.fire(a, msg)
	return struct{ RoomId string }{info.RoomId}, nil
}

// roomRequest is the body of the APIs that only name a room.
type roomRequest struct {
	RoomId *string `json:"RoomId"`
}

// lookup finds the room an API's RoomId names; the caller holds the app's lock.
func (s *Server) lookup(a *app, id *string) (*liveRoom, *apiError) {
	if id == nil || *id == "" {
		return nil, fail(CodeBadParameter, "RoomId is missing")
	}
	r, ok := a.rooms[*id]
	if !ok {
		return nil, fail(CodeNoRoom, "room %q does not exist", *id)
	}
	r.lastCall = s.cfg.Now()
	return r, nil
}

// withRoom decodes req, whose RoomId *id points into, and runs fn with the room under the app's
// lock.
func (s *Server) withRoom(c call, body []byte, req any, id **string, fn func(r *liveRoom) (any, *apiError)) (any, *apiError) {
	if err := decode(body, req); err != nil {
		return nil, err
	}
	c.app.mu.Lock()
	defer c.app.mu.Unlock()
	r, err := s.lookup(c.app, *id)
	if err != nil {
		return nil, err
	}
	return fn(r)
}

func (s *Server) destroyRoom(c call, body []byte) (any, *apiError) {
	var req roomRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		st := s.destroy(c.app, r, room.Destruction{Operator: c.identifier, Client: c.meta()})
		return struct{ Statistic webhook.Statistic }{st}, nil
	})
}

// destroy removes a room and fires its webhook, whose Statistic is the room's activity; the
// caller holds the app's lock.
func (s *Server) destroy(a *app, r *liveRoom, d room.Destruction) webhook.Statistic {
	d.At = s.cfg.Now()
	d.Statistic = r.Statistic()
	delete(a.rooms, r.Info.RoomId)
	if msg, err := r.Destroy(d); err == nil {
		s.fire(a, msg)
	}
	return d.Statistic
}

// destroyIdle dissolves the rooms that saw no call and no viewer for IdleTimeout.
func (s *Server) destroyIdle() {
	now := s.cfg.Now()
	for _, a := range s.appList() {
		a.mu.Lock()
		for _, id := range slices.Sorted(maps.Keys(a.rooms)) {
			if r := a.rooms[id]; r.Online() == 0 && now.Sub(r.lastCall) >= s.cfg.IdleTimeout {
				s.destroy(a, r, room.Destruction{BySystem: true})
			}
		}
		a.mu.Unlock()
	}
}

// roomInfo is a room as get_room_info answers.
type roomInfo struct {
	RoomId                 string          `json:"RoomId"`
	RoomName               string          `json:"RoomName"`
	RoomType               string          `json:"RoomType"`
	OwnerAccount           webhook.Account `json:"Owner_Account"`
	CreateTime             int64           `json:"CreateTime"`
	IsSeatEnabled          bool            `json:"IsSeatEnabled"`
	TakeSeatMode           string          `json:"TakeSeatMode"`
	MaxSeatCount           int             `json:"MaxSeatCount"`
	MaxMemberCount         int             `json:"MaxMemberCount"`
	IsMessageDisabled      bool            `json:"IsMessageDisabled"`
	CoverURL               string          `json:"CoverURL"`
	Category               []int           `json:"Category"`
	ActivityStatus         int             `json:"ActivityStatus"`
	ViewCount              int             `json:"ViewCount"`
	IsPublicVisible        bool            `json:"IsPublicVisible"`
	CustomInfo             string          `json:"CustomInfo"`
	BackgroundURL          string          `json:"BackgroundURL"`
	IsUnlimitedRoomEnabled bool            `json:"IsUnlimitedRoomEnabled"`
	Notice                 string          `json:"Notice,omitempty"`
	consoleView
}

func infoOf(r *liveRoom) roomInfo { return infoIn(nil, r) }

// infoIn is infoOf with the owner's profile from the app; the caller holds the app's lock.
func infoIn(a *app, r *liveRoom) roomInfo {
	i := r.Info
	cat := i.Category
	if cat == nil {
		cat = []int{}
	}
	return roomInfo{
		RoomId: i.RoomId, RoomName: i.RoomName, RoomType: i.RoomType, OwnerAccount: i.OwnerAccount, CreateTime: i.CreateTime,
		IsSeatEnabled: i.IsSeatEnabled, TakeSeatMode: i.TakeSeatMode, MaxSeatCount: i.MaxSeatCount, MaxMemberCount: i.MaxMemberCount,
		IsMessageDisabled: i.IsMessageDisabled, CoverURL: i.CoverURL, Category: append([]int{}, cat...),
		ActivityStatus: r.ActivityStatus, ViewCount: r.ViewCount(), IsPublicVisible: i.IsPublicVisible, CustomInfo: i.CustomInfo,
		BackgroundURL: r.BackgroundURL, IsUnlimitedRoomEnabled: r.IsUnlimitedRoomEnabled, Notice: r.Notice,
		consoleView: viewOf(a, r),
	}
}

func (s *Server) getRoomInfo(c call, body []byte) (any, *apiError) {
	var req roomRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		return struct{ RoomInfo roomInfo }{infoIn(c.app, r)}, nil
	})
}

func (s *Server) updateRoomInfo(c call, body []byte) (any, *apiError) {
	ri, aerr := decodeRoomInfo(body)
	if aerr != nil {
		return nil, aerr
	}
	switch {
	case ri.RoomType != nil || ri.OwnerAccount != nil || ri.IsSeatEnabled != nil || ri.MaxSeatCount != nil:
		return nil, fail(CodeBadParameter, "RoomType, Owner_Account, IsSeatEnabled and MaxSeatCount cannot be updated (change_room_owner changes the owner)")
	}
	c.app.mu.Lock()
	defer c.app.mu.Unlock()
	r, aerr := s.lookup(c.app, ri.RoomId)
	if aerr != nil {
		return nil, aerr.in("RoomInfo.")
	}
	msg, err := r.Update(c.identifier, room.Update{
		RoomName: ri.RoomName, MaxMemberCount: ri.MaxMemberCount, IsMessageDisabled: ri.IsMessageDisabled, CoverURL: ri.CoverURL,
		Category: ri.Category, ActivityStatus: ri.ActivityStatus, IsPublicVisible: ri.IsPublicVisible, TakeSeatMode: ri.TakeSeatMode,
		CustomInfo: ri.CustomInfo, Notice: ri.Notice, BackgroundURL: ri.BackgroundURL, IsUnlimitedRoomEnabled: ri.IsUnlimitedRoomEnabled,
	}, c.meta(), s.cfg.Now())
	if err != nil {
		return nil, roomError(err)
	}
	s.fire(c.app, msg)
	return nil, nil
}

// in puts a path before the field an error names ("RoomId is missing" → "RoomInfo.RoomId ...").
func (e *apiError) in(path string) *apiError {
	if e.code == CodeBadParameter {
		return &apiError{e.code, path + e.info}
	}
	return e
}

// statistic is get_room_stats' answer.
type statistic struct {
	webhook.Statistic
	TotalMsgCount int `json:"TotalMsgCount"`
}

func (s *Server) getRoomStats(c call, body []byte) (any, *apiError) {
	var req roomRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		return statistic{r.Statistic(), r.Messages()}, nil
	})
}

func (s *Server) changeRoomOwner(c call, body []byte) (any, *apiError) {
	var req struct {
		RoomId          *string `json:"RoomId"`
		NewOwnerAccount *string `json:"NewOwner_Account"`
	}
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		if req.NewOwnerAccount == nil {
			return nil, fail(CodeBadParameter, "NewOwner_Account is missing")
		}
		msg, changed, err := r.ChangeOwner(c.identifier, *req.NewOwnerAccount, s.cfg.Now())
		if err != nil {
			return nil, roomError(err)
		}
		if changed {
			s.fire(c.app, msg)
		}
		return nil, nil
	})
}

func (s *Server) setRoomMetadata(c call, body []byte) (any, *apiError) {
	var req struct {
		RoomId   *string                `json:"RoomId"`
		Metadata []webhook.MetadataItem `json:"Metadata"`
	}
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		msg, err := r.SetMetadata(c.identifier, req.Metadata, c.meta(), s.cfg.Now())
		if err != nil {
			return nil, roomError(err)
		}
		s.fire(c.app, msg)
		return nil, nil
	})
}

func (s *Server) getRoomMetadata(c call, body []byte) (any, *apiError) {
	var req struct {
		RoomId *string  `json:"RoomId"`
		Keys   []string `json:"Keys"`
	}
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		return struct{ Metadata []webhook.MetadataItem }{r.GetMetadata(req.Keys)}, nil
	})
}

func (s *Server) delRoomMetadata(c call, body []byte) (any, *apiError) {
	var req struct {
		RoomId *string  `json:"RoomId"`
		Keys   []string `json:"Keys"`
	}
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		if len(req.Keys) == 0 {
			return nil, fail(CodeBadParameter, "Keys is missing or empty: name the keys to delete")
		}
		msg, err := r.DelMetadata(c.identifier, req.Keys, c.meta(), s.cfg.Now())
		if err != nil {
			return nil, roomError(err)
		}
		s.fire(c.app, msg)
		return nil, nil
	})
}

func (s *Server) getAdminList(c call, body []byte) (any, *apiError) {
	var req roomRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		return struct {
			AdminAccount []string `json:"Admin_Account"`
		}{append([]string{}, r.Admins...)}, nil
	})
}

func (s *Server) modifyAdmin(c call, body []byte) (any, *apiError) {
	var req struct {
		RoomId       *string  `json:"RoomId"`
		AdminAccount []string `json:"Admin_Account"`
		OpType       string   `json:"OpType"`
	}
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		if req.OpType != webhook.OpTypeAdd && req.OpType != webhook.OpTypeDelete {
			return nil, fail(CodeBadParameter, "OpType is %q, want add or delete", req.OpType)
		}
		if len(req.AdminAccount) == 0 {
			return nil, fail(CodeBadParameter, "Admin_Account is missing or empty")
		}
		var msg webhook.Message
		var changed bool
		var err error
		if req.OpType == webhook.OpTypeAdd {
			msg, changed, err = r.AddAdmins(c.identifier, req.AdminAccount, s.cfg.Now())
		} else {
			msg, changed, err = r.RemoveAdmins(c.identifier, req.AdminAccount, s.cfg.Now(), false)
		}
		switch {
		case err != nil:
			return nil, roomError(err)
		case changed:
			s.fire(c.app, msg)
		}
		return nil, nil
	})
}

// roomErrors are the codes of the room model's errors that the vendor tells apart; any other
// is a bad parameter.
var roomErrors = []struct {
	err  error
	code int
}{
	{room.ErrTooManyAdmins, CodeTooManyAdmins},
	{room.ErrTooManyCategories, CodeTooManyCategories},
	{room.ErrTooManyMetadataKeys, CodeTooManyMetadataKeys},
	{room.ErrMetadataValueTooLarge, CodeMetadataValueTooLarge},
	{room.ErrMetadataTooLarge, CodeMetadataTooLarge},
	{room.ErrNoMetadataKeys, CodeNoMetadataKeys},
	{room.ErrMetadataKeyTooLarge, CodeMetadataKeyTooLarge},
}

// roomError is the API's answer to an error of the room model.
func roomError(err error) *apiError {
	for _, e := range roomErrors {
		if errors.Is(err, e.err) {
			return fail(e.code, "%v", err)
		}
	}
	return fail(CodeBadParameter, "%v", err)
}

func setp[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
