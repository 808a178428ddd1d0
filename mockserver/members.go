package mockserver

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/livehook/livehook/room"
	"github.com/livehook/livehook/webhook"
)

// More API paths: the seat APIs of the room engine, and the Chat (IM) APIs the console calls.
const (
	MicPrefix     = "/v4/room_engine_http_mic/"
	ProfilePrefix = "/v4/profile/"
	LoginPrefix   = "/v4/im_open_login_svc/"
	GroupPrefix   = "/v4/group_open_http_svc/"
)

// Codes of the member rules: the vendor console's error table (TUILiveKit_Manager).
const (
	CodeNotMember     = 100005
	CodeRoomFull      = 100008
	CodeMemberBanned  = 100016
	CodeMemberMuted   = 100017
	CodeSeatLocked    = 100200
	CodeSeatOccupied  = 100201
	CodeAlreadyOnSeat = 100203
	CodeSeatsFull     = 100205
	CodeNotOnSeat     = 100206
	// CodeIMMuted is Chat's "the sender is muted in this group" (send_group_msg).
	CodeIMMuted = 10017
)

func init() {
	roomErrors = append(roomErrors, []struct {
		err  error
		code int
	}{
		{room.ErrNotMember, CodeNotMember}, {room.ErrFull, CodeRoomFull}, {room.ErrBanned, CodeMemberBanned},
		{room.ErrMuted, CodeMemberMuted}, {room.ErrSeatLocked, CodeSeatLocked}, {room.ErrSeatOccupied, CodeSeatOccupied},
		{room.ErrAlreadyOnSeat, CodeAlreadyOnSeat}, {room.ErrSeatsFull, CodeSeatsFull}, {room.ErrNotOnSeat, CodeNotOnSeat},
	}...)
}

// liveAPIs registers the member, moderation, message, seat, robot, gift and account APIs, each
// with the rate its page documents.
func (s *Server) liveAPIs(add func(prefix, name string, rate int, fn handler), addGift func(name string, fn handler)) {
	add(EnginePrefix, "ban_member", 200, s.banMember)
	add(EnginePrefix, "unban_member", 200, s.unbanMember)
	add(EnginePrefix, "get_banned_member_list", 200, s.getBannedMemberList)
	add(EnginePrefix, "mute_member", 200, s.muteMember)
	add(EnginePrefix, "get_muted_member_list", 200, s.getMutedMemberList)
	add(EnginePrefix, "get_member_list", 200, s.getMemberList)
	add(EnginePrefix, "send_text_msg", 200, s.sendTextMsg)
	add(EnginePrefix, "send_custom_msg", 200, s.sendCustomMsg)
	add(EnginePrefix, "add_robot", 200, s.robotAPI("add"))
	add(EnginePrefix, "del_robot", 200, s.robotAPI("del"))
	add(EnginePrefix, "get_robot", 200, s.robotAPI("get"))
	add(MicPrefix, "get_seat_list", 200, s.getSeatList)
	add(MicPrefix, "pick_user_on_seat", 200, s.pickUserOnSeat)
	add(MicPrefix, "kick_user_off_seat", 200, s.kickUserOffSeat)
	add(EnginePrefix, "send_gift", 200, s.sendGift)
	addGift("add_gift", s.addGift)
	addGift("edit_gift", s.editGift)
	addGift("del_gift", s.delGift)
	addGift("get_gift", s.getGift)
	addGift("get_gift_info_list", s.getGiftInfoList)
	addGift("set_gift_language", s.languageAPI("set", false))
	addGift("get_gift_language", s.languageAPI("get", false))
	addGift("del_gift_language", s.languageAPI("del", false))
	addGift("add_gift_category", s.categoryAPI("add"))
	addGift("edit_gift_category", s.categoryAPI("edit"))
	addGift("del_gift_category", s.categoryAPI("del"))
	addGift("get_gift_category", s.categoryAPI("get"))
	addGift("set_gift_category_language", s.languageAPI("set", true))
	addGift("get_gift_category_language", s.languageAPI("get", true))
	addGift("del_gift_category_language", s.languageAPI("del", true))
	addGift("add_gift_category_relations", s.relationsAPI(true))
	addGift("del_gift_category_relations", s.relationsAPI(false))
	add(EnginePrefix, "get_gift_count", 1, s.getGiftCount)
	add(GroupPrefix, "send_group_msg", 200, s.sendGroupMsg)
	add(LoginPrefix, "account_import", 100, s.accountImport)
	add(ProfilePrefix, "portrait_get", 100, s.portraitGet)
	add(ProfilePrefix, "portrait_set", 100, s.portraitSet)
	add(EnginePrefix, "resume_mcu_task", 200, s.resumeMcuTask)
	add(ConfigPrefix, "get_callback_token", 200, s.getCallbackToken)
}

// membersRequest is the body of ban_member, unban_member and mute_member, as the console sends
// them: RoomId, MemberList_Account, and Duration and Reason (ban) or MuteTime (mute), in seconds.
type membersRequest struct {
	RoomId   *string  `json:"RoomId"`
	Members  []string `json:"MemberList_Account"`
	Duration *int64   `json:"Duration"`
	Reason   *string  `json:"Reason"`
	MuteTime *int64   `json:"MuteTime"`
}

// DefaultBanSeconds is a ban's length when ban_member gives no Duration: the console's default.
const DefaultBanSeconds = 3600

func (s *Server) banMember(c call, body []byte) (any, *apiError) {
	var req membersRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		secs, reason := int64(DefaultBanSeconds), ""
		setp(&secs, req.Duration)
		setp(&reason, req.Reason)
		msgs, err := r.BanMembers(c.identifier, req.Members, time.Duration(secs)*time.Second, reason, s.cfg.Now())
		if err != nil {
			return nil, roomError(err)
		}
		for _, m := range msgs {
			s.fire(c.app, m)
		}
		return nil, nil
	})
}

func (s *Server) unbanMember(c call, body []byte) (any, *apiError) {
	var req membersRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		if err := r.UnbanMembers(req.Members); err != nil {
			return nil, roomError(err)
		}
		return nil, nil
	})
}

func (s *Server) muteMember(c call, body []byte) (any, *apiError) {
	var req membersRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		if req.MuteTime == nil {
			return nil, fail(CodeBadParameter, "MuteTime is missing: seconds to mute for, 0 to unmute")
		}
		if err := r.MuteMembers(req.Members, time.Duration(*req.MuteTime)*time.Second, s.cfg.Now()); err != nil {
			return nil, roomError(err)
		}
		return nil, nil
	})
}

// pageRequest is the paging of the list APIs: Next (a cursor from the last answer) and Count,
// as the console sends them.
type pageRequest struct {
	RoomId *string `json:"RoomId"`
	Next   *string `json:"Next"`
	Count  *int    `json:"Count"`
	Offset *int    `json:"Offset"`
	Limit  *int    `json:"Limit"`
}

// DefaultPageCount and MaxPageCount bound a list API's page.
const (
	DefaultPageCount = 100
	MaxPageCount     = 1000
)

// page returns the range [from, to) of n items the request asks for and the cursor of the next.
func (p pageRequest) page(n int) (from, to int, next string, err *apiError) {
	count := DefaultPageCount
	setp(&count, p.Count)
	setp(&count, p.Limit)
	setp(&from, p.Offset)
	if p.Next != nil && *p.Next != "" {
		v, perr := strconv.Atoi(*p.Next)
		if perr != nil || v < 0 {
			return 0, 0, "", fail(CodeBadParameter, "Next is %q, not a cursor this backend gave", *p.Next)
		}
		from = v
	}
	if count < 1 || count > MaxPageCount || from < 0 {
		return 0, 0, "", fail(CodeBadParameter, "Count is %d and the offset %d: want 1 to %d items from 0 on", count, from, MaxPageCount)
	}
	from = min(from, n)
	to = min(from+count, n)
	if to < n {
		next = strconv.Itoa(to)
	}
	return from, to, next, nil
}

func (s *Server) getBannedMemberList(c call, body []byte) (any, *apiError) {
	var req pageRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		bans := r.Banned(s.cfg.Now())
		from, to, next, err := req.page(len(bans))
		if err != nil {
			return nil, err
		}
		type entry struct {
			MemberAccount string `json:"Member_Account"`
			BannedUntil   int64  `json:"BannedUntil"`
			Reason        string `json:"Reason"`
		}
		out := struct {
			BannedAccountList []entry
			Next              string
		}{BannedAccountList: []entry{}, Next: next}
		for _, b := range bans[from:to] {
			out.BannedAccountList = append(out.BannedAccountList, entry{b.Member, b.Until.Unix(), b.Reason})
		}
		return out, nil
	})
}

func (s *Server) getMutedMemberList(c call, body []byte) (any, *apiError) {
	var req pageRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		mutes := r.Muted(s.cfg.Now())
		from, to, next, err := req.page(len(mutes))
		if err != nil {
			return nil, err
		}
		type entry struct {
			MemberAccount string `json:"Member_Account"`
			MutedUntil    int64  `json:"MutedUntil"`
		}
		out := struct {
			MutedAccountList []entry
			Next             string
		}{MutedAccountList: []entry{}, Next: next}
		for _, m := range mutes[from:to] {
			out.MutedAccountList = append(out.MutedAccountList, entry{m.Member, m.Until.Unix()})
		}
		return out, nil
	})
}

func (s *Server) getMemberList(c call, body []byte) (any, *apiError) {
	var req pageRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		members := r.Members()
		from, to, next, err := req.page(len(members))
		if err != nil {
			return nil, err
		}
		out := struct {
			MemberList []webhook.Member
			Next       string
			Total      int
		}{MemberList: []webhook.Member{}, Next: next, Total: len(members)}
		for _, m := range members[from:to] {
			out.MemberList = append(out.MemberList, webhook.Member{MemberAccount: webhook.Account{ID: m}})
		}
		return out, nil
	})
}

// sendTextMsg is send_text_msg (trtc.io/document/74353): RoomId, Sender_Account, TextContent and
// an optional ExtensionInfo that must be JSON; a muted or banned sender is refused.
func (s *Server) sendTextMsg(c call, body []byte) (any, *apiError) {
	var req struct {
		RoomId        *string `json:"RoomId"`
		SenderAccount *string `json:"Sender_Account"`
		TextContent   *string `json:"TextContent"`
		ExtensionInfo *string `json:"ExtensionInfo"`
	}
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		switch {
		case req.TextContent == nil || *req.TextContent == "":
			return nil, fail(CodeBadParameter, "TextContent is missing: the message's text")
		case req.ExtensionInfo != nil && *req.ExtensionInfo != "" && !json.Valid([]byte(*req.ExtensionInfo)):
			return nil, fail(CodeBadParameter, "ExtensionInfo is not JSON")
		}
		return nil, s.message(r, req.SenderAccount)
	})
}

// sendCustomMsg is send_custom_msg: RoomId, Sender_Account, BusinessId and Data, as the console
// sends them.
func (s *Server) sendCustomMsg(c call, body []byte) (any, *apiError) {
	var req struct {
		RoomId        *string `json:"RoomId"`
		SenderAccount *string `json:"Sender_Account"`
		BusinessId    *string `json:"BusinessId"`
		Data          *string `json:"Data"`
	}
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		switch {
		case req.BusinessId == nil || *req.BusinessId == "":
			return nil, fail(CodeBadParameter, "BusinessId is missing: what kind of custom message this is")
		case req.Data == nil:
			return nil, fail(CodeBadParameter, "Data is missing: the custom message's content")
		}
		return nil, s.message(r, req.SenderAccount)
	})
}

// message sends a message from sender in the room, under the app's lock.
func (s *Server) message(r *liveRoom, sender *string) *apiError {
	if sender == nil || room.ValidateUser("Sender_Account", *sender) != nil {
		return fail(CodeBadParameter, "Sender_Account is missing or not a user ID: the message's sender, 1 to %d bytes", webhook.MaxUserIDBytes)
	}
	if err := r.SendMessage(*sender, s.cfg.Now()); err != nil {
		return roomError(err)
	}
	return nil
}

// sendGroupMsg is Chat's send_group_msg, which the console uses to send as a chosen sender: the
// GroupId is the room's RoomId; a muted or banned sender gets Chat's 10017.
func (s *Server) sendGroupMsg(c call, body []byte) (any, *apiError) {
	var req struct {
		GroupId               *string           `json:"GroupId"`
		FromAccount           *string           `json:"From_Account"`
		Random                *uint32           `json:"Random"`
		MsgPriority           *string           `json:"MsgPriority"`
		MsgBody               []json.RawMessage `json:"MsgBody"`
		SendMsgControl        []string          `json:"SendMsgControl"`
		ForbidCallbackControl []string          `json:"ForbidCallbackControl"`
		CloudCustomData       *string           `json:"CloudCustomData"`
	}
	return s.withRoom(c, body, &req, &req.GroupId, func(r *liveRoom) (any, *apiError) {
		if len(req.MsgBody) == 0 {
			return nil, fail(CodeBadParameter, "MsgBody is missing or empty: the message's elements")
		}
		sender := c.identifier
		setp(&sender, req.FromAccount)
		if err := s.message(r, &sender); err != nil {
			if err.code == CodeMemberBanned || err.code == CodeMemberMuted {
				err = fail(CodeIMMuted, "%s", err.info)
			}
			return nil, err
		}
		now := s.cfg.Now()
		return imAnswer{MsgTime: now.Unix(), MsgSeq: r.Messages()}, nil
	})
}

// imAnswer marks the fields a Chat API answers at the top level, beside ActionStatus, as Chat
// does, rather than in Response as the Live APIs do.
type imAnswer struct {
	MsgTime int64 `json:"MsgTime"`
	MsgSeq  int   `json:"MsgSeq"`
}

func (imAnswer) topLevel() {}

// robotAPI is add_robot, del_robot and get_robot: robots are members the app puts in a room
// (RobotList_Account), which enter and leave it as members do, firing the member webhook; a
// banned robot cannot enter.
func (s *Server) robotAPI(op string) handler {
	return func(c call, body []byte) (any, *apiError) {
		var req struct {
			RoomId *string  `json:"RoomId"`
			Robots []string `json:"RobotList_Account"`
		}
		return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
			if op == "get" {
				out := []string{}
				for _, m := range r.Members() {
					if r.robots[m] {
						out = append(out, m)
					}
				}
				return struct {
					RobotListAccount []string `json:"RobotList_Account"`
					Total            int      `json:"Total"`
				}{out, len(out)}, nil
			}
			if len(req.Robots) == 0 {
				return nil, fail(CodeBadParameter, "RobotList_Account is missing or empty")
			}
			now := s.cfg.Now()
			for i, id := range req.Robots {
				if err := room.ValidateUser(fmt.Sprintf("RobotList_Account[%d]", i), id); err != nil {
					return nil, roomError(err)
				}
			}
			var moved []string
			for _, id := range req.Robots {
				if op == "add" {
					entered, err := r.EnterAt(id, now)
					if err != nil {
						return nil, roomError(err)
					}
					if r.robots == nil {
						r.robots = map[string]bool{}
					}
					r.robots[id] = true
					if entered {
						moved = append(moved, id)
					}
					continue
				}
				if !r.robots[id] {
					return nil, fail(CodeNotMember, "%q is not a robot of room %q", id, r.Info.RoomId)
				}
				delete(r.robots, id)
				if r.Leave(id) {
					moved = append(moved, id)
				}
			}
			for _, id := range moved {
				msg := r.MemberEvent(id, op == "add", now)
				msg.Meta = c.meta()
				s.fire(c.app, msg)
			}
			return nil, nil
		})
	}
}

func (s *Server) getSeatList(c call, body []byte) (any, *apiError) {
	var req roomRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		seats := r.Seats()
		if seats == nil {
			seats = []webhook.Seat{}
		}
		return struct{ SeatList []webhook.Seat }{seats}, nil
	})
}

func (s *Server) pickUserOnSeat(c call, body []byte) (any, *apiError) {
	var req struct {
		RoomId        *string `json:"RoomId"`
		MemberAccount *string `json:"Member_Account"`
		Index         *int    `json:"Index"`
	}
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		switch {
		case req.MemberAccount == nil || *req.MemberAccount == "":
			return nil, fail(CodeBadParameter, "Member_Account is missing: the room member to seat")
		case req.Index == nil:
			return nil, fail(CodeBadParameter, "Index is missing: the seat's number, from 0")
		}
		msg, err := r.PickOnSeat(c.identifier, *req.MemberAccount, *req.Index, s.cfg.Now())
		if err != nil {
			return nil, roomError(err)
		}
		msg.Meta = c.meta()
		s.fire(c.app, msg)
		return nil, nil
	})
}

func (s *Server) kickUserOffSeat(c call, body []byte) (any, *apiError) {
	var req struct {
		RoomId        *string `json:"RoomId"`
		MemberAccount *string `json:"Member_Account"`
	}
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) {
		if req.MemberAccount == nil || *req.MemberAccount == "" {
			return nil, fail(CodeBadParameter, "Member_Account is missing: the member to take off their seat")
		}
		msg, err := r.KickOffSeat(c.identifier, *req.MemberAccount, s.cfg.Now())
		if err != nil {
			return nil, roomError(err)
		}
		msg.Meta = c.meta()
		s.fire(c.app, msg)
		return nil, nil
	})
}
