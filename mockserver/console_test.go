package mockserver_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	tls "github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/usersig"
	"github.com/livehook/livehook/webhook"
)

const (
	list      = mockserver.EnginePrefix + "get_room_list"
	update    = mockserver.EnginePrefix + "update_room_info"
	stats     = mockserver.EnginePrefix + "get_room_stats"
	statistic = mockserver.EnginePrefix + "get_room_statistic"
	owner     = mockserver.EnginePrefix + "change_room_owner"
	setMeta   = mockserver.EnginePrefix + "set_room_metadata"
	getMeta   = mockserver.EnginePrefix + "get_room_metadata"
	delMeta   = mockserver.EnginePrefix + "del_room_metadata"
	setCB     = mockserver.ConfigPrefix + "set_callback"
	updateCB  = mockserver.ConfigPrefix + "update_callback"
	getCB     = mockserver.ConfigPrefix + "get_callback"
	setToken  = mockserver.ConfigPrefix + "set_callback_token"
)

// ok makes a call that must succeed and returns its Response.
func ok(t *testing.T, s *mockserver.Server, api, body string) map[string]any {
	t.Helper()
	status, env, resp := call(t, s, nil, api, body)
	if status != 200 || env.ErrorCode != 0 || env.ActionStatus != "OK" {
		t.Fatalf("%s %s: HTTP %d, %d %s", api, body, status, env.ErrorCode, env.ErrorInfo)
	}
	return resp
}

// failsWith makes a call that must fail with code.
func failsWith(t *testing.T, s *mockserver.Server, api, body string, code int, info string) {
	t.Helper()
	_, env, _ := call(t, s, nil, api, body)
	g := NewWithT(t)
	g.Expect(env.ErrorCode).To(Equal(code), "%s %s: %s", api, body, env.ErrorInfo)
	g.Expect(env.ActionStatus).To(Equal("FAIL"))
	g.Expect(env.ErrorInfo).To(ContainSubstring(info))
}

// listAll pages through get_room_list as the vendor's console does (Next "0" first, then each
// answer's Next) and returns the RoomIds in order; between pages it runs between(page).
func listAll(t *testing.T, s *mockserver.Server, count int, between func(page int)) []string {
	t.Helper()
	var ids []string
	next := "0"
	for page := 0; page < 100; page++ {
		resp := ok(t, s, list, fmt.Sprintf(`{"Next":%q,"Count":%d,"SortDirection":"descend"}`, next, count))
		rooms := resp["RoomList"].([]any)
		if len(rooms) > count {
			t.Fatalf("page of %d rooms, asked for %d", len(rooms), count)
		}
		for _, r := range rooms {
			ids = append(ids, r.(map[string]any)["RoomId"].(string))
		}
		next = resp["Next"].(string)
		if next == "" {
			return ids
		}
		if between != nil {
			between(page)
		}
	}
	t.Fatal("get_room_list never ended")
	return nil
}

// The vendor's console: list rooms page by page while rooms are created and destroyed, read
// info, metadata and statistic, edit, change the owner, set admins, destroy. Every answer and
// every webhook is checked, the webhooks by the reference receiver too.
func TestConsoleSession(t *testing.T) {
	g := NewWithT(t)
	rv, cb := app(t, "tok-console")
	s := newMock(t, mockserver.Config{})
	// The app's start-up: a callback for every Live webhook, including one livehook cannot fire.
	ok(t, s, setCB, fmt.Sprintf(`{"Url":%q,"CallbackCommandList":["Live.CallbackAfterCreateRoom","Live.CallbackAfterDestroyRoom",
		"Live.CallbackAfterMemberStateChanged","Live.CallbackAfterUpdateRoomInfo","Live.CallbackAfterChangeOwner",
		"Live.CallbackAfterSetMetadata","Live.CallbackAfterDelMetadata","Live.CallbackAfterModifyAdmin"]}`, cb))
	ok(t, s, setToken, `{"Token":"tok-console","IsTokenEnable":true}`)

	for i := range 25 {
		ok(t, s, create, fmt.Sprintf(`{"RoomInfo":{"RoomId":"room-%02d","RoomType":"Live","Owner_Account":"host_%d","SeatTemplate":"VideoDynamicGrid9Seats","IsUnlimitedRoomEnabled":true}}`, i, i))
	}
	ok(t, s, create, `{"RoomInfo":{"RoomId":"hidden","RoomType":"Live","IsPublicVisible":false}}`)

	// Page through while rooms come and go: rooms that were there from the first page to the
	// last are each listed exactly once; a room destroyed before its page is not listed.
	seen := listAll(t, s, 7, func(page int) {
		switch page {
		case 0:
			ok(t, s, create, `{"RoomInfo":{"RoomId":"room-00a","RoomType":"Live"}}`) // sorts before the page's end
			ok(t, s, destroy, `{"RoomId":"room-20"}`)
		case 1:
			ok(t, s, create, `{"RoomInfo":{"RoomId":"room-99","RoomType":"Live"}}`) // sorts after
		}
	})
	g.Expect(seen).NotTo(ContainElement("hidden"), "IsPublicVisible false keeps a room out of the list")
	g.Expect(seen).NotTo(ContainElement("room-20"))
	g.Expect(seen).NotTo(ContainElement("room-00a"), "created behind the cursor")
	g.Expect(seen).To(ContainElement("room-99"))
	for i := range 25 {
		if i != 20 {
			g.Expect(seen).To(ContainElement(fmt.Sprintf("room-%02d", i)))
		}
	}
	g.Expect(slices.Compact(slices.Clone(seen))).To(HaveLen(len(seen)), "no room twice: %v", seen)
	g.Expect(slices.IsSorted(seen)).To(BeTrue(), "equal view counts sort by RoomId: %v", seen)

	// The detail view: info, metadata, statistic (under both names).
	ri := ok(t, s, info, `{"RoomId":"room-03"}`)["RoomInfo"].(map[string]any)
	g.Expect(ri).To(HaveKeyWithValue("Owner_Account", "host_3"))
	g.Expect(ri).To(HaveKeyWithValue("TakeSeatMode", "FreeToTake"))
	g.Expect(ri).To(HaveKeyWithValue("IsPublicVisible", true))
	g.Expect(ri).To(HaveKeyWithValue("MaxMemberCount", BeNumerically("==", mockserver.DefaultMaxMembers)))
	g.Expect(ri).To(HaveKeyWithValue("ViewCount", BeNumerically("==", 0)))
	g.Expect(ri).To(HaveKeyWithValue("ActivityStatus", BeNumerically("==", 0)))
	g.Expect(ri).To(HaveKeyWithValue("IsUnlimitedRoomEnabled", true))
	g.Expect(ok(t, s, getMeta, `{"RoomId":"room-03","Keys":[]}`)["Metadata"]).To(BeEmpty())
	for _, api := range []string{stats, statistic} {
		g.Expect(ok(t, s, api, `{"RoomId":"room-03"}`)).To(Equal(map[string]any{"TotalViewers": 0.0, "TotalGiftsSent": 0.0,
			"TotalGiftCoins": 0.0, "TotalUniqueGiftSenders": 0.0, "TotalLikesReceived": 0.0, "TotalMsgCount": 0.0}))
	}

	// The edit dialog: update, metadata, mute-all; then owner, admins, destroy.
	ok(t, s, update, `{"RoomInfo":{"RoomId":"room-03","RoomName":"Late show","CoverURL":"https://x/c.png","IsMessageDisabled":false,"IsUnlimitedRoomEnabled":true}}`)
	ok(t, s, setMeta, `{"RoomId":"room-03","Metadata":[{"Key":"topic","Value":"jazz"},{"Key":"lang","Value":"en"}]}`)
	ok(t, s, delMeta, `{"RoomId":"room-03","Keys":["lang","nope"]}`)
	ok(t, s, update, `{"RoomInfo":{"RoomId":"room-03","IsMessageDisabled":true,"IsUnlimitedRoomEnabled":true}}`)
	g.Expect(ok(t, s, getMeta, `{"RoomId":"room-03","Keys":[]}`)["Metadata"]).To(Equal([]any{map[string]any{"Key": "topic", "Value": "jazz"}}))
	ri = ok(t, s, info, `{"RoomId":"room-03"}`)["RoomInfo"].(map[string]any)
	g.Expect(ri).To(HaveKeyWithValue("RoomName", "Late show"))
	g.Expect(ri).To(HaveKeyWithValue("IsMessageDisabled", true))
	ok(t, s, owner, `{"RoomId":"room-03","NewOwner_Account":"host_new"}`)
	ok(t, s, owner, `{"RoomId":"room-03","NewOwner_Account":"host_new"}`) // no change, no webhook
	ok(t, s, modify, `{"RoomId":"room-03","Admin_Account":["mod_1"],"OpType":"add"}`)
	g.Expect(ok(t, s, admins, `{"RoomId":"room-03"}`)["Admin_Account"]).To(Equal([]any{"mod_1"}))
	g.Expect(ok(t, s, info, `{"RoomId":"room-03"}`)["RoomInfo"]).To(HaveKeyWithValue("Owner_Account", "host_new"))
	st := ok(t, s, destroy, `{"RoomId":"room-03"}`)["Statistic"]
	g.Expect(st).To(HaveKeyWithValue("TotalViewers", 0.0))
	failsWith(t, s, info, `{"RoomId":"room-03"}`, mockserver.CodeNoRoom, `room "room-03" does not exist`)

	// The webhooks of room-03, in order, signed, each valid for the reference receiver.
	want := []webhook.Command{webhook.CommandCreateRoom, webhook.CommandUpdateRoomInfo, webhook.CommandSetMetadata,
		webhook.CommandDelMetadata, webhook.CommandUpdateRoomInfo, webhook.CommandChangeOwner, webhook.CommandModifyAdmin,
		webhook.CommandDestroyRoom}
	total, _ := s.Deliveries()
	all, err := s.Await(t.Context(), int(total.Fired))
	g.Expect(err).NotTo(HaveOccurred())
	var got []webhook.Event
	for _, d := range all {
		g.Expect(d.Acknowledged).To(BeTrue(), "%+v", d)
		g.Expect(d.URL).To(ContainSubstring("&Sign="))
		if d.RoomId == "room-03" {
			ev, err := webhook.Decode(d.Body)
			g.Expect(err).NotTo(HaveOccurred())
			got = append(got, ev)
		}
	}
	var cmds []webhook.Command
	for _, ev := range got {
		cmds = append(cmds, ev.Command())
	}
	g.Expect(cmds).To(Equal(want))
	g.Expect(got[1].(*webhook.UpdateRoomInfo).RoomInfo).To(Equal(webhook.UpdatedRoomInfo{RoomId: "room-03", RoomName: "Late show",
		MaxMemberCount: mockserver.DefaultMaxMembers, CoverURL: "https://x/c.png", Category: []int{}, IsPublicVisible: true,
		TakeSeatMode: webhook.TakeSeatModeFreeToTake}))
	g.Expect(got[1].(*webhook.UpdateRoomInfo).OperatorAccount).To(Equal(admin))
	g.Expect(got[2].(*webhook.SetMetadata).Metadata).To(Equal([]webhook.MetadataItem{{Key: "topic", Value: "jazz"}, {Key: "lang", Value: "en"}}))
	g.Expect(got[3].(*webhook.DelMetadata).Keys).To(Equal([]string{"lang"}))
	g.Expect(got[5]).To(Equal(&webhook.ChangeOwner{CallbackCommand: webhook.CommandChangeOwner, RoomId: "room-03", EventTime: got[5].Time(), OperatorAccount: admin,
		CurrentOwnerAccount: "host_new", OriginalOwnerAccount: "host_3"}))
	d := got[7].(*webhook.DestroyRoom)
	g.Expect(d.RoomInfo.OwnerAccount.ID).To(Equal("host_new"))
	g.Expect(d.RoomInfo.RoomName).To(Equal("Late show"))
	g.Expect(d.RoomInfo.IsUnlimitedRoomEnabled).To(BeTrue())
	g.Expect(*d.Statistic).To(Equal(webhook.Statistic{}))
	for _, rd := range rv.Deliveries() {
		g.Expect(rd.Accepted).To(BeTrue(), "%+v", rd)
	}
	g.Expect(rv.Deliveries()).To(HaveLen(int(total.Fired)))
}

func TestCallbackConfiguration(t *testing.T) {
	g := NewWithT(t)
	_, cb := app(t, "")
	s := newMock(t, mockserver.Config{})
	failsWith(t, s, getCB, `{}`, mockserver.CodeNoCallback, "create it with set_callback")
	failsWith(t, s, updateCB, fmt.Sprintf(`{"Url":%q,"CallbackCommandList":[]}`, cb), mockserver.CodeNoCallback, "set_callback")
	failsWith(t, s, setCB, fmt.Sprintf(`{"Url":%q}`, cb), mockserver.CodeBadParameter, "CallbackCommandList is missing")
	failsWith(t, s, setCB, fmt.Sprintf(`{"Url":%q,"CallbackCommandList":["Live.CallbackAfterCreateRoom","Live.CallbackAfterEverything"]}`, cb),
		mockserver.CodeBadParameter, `CallbackCommandList[1] is "Live.CallbackAfterEverything"`)
	failsWith(t, s, setCB, fmt.Sprintf(`{"url":%q,"CallbackCommandList":[]}`, cb), mockserver.CodeBadParameter, "write Url")
	ok(t, s, setCB, fmt.Sprintf(`{"Url":%q,"CallbackCommandList":["Live.CallbackAfterMemberStateChanged","Live.CallbackAfterCreateRoom"]}`, cb))
	failsWith(t, s, setCB, fmt.Sprintf(`{"Url":%q,"CallbackCommandList":[]}`, cb), mockserver.CodeCallbackExists, "update_callback")
	g.Expect(ok(t, s, getCB, `{}`)).To(Equal(map[string]any{"Url": cb,
		"CallbackCommandList": []any{"Live.CallbackAfterCreateRoom", "Live.CallbackAfterMemberStateChanged"}}))
	ok(t, s, updateCB, fmt.Sprintf(`{"Url":%q,"CallbackCommandList":["Live.CallbackAfterDestroyRoom"]}`, cb+"?v=2"))
	g.Expect(ok(t, s, getCB, `{}`)).To(HaveKeyWithValue("Url", cb+"?v=2"))

	// The token: the first call gives both fields, later ones only what changes.
	failsWith(t, s, setToken, `{"IsTokenEnable":true}`, mockserver.CodeBadParameter, "both Token and IsTokenEnable")
	failsWith(t, s, setToken, `{"Token":"","IsTokenEnable":true}`, mockserver.CodeBadParameter, "want 1 to 128")
	ok(t, s, setToken, `{"Token":"first","IsTokenEnable":false}`)
	ok(t, s, setToken, `{"IsTokenEnable":true}`)
	failsWith(t, s, setToken, `{}`, mockserver.CodeBadParameter, "give Token, IsTokenEnable or both")
	ok(t, s, create, createBody("signed"))
	ok(t, s, destroy, `{"RoomId":"signed"}`)
	ds, err := s.Await(t.Context(), 1)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ds).To(HaveLen(1), "only DestroyRoom is configured now")
	u, _ := url.Parse(ds[0].URL)
	g.Expect(u.Query().Get("v")).To(Equal("2"))
	rt := u.Query().Get("RequestTime")
	var n int64
	fmt.Sscan(rt, &n)
	g.Expect(u.Query().Get("Sign")).To(Equal(webhook.Sign("first", n)), "signed with the token set first, enabled later")
}

// Several apps on one backend, each with its own key, rooms and callback.
func TestSeveralApps(t *testing.T) {
	g := NewWithT(t)
	const other = 1400000002
	s := newMock(t, mockserver.Config{Apps: []mockserver.App{{SDKAppID: other, SecretKey: "other-key"}}})
	otherSig, err := usersig.Gen("other-key", other, admin, time.Hour, time.Now())
	g.Expect(err).NotTo(HaveOccurred())
	q := url.Values{"sdkappid": {fmt.Sprint(other)}, "identifier": {admin}, "usersig": {otherSig}, "random": {"3"}, "contenttype": {"json"}}
	_, env, _ := call(t, s, q, create, createBody("shared-id"))
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	ok(t, s, create, createBody("shared-id")) // the same RoomId in the first app: another room
	failsWith(t, s, destroy, `{"RoomId":"nope"}`, mockserver.CodeNoRoom, "nope")
	_, env, _ = call(t, s, q, destroy, `{"RoomId":"shared-id"}`)
	g.Expect(env.ErrorCode).To(BeZero())
	ok(t, s, info, `{"RoomId":"shared-id"}`)
	// The first app's UserSig does not open the other app.
	q.Set("usersig", sig(t, admin))
	_, env, _ = call(t, s, q, info, `{"RoomId":"shared-id"}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeSDKAppIDDiffer))

	_, err = mockserver.NewServer(mockserver.Config{SDKAppID: appID, Apps: []mockserver.App{{SDKAppID: appID, SecretKey: "x"}}})
	g.Expect(err).To(MatchError(ContainSubstring("served twice")))
	_, err = mockserver.NewServer(mockserver.Config{SDKAppID: appID, Apps: []mockserver.App{{SDKAppID: 5}}})
	g.Expect(err).To(MatchError(ContainSubstring("secret key is empty")))
}

// The vendor's per-API rates: get_room_list takes 10 calls a second, get_room_info 200.
func TestVendorRateLimits(t *testing.T) {
	g := NewWithT(t)
	now := time.Now()
	var mu sync.Mutex
	s := newMock(t, mockserver.Config{VendorRateLimits: true, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	for i := range 11 {
		_, env, _ := call(t, s, nil, list, `{"Next":"","Count":20}`)
		if i < 10 {
			g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
		} else {
			g.Expect(env.ErrorCode).To(Equal(mockserver.CodeRateLimited))
			g.Expect(env.ErrorInfo).To(ContainSubstring("more than 10 calls to get_room_list"))
		}
	}
	for range 20 {
		_, env, _ := call(t, s, nil, info, `{"RoomId":"x"}`)
		g.Expect(env.ErrorCode).To(Equal(mockserver.CodeNoRoom))
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	_, env, _ := call(t, s, nil, list, `{"Next":"","Count":20}`)
	g.Expect(env.ErrorCode).To(BeZero(), "a new second, a new window")
}

// With activity on, the room APIs show live figures, get_room_list sorts by them, and the destroy
// webhook's Statistic is what the room reached, never less than what the APIs showed before.
func TestActivity(t *testing.T) {
	g := NewWithT(t)
	_, cb := app(t, "")
	s := newMock(t, mockserver.Config{CallbackURL: cb, ActivityRate: 2000, ActivityTick: 5 * time.Millisecond, MaxMembers: 50, Seed: 3})
	for _, id := range []string{"a", "b", "c"} {
		ok(t, s, create, fmt.Sprintf(`{"RoomInfo":{"RoomId":%q,"RoomType":"Live"}}`, id))
	}
	var shown map[string]any
	g.Eventually(func() float64 {
		shown = ok(t, s, stats, `{"RoomId":"a"}`)
		return shown["TotalGiftsSent"].(float64)
	}).WithTimeout(20 * time.Second).Should(BeNumerically(">", 0))
	g.Expect(shown["TotalViewers"]).To(BeNumerically(">", 0))
	g.Expect(shown["TotalLikesReceived"]).To(BeNumerically(">", 0))
	g.Expect(shown["TotalMsgCount"]).To(BeNumerically(">", 0))

	resp := ok(t, s, list, `{"Next":"0","Count":20}`)
	var views []float64
	for _, r := range resp["RoomList"].([]any) {
		views = append(views, r.(map[string]any)["ViewCount"].(float64))
	}
	g.Expect(views).To(HaveLen(3))
	g.Expect(slices.IsSortedFunc(views, func(a, b float64) int { return int(b - a) })).To(BeTrue(), "most viewed first: %v", views)

	answer := ok(t, s, destroy, `{"RoomId":"a"}`)["Statistic"].(map[string]any)
	ds, err := s.Await(t.Context(), 4)
	g.Expect(err).NotTo(HaveOccurred())
	var ev webhook.DestroyRoom
	for _, d := range ds {
		if d.Command == string(webhook.CommandDestroyRoom) {
			g.Expect(json.Unmarshal(d.Body, &ev)).To(Succeed())
		}
	}
	g.Expect(ev.Statistic).NotTo(BeNil())
	g.Expect(float64(ev.Statistic.TotalViewers)).To(Equal(answer["TotalViewers"]))
	g.Expect(float64(ev.Statistic.TotalGiftCoins)).To(Equal(answer["TotalGiftCoins"]))
	g.Expect(float64(ev.Statistic.TotalViewers)).To(BeNumerically(">=", shown["TotalViewers"]))
	g.Expect(float64(ev.RoomInfo.ViewCount)).To(Equal(answer["TotalViewers"]))
}

// Unusual but valid requests: fields of newer clients are ignored, Next "" and "0" both start,
// an empty Keys reads all metadata, and a list shorter than a page has no Next.
func TestUnusualButValid(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{})
	ok(t, s, create, `{"RoomInfo":{"RoomId":"r","RoomType":"Live","KeepOwnerOnSeat":false,"SeatTemplate":"Karaoke","Future":{"x":[1,{"y":2}]}}}`)
	for _, next := range []string{`""`, `"0"`} {
		resp := ok(t, s, list, `{"Next":`+next+`,"Count":20}`)
		g.Expect(resp["Next"]).To(Equal(""))
		g.Expect(resp["RoomList"]).To(HaveLen(1))
	}
	g.Expect(ok(t, s, list, `{}`)["RoomList"]).To(HaveLen(1), "Count defaults to 20")
	g.Expect(ok(t, s, list, `{"SortDirection":"ascend"}`)["RoomList"]).To(HaveLen(1))
	ok(t, s, setMeta, `{"RoomId":"r","Metadata":[{"Key":"k","Value":""}]}`)
	g.Expect(ok(t, s, getMeta, `{"RoomId":"r"}`)["Metadata"]).To(HaveLen(1))
	failsWith(t, s, list, `{"SortDirection":"sideways"}`, mockserver.CodeBadParameter, "descend or ascend")
	failsWith(t, s, update, `{"RoomInfo":{"RoomId":"r","Owner_Account":"x"}}`, mockserver.CodeBadParameter, "change_room_owner")
	failsWith(t, s, update, `{"RoomInfo":{"RoomId":"nope"}}`, mockserver.CodeNoRoom, "nope")
	failsWith(t, s, update, `{"RoomInfo":{"RoomName":"x"}}`, mockserver.CodeBadParameter, "RoomInfo.RoomId is missing")
	failsWith(t, s, update, `{"RoomInfo":{"RoomId":"r","MaxMemberCount":0}}`, mockserver.CodeBadParameter, "MaxMemberCount is 0")
	failsWith(t, s, owner, `{"RoomId":"r"}`, mockserver.CodeBadParameter, "NewOwner_Account is missing")
	failsWith(t, s, delMeta, `{"RoomId":"r","Keys":[]}`, mockserver.CodeBadParameter, "Keys is missing or empty")
	failsWith(t, s, setMeta, `{"RoomId":"r","Metadata":[{"key":"k","Value":"v"}]}`, mockserver.CodeBadParameter, "Metadata[0].key is not a field")
}

// The mock takes UserSigs made by the official TLSSigAPIv2 library, and refuses them once they
// expire by the official boundary.
func TestOfficialUserSigOverHTTP(t *testing.T) {
	g := NewWithT(t)
	var mu sync.Mutex
	now := time.Now()
	s := newMock(t, mockserver.Config{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	official, err := tls.GenUserSig(appID, key, admin, 60)
	g.Expect(err).NotTo(HaveOccurred())
	q := plainQuery()
	q.Set("usersig", official)
	_, env, _ := call(t, s, q, info, `{"RoomId":"x"}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeNoRoom), env.ErrorInfo)
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	_, env, _ = call(t, s, q, info, `{"RoomId":"x"}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeUserSigExpired), env.ErrorInfo)
}

// Webhooks go to loopback only unless the host is allowed: a REST caller cannot make the mock
// reach metadata addresses or other hosts' ports, and so cannot probe them through
// /mock/deliveries.
func TestCallbackHostsBeyondLoopbackAreRefusedUnlessAllowed(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{})
	for _, u := range []string{"http://169.254.169.254/latest/meta-data", "http://10.0.0.1:22/", "https://app.example.com/hook", "http://[fd00::1]:8080/", "http://127.0.0.1.nip.io/"} {
		failsWith(t, s, setCB, fmt.Sprintf(`{"Url":%q,"CallbackCommandList":[]}`, u), mockserver.CodeBadParameter, "is not loopback, and the mock backend sends webhooks beyond loopback only to hosts it is told of (livehook serve --allow-callback-host ")
	}
	for _, u := range []string{"http://127.0.0.1:1/x", "http://localhost:1/x", "http://[::1]:1/x", "http://127.9.9.9:1/x"} {
		ok(t, s, setCB, fmt.Sprintf(`{"Url":%q,"CallbackCommandList":[]}`, u))
		ok(t, s, updateCB, fmt.Sprintf(`{"Url":%q,"CallbackCommandList":[]}`, u))
		s.SetCallback("")
	}
	ok(t, s, setCB, `{"Url":"http://127.0.0.1:1/x","CallbackCommandList":[]}`)
	failsWith(t, s, updateCB, `{"Url":"http://169.254.169.254/","CallbackCommandList":[]}`, mockserver.CodeBadParameter, "is not loopback")
	st, ds := s.Deliveries()
	g.Expect(st.Fired).To(BeZero())
	g.Expect(ds).To(BeEmpty())

	allowed := newMock(t, mockserver.Config{CallbackHosts: []string{"app.internal"}})
	ok(t, allowed, setCB, `{"Url":"http://APP.internal:8000/hook","CallbackCommandList":[]}`)
	failsWith(t, allowed, updateCB, `{"Url":"http://other.internal/hook","CallbackCommandList":[]}`, mockserver.CodeBadParameter, "--allow-callback-host other.internal")
	anyHost := newMock(t, mockserver.Config{CallbackHosts: []string{mockserver.AnyCallbackHost}})
	ok(t, anyHost, setCB, `{"Url":"http://other.internal/hook","CallbackCommandList":[]}`)

	_, err := mockserver.NewServer(mockserver.Config{SDKAppID: 1400000001, CallbackURL: "http://169.254.169.254/"})
	g.Expect(err).To(MatchError(ContainSubstring(`mockserver: callback URL "http://169.254.169.254/": host 169.254.169.254 is not loopback`)))
}
