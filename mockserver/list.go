package mockserver

import (
	"cmp"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"github.com/livehook/livehook/webhook"
)

// MaxListCount is the most rooms one get_room_list page holds, and its default.
const MaxListCount = 20

// listedRoom is a room as get_room_list answers.
type listedRoom struct {
	RoomName       string          `json:"RoomName"`
	RoomId         string          `json:"RoomId"`
	OwnerAccount   webhook.Account `json:"Owner_Account"`
	CoverURL       string          `json:"CoverURL"`
	Category       []int           `json:"Category"`
	CreateTime     int64           `json:"CreateTime"`
	ActivityStatus int             `json:"ActivityStatus"`
	ViewCount      int             `json:"ViewCount"`
	consoleView
}

// listKey is a room's place in the list: by ViewCount, then by RoomId, so that the order is total.
type listKey struct {
	views int
	id    string
}

// cursor encodes a key as Next: the view count, a dash, and the RoomId in URL-safe base64.
func (k listKey) cursor() string {
	return strconv.Itoa(k.views) + "-" + base64.RawURLEncoding.EncodeToString([]byte(k.id))
}

func parseCursor(next string) (listKey, bool) {
	v, id, ok := strings.Cut(next, "-")
	n, err := strconv.Atoi(v)
	b, err2 := base64.RawURLEncoding.DecodeString(id)
	return listKey{n, string(b)}, ok && err == nil && err2 == nil && n >= 0
}

// getRoomList pages through the public rooms, most viewed first (SortDirection "ascend" turns it
// round). Next is the place of the page's last room, not an offset, so a room created or
// destroyed between pages neither repeats a room nor skips one; "" and "0" (what the vendor's
// console sends) start at the top.
func (s *Server) getRoomList(c call, body []byte) (any, *apiError) {
	var req struct {
		Next          *string `json:"Next"`
		Count         *int    `json:"Count"`
		SortDirection *string `json:"SortDirection"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	count := MaxListCount
	if req.Count != nil {
		count = *req.Count
	}
	if count < 1 || count > MaxListCount {
		return nil, fail(CodeBadParameter, "Count is %d, want 1 to %d", count, MaxListCount)
	}
	desc := true
	if req.SortDirection != nil {
		switch *req.SortDirection {
		case "descend", "":
		case "ascend":
			desc = false
		default:
			return nil, fail(CodeBadParameter, "SortDirection is %q, want descend or ascend", *req.SortDirection)
		}
	}
	var after *listKey
	if req.Next != nil && *req.Next != "" && *req.Next != "0" {
		k, ok := parseCursor(*req.Next)
		if !ok {
			return nil, fail(CodeBadParameter, "Next is %q, not a cursor this backend gave: start with \"\" and pass on each answer's Next", *req.Next)
		}
		after = &k
	}
	order := func(a, b listKey) int {
		if c := cmp.Compare(a.views, b.views); c != 0 {
			if desc {
				return -c
			}
			return c
		}
		return strings.Compare(a.id, b.id)
	}

	a := c.app
	a.mu.Lock()
	rooms := make([]listedRoom, 0, len(a.rooms))
	for _, r := range a.rooms {
		k := listKey{r.ViewCount(), r.Info.RoomId}
		if !r.Info.IsPublicVisible || (after != nil && order(k, *after) <= 0) {
			continue
		}
		rooms = append(rooms, listedRoom{RoomName: r.Info.RoomName, RoomId: r.Info.RoomId, OwnerAccount: r.Info.OwnerAccount,
			CoverURL: r.Info.CoverURL, Category: append([]int{}, r.Info.Category...), CreateTime: r.Info.CreateTime,
			ActivityStatus: r.ActivityStatus, ViewCount: k.views, consoleView: viewOf(a, r)})
	}
	a.mu.Unlock()
	slices.SortFunc(rooms, func(x, y listedRoom) int {
		return order(listKey{x.ViewCount, x.RoomId}, listKey{y.ViewCount, y.RoomId})
	})
	out := struct {
		Next     string       `json:"Next"`
		RoomList []listedRoom `json:"RoomList"`
	}{RoomList: rooms}
	if len(rooms) > count {
		out.RoomList = rooms[:count]
		last := out.RoomList[count-1]
		out.Next = listKey{last.ViewCount, last.RoomId}.cursor()
	}
	return out, nil
}
