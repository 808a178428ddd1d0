package mockserver

import (
	"encoding/json"
	"slices"

	"github.com/livehook/livehook/room"
)

// The Chat (IM) account and profile APIs the console calls: account_import to create a robot's
// account, portrait_get to show names and avatars (the monitor page polls it), portrait_set to
// mark an admin. They answer as Chat does, with their fields beside ActionStatus.

// MaxProfileAccounts is how many accounts one portrait_get asks for at most: Chat's limit, and
// the slice the console cuts its list to.
const MaxProfileAccounts = 100

// profileBook is an app's accounts and their profile tags (Tag_Profile_IM_Nick, _Image, ...).
type profileBook struct {
	accounts map[string]map[string]json.RawMessage
}

func (p *profileBook) account(id string) map[string]json.RawMessage {
	if p.accounts == nil {
		p.accounts = map[string]map[string]json.RawMessage{}
	}
	a := p.accounts[id]
	if a == nil {
		a = map[string]json.RawMessage{}
		p.accounts[id] = a
	}
	return a
}

// imStatus is a Chat answer with nothing beside the status.
type imStatus struct{}

func (imStatus) topLevel() {}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

func (s *Server) accountImport(c call, body []byte) (any, *apiError) {
	var req struct {
		UserID  *string `json:"UserID"`
		Nick    *string `json:"Nick"`
		FaceUrl *string `json:"FaceUrl"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.UserID == nil || room.ValidateUser("UserID", *req.UserID) != nil {
		return nil, fail(CodeBadParameter, "UserID is missing or not a user ID (1 to 32 bytes)")
	}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	acc := a.profiles.account(*req.UserID)
	if req.Nick != nil {
		acc["Tag_Profile_IM_Nick"] = jsonString(*req.Nick)
	}
	if req.FaceUrl != nil {
		acc["Tag_Profile_IM_Image"] = jsonString(*req.FaceUrl)
	}
	return imStatus{}, nil
}

type profileItem struct {
	Tag   string          `json:"Tag"`
	Value json.RawMessage `json:"Value"`
}

func (s *Server) portraitGet(c call, body []byte) (any, *apiError) {
	var req struct {
		ToAccount []string `json:"To_Account"`
		TagList   []string `json:"TagList"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	switch {
	case len(req.ToAccount) == 0:
		return nil, fail(CodeBadParameter, "To_Account is missing or empty: the accounts whose profiles to get")
	case len(req.ToAccount) > MaxProfileAccounts:
		return nil, fail(CodeBadParameter, "To_Account has %d accounts, at most %d are allowed", len(req.ToAccount), MaxProfileAccounts)
	case len(req.TagList) == 0:
		return nil, fail(CodeBadParameter, "TagList is missing or empty: the profile tags to get, e.g. Tag_Profile_IM_Nick")
	}
	type entry struct {
		ToAccount   string        `json:"To_Account"`
		ProfileItem []profileItem `json:"ProfileItem"`
		ResultCode  int           `json:"ResultCode"`
		ResultInfo  string        `json:"ResultInfo"`
	}
	out := struct {
		imStatus
		UserProfileItem []entry `json:"UserProfileItem"`
	}{UserProfileItem: []entry{}}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range req.ToAccount {
		e := entry{ToAccount: id, ProfileItem: []profileItem{}}
		acc := a.profiles.accounts[id] // an account never imported has no tags set: empty values
		for _, tag := range req.TagList {
			v, ok := acc[tag]
			if !ok {
				v = jsonString("")
			}
			e.ProfileItem = append(e.ProfileItem, profileItem{tag, v})
		}
		out.UserProfileItem = append(out.UserProfileItem, e)
	}
	return out, nil
}

func (s *Server) portraitSet(c call, body []byte) (any, *apiError) {
	var req struct {
		FromAccount *string       `json:"From_Account"`
		ProfileItem []profileItem `json:"ProfileItem"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	switch {
	case req.FromAccount == nil || room.ValidateUser("From_Account", *req.FromAccount) != nil:
		return nil, fail(CodeBadParameter, "From_Account is missing or not a user ID: the account whose profile to set")
	case len(req.ProfileItem) == 0:
		return nil, fail(CodeBadParameter, "ProfileItem is missing or empty: the tags to set, [{\"Tag\":...,\"Value\":...}]")
	}
	for i, it := range req.ProfileItem {
		if it.Tag == "" || len(it.Value) == 0 {
			return nil, fail(CodeBadParameter, "ProfileItem[%d] needs a Tag and a Value", i)
		}
	}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	acc := a.profiles.account(*req.FromAccount)
	for _, it := range req.ProfileItem {
		acc[it.Tag] = slices.Clone(it.Value)
	}
	return imStatus{}, nil
}

// resumeMcuTask is resume_mcu_task, which the console calls to restart a room's stream mixing:
// the mock mixes no streams, so it checks the room and answers OK.
func (s *Server) resumeMcuTask(c call, body []byte) (any, *apiError) {
	var req roomRequest
	return s.withRoom(c, body, &req, &req.RoomId, func(r *liveRoom) (any, *apiError) { return nil, nil })
}

// getCallbackToken answers the app's callback token and whether signing is on, as
// set_callback_token set them; 100301 before any was set.
func (s *Server) getCallbackToken(c call, body []byte) (any, *apiError) {
	var req struct{}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.token.exists {
		return nil, fail(CodeNoCallback, "there is no callback token: set it with set_callback_token")
	}
	return struct {
		Token         string
		IsTokenEnable bool
	}{a.token.token, a.token.enabled}, nil
}

// getGiftCount is get_gift_count, which the console's gift page calls: no page documents it, so
// it answers the catalogue's sizes (GiftCount, CategoryCount, TotalCount) in Response.
func (s *Server) getGiftCount(c call, body []byte) (any, *apiError) {
	var req struct {
		Language *string `json:"Language"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	a := c.app
	a.mu.Lock()
	defer a.mu.Unlock()
	n := len(a.gifts.order)
	return struct {
		GiftCount, CategoryCount, TotalCount int
	}{n, len(a.gifts.corder), n}, nil
}
