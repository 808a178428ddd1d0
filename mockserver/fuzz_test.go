package mockserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/livehook/livehook/mockserver"
)

func FuzzREST(f *testing.F) {
	const q = "sdkappid=1400000001&identifier=admin&random=1&contenttype=json"
	f.Add("create_room", q, []byte(`{"RoomInfo":{"RoomId":"r","RoomType":"Live"}}`))
	f.Add("modify_admin", q, []byte(`{"RoomId":"r","Admin_Account":["a"],"OpType":"add"}`))
	f.Add("destroy_room", q+"&random=99", []byte(`{"RoomId":"r"}`))
	f.Add("update_room_info", q, []byte(`{"RoomInfo":{"RoomId":"r","RoomName":"n","Category":[1,2]}}`))
	f.Add("get_room_list", q, []byte(`{"Next":"0","Count":20,"SortDirection":"descend"}`))
	f.Add("set_room_metadata", q, []byte(`{"RoomId":"r","Metadata":[{"Key":"k","Value":"v"}]}`))
	f.Add("del_room_metadata", q, []byte(`{"RoomId":"r","Keys":["k"]}`))
	f.Add("change_room_owner", q, []byte(`{"RoomId":"r","NewOwner_Account":"u"}`))
	f.Add("get_room_stats", q, []byte(`{"roomid":"r","RoomId":"r"}`))
	f.Add("get_callback", q, []byte(`{}`))
	f.Add("set_callback_token", q, []byte(`{"Token":"t","IsTokenEnable":false}`))
	f.Add("get_room_info", "sdkappid=1&usersig=eJw", []byte(`{`))
	f.Add("ban_member", q, []byte(`{"RoomId":"r","MemberList_Account":["a"],"Duration":60,"Reason":"x"}`))
	f.Add("mute_member", q, []byte(`{"RoomId":"r","MemberList_Account":["a"],"MuteTime":0}`))
	f.Add("get_banned_member_list", q, []byte(`{"RoomId":"r","Next":"1","Count":1}`))
	f.Add("add_robot", q, []byte(`{"RoomId":"r","RobotList_Account":["b"]}`))
	f.Add("send_text_msg", q, []byte(`{"RoomId":"r","Sender_Account":"b","TextContent":"hi","ExtensionInfo":"{}"}`))
	f.Add("add_gift", q, []byte(`{"GiftId":"g","Coins":1,"DefaultName":"G","ExtensionInfo":"{}"}`))
	f.Add("send_gift", q, []byte(`{"RoomId":"r","GiftId":"g","Count":2,"From_Account":"a","ReceiverList_Account":["b"]}`))
	f.Add("set_gift_language", q, []byte(`{"GiftId":"g","Language":"en","Name":"n"}`))
	f.Add("add_gift_category_relations", q, []byte(`{"CategoryId":"c","GiftIdList":["g"]}`))
	f.Add("room_engine_http_mic/pick_user_on_seat", q, []byte(`{"RoomId":"r","Member_Account":"b","Index":0}`))
	f.Add("profile/portrait_get", q, []byte(`{"To_Account":["a"],"TagList":["Tag_Profile_IM_Nick"]}`))
	f.Add("group_open_http_svc/send_group_msg", q, []byte(`{"GroupId":"r","From_Account":"b","MsgBody":[{}]}`))
	s, err := mockserver.NewUnstartedServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true, ActivityRate: 1})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	h := s.Handler()
	f.Fuzz(func(t *testing.T, api, query string, body []byte) {
		if strings.HasSuffix(api, "set_callback") || strings.HasSuffix(api, "update_callback") {
			return // a fuzzed callback URL would send webhooks off this machine
		}
		path := mockserver.EnginePrefix + api
		if strings.Contains(api, "/") { // another service: room_engine_http_mic/..., profile/...
			path = "/v4/" + api
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.URL.Path = path
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var env mockserver.Envelope
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("answer is not the envelope: %q", rec.Body)
		}
		if env.ActionStatus == "FAIL" && (env.ErrorCode == 0 || env.ErrorInfo == "") {
			t.Fatalf("a FAIL without a code or a reason: %q", rec.Body)
		}
		if env.ActionStatus != "OK" && env.ActionStatus != "FAIL" {
			t.Fatalf("ActionStatus %q", env.ActionStatus)
		}
	})
}
