package mockserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
	s, err := mockserver.NewUnstartedServer(mockserver.Config{SDKAppID: appID, SkipUserSig: true, ActivityRate: 1})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	h := s.Handler()
	f.Fuzz(func(t *testing.T, api, query string, body []byte) {
		prefix := mockserver.EnginePrefix
		if api == "set_callback" || api == "update_callback" {
			return // a fuzzed callback URL would send webhooks off this machine
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.URL.Path = prefix + api
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
