package mockserver

import "encoding/json"

// consoleView holds the fields of a room that the vendor's console reads from get_room_info and
// get_room_list beyond the room's own (TUILiveKit_Manager: its LiveBaseInfo and LiveDetailInfo
// types and its mapping of a room, which takes OnlineCount, falling back to MemberCount, and
// OwnerName and OwnerAvatarUrl for the host).
type consoleView struct {
	// OnlineCount and MemberCount are the members in the room now.
	OnlineCount int `json:"OnlineCount"`
	MemberCount int `json:"MemberCount"`
	// Popularity has no documented formula; livehook reports the room's entries (ViewCount).
	Popularity             int    `json:"Popularity"`
	IsUnlimitedRoomEnabled bool   `json:"IsUnlimitedRoomEnabled"`
	SeatTemplate           string `json:"SeatTemplate,omitempty"`
	KeepOwnerOnSeat        bool   `json:"KeepOwnerOnSeat"`
	// IsGiftEnabled and IsLikeEnabled are always on: the mock has no switch for them.
	IsGiftEnabled bool `json:"IsGiftEnabled"`
	IsLikeEnabled bool `json:"IsLikeEnabled"`
	// OwnerName and OwnerAvatarUrl are the owner's profile (account_import, portrait_set), when set.
	OwnerName      string `json:"OwnerName,omitempty"`
	OwnerAvatarUrl string `json:"OwnerAvatarUrl,omitempty"`
}

// viewOf is the console's view of a room; the caller holds the app's lock.
func viewOf(a *app, r *liveRoom) consoleView {
	v := consoleView{OnlineCount: r.Online(), MemberCount: r.Online(), Popularity: r.ViewCount(),
		IsUnlimitedRoomEnabled: r.IsUnlimitedRoomEnabled, SeatTemplate: r.SeatTemplate, KeepOwnerOnSeat: r.KeepOwnerOnSeat,
		IsGiftEnabled: true, IsLikeEnabled: true}
	if a != nil {
		acc := a.profiles.accounts[r.Info.OwnerAccount.ID]
		var s string
		if json.Unmarshal(acc["Tag_Profile_IM_Nick"], &s) == nil {
			v.OwnerName = s
		}
		s = ""
		if json.Unmarshal(acc["Tag_Profile_IM_Image"], &s) == nil {
			v.OwnerAvatarUrl = s
		}
	}
	return v
}
