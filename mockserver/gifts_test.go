package mockserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

const (
	sendGift = mockserver.EnginePrefix + "send_gift"
	addGift  = mockserver.EnginePrefix + "add_gift"
)

// giftApp is an app backend that decides each gift by its GiftId: "rose" is refused with
// ErrorCode 1, "vip" with the pass-through code 102150, "slow" is answered after the deadline
// (released when the test ends), "broken" gets HTTP 500; any other is acknowledged.
func giftApp(t *testing.T) string {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev struct{ GiftWater struct{ GiftId string } }
		_ = json.Unmarshal(b, &ev)
		switch ev.GiftWater.GiftId {
		case "rose":
			_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"not enough coins","ErrorCode":1}`)
		case "vip":
			_, _ = io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"vip only","ErrorCode":102150}`)
		case "slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "broken":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			_, _ = w.Write(webhook.Acknowledgement)
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close, which waits for the handlers
	return srv.URL
}

func addGifts(t *testing.T, s *mockserver.Server, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, env, _ := call(t, s, nil, addGift, `{"GiftId":"`+id+`","Coins":10,"DefaultName":"`+id+`"}`); env.ErrorCode != 0 {
			t.Fatalf("add_gift %s: %d %s", id, env.ErrorCode, env.ErrorInfo)
		}
	}
}

// A REST-sent gift waits for Live.CallbackBeforeSendGift and obeys it: acknowledged, it is
// counted; refused (ErrorCode 1), answered too late or with HTTP 500 it fails with 102004, and
// with a code in [102100, 102200] that code reaches the caller; a blocked gift is not counted and
// is marked blocked in the delivery log.
func TestSendGiftObeysBeforeCallback(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{CallbackURL: giftApp(t), Timeout: 200 * time.Millisecond,
		Commands: []webhook.Command{webhook.CommandBeforeSendGift}})
	call(t, s, nil, create, createBody("live_1"))
	addGifts(t, s, "heart", "rose", "vip", "slow", "broken")

	for _, tc := range []struct {
		gift string
		code int
	}{{"heart", 0}, {"rose", mockserver.CodeGiftBlocked}, {"vip", 102150}, {"slow", mockserver.CodeGiftBlocked}, {"broken", mockserver.CodeGiftBlocked}, {"heart", 0}} {
		_, env, _ := call(t, s, nil, sendGift, `{"RoomId":"live_1","GiftId":"`+tc.gift+`","Count":2,"From_Account":"fan_1","ReceiverList_Account":["host_1"]}`)
		g.Expect(env.ErrorCode).To(Equal(tc.code), "%s: %s", tc.gift, env.ErrorInfo)
	}
	_, _, st := call(t, s, nil, stats, `{"RoomId":"live_1"}`)
	g.Expect(st).To(HaveKeyWithValue("TotalGiftsSent", BeNumerically("==", 4)), "two gifts of 2 let through")
	g.Expect(st).To(HaveKeyWithValue("TotalGiftCoins", BeNumerically("==", 40)))

	_, ds := s.Deliveries()
	g.Expect(ds).To(HaveLen(6))
	var blocked []bool
	for _, d := range ds {
		g.Expect(d.Before).To(BeTrue())
		g.Expect(d.Command).To(Equal(string(webhook.CommandBeforeSendGift)))
		g.Expect(d.Verdict).NotTo(BeEmpty())
		blocked = append(blocked, d.Blocked)
	}
	g.Expect(blocked).To(Equal([]bool{false, true, true, true, true, false}))
	g.Expect(ds[3].Verdict).To(ContainSubstring("no answer within the deadline"))
	var body webhook.BeforeSendGift
	g.Expect(json.Unmarshal(ds[0].Body, &body)).To(Succeed())
	g.Expect(body.GiftWater).To(Equal(webhook.GiftWater{FromAccount: "fan_1", ToAccount: []string{"host_1"}, Time: body.GiftWater.Time, GiftId: "heart", Count: 2, Coins: 10}))
}

// With Live.CallbackBeforeCallBackNotBlock in the list, a refusal or silence lets the gift go.
func TestSendGiftNotBlock(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{CallbackURL: giftApp(t), Timeout: 100 * time.Millisecond,
		Commands: []webhook.Command{webhook.CommandBeforeSendGift, webhook.CommandGiftNotBlock}})
	call(t, s, nil, create, createBody("live_1"))
	addGifts(t, s, "rose", "slow")
	for _, gift := range []string{"rose", "slow"} {
		_, env, _ := call(t, s, nil, sendGift, `{"RoomId":"live_1","GiftId":"`+gift+`","From_Account":"fan_1","ReceiverList_Account":["host_1"]}`)
		g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	}
	_, _, st := call(t, s, nil, stats, `{"RoomId":"live_1"}`)
	g.Expect(st).To(HaveKeyWithValue("TotalGiftsSent", BeNumerically("==", 2)))
	_, ds := s.Deliveries()
	for _, d := range ds {
		g.Expect(d.Blocked).To(BeFalse())
		g.Expect(d.Verdict).To(ContainSubstring("non-blocking"))
	}
}

// The reference receiver, a correct app, acknowledges the before-callback within the deadline,
// so the gift goes; without the command in the list no callback is sent and the gift goes too.
func TestSendGiftReferenceReceiverLetsGo(t *testing.T) {
	g := NewWithT(t)
	rv, cb := app(t, "")
	s := newMock(t, mockserver.Config{CallbackURL: cb, Commands: []webhook.Command{webhook.CommandBeforeSendGift}})
	call(t, s, nil, create, createBody("live_1"))
	addGifts(t, s, "heart")
	_, env, _ := call(t, s, nil, sendGift, `{"RoomId":"live_1","GiftId":"heart","From_Account":"fan_1","ReceiverList_Account":["host_1"]}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	g.Expect(rv.Deliveries()).To(HaveLen(1))
	g.Expect(rv.Deliveries()[0].Accepted).To(BeTrue(), "%+v", rv.Deliveries()[0])

	s.SetCallback(cb, webhook.CommandCreateRoom)
	_, env, _ = call(t, s, nil, sendGift, `{"RoomId":"live_1","GiftId":"heart","From_Account":"fan_1","ReceiverList_Account":["host_1"]}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	st, _ := s.Deliveries()
	g.Expect(st.Fired).To(BeNumerically("==", 1), "no callback for a command not listed")
}

// send_gift's and add_gift's refusals: each names the field and has the page's code.
func TestGiftErrors(t *testing.T) {
	s := newMock(t, mockserver.Config{})
	call(t, s, nil, create, createBody("live_1"))
	addGifts(t, s, "heart")
	for _, tc := range []struct {
		api, body, want string
		code            int
	}{
		{sendGift, `{"RoomId":"live_1","GiftId":"nope","From_Account":"a","ReceiverList_Account":["b"]}`, `"nope" does not exist`, mockserver.CodeNoGift},
		{sendGift, `{"RoomId":"live_9","GiftId":"heart","From_Account":"a","ReceiverList_Account":["b"]}`, "does not exist", mockserver.CodeNoRoom},
		{sendGift, `{"RoomId":"live_1","GiftId":"heart","ReceiverList_Account":["b"]}`, "From_Account", mockserver.CodeBadParameter},
		{sendGift, `{"RoomId":"live_1","GiftId":"heart","From_Account":"a"}`, "ReceiverList_Account", mockserver.CodeBadParameter},
		{sendGift, `{"RoomId":"live_1","GiftId":"heart","From_Account":"a","ReceiverList_Account":["b"],"Count":0}`, "Count is 0", mockserver.CodeBadParameter},
		{addGift, `{"GiftId":"heart","Coins":1,"DefaultName":"x"}`, "exists", mockserver.CodeBadParameter},
		{addGift, `{"GiftId":"abcdefghijklmnopqrstu","Coins":1,"DefaultName":"x"}`, "GiftId is 21 bytes", mockserver.CodeBadParameter},
		{addGift, `{"GiftId":"g2","DefaultName":"x"}`, "Coins is missing", mockserver.CodeBadParameter},
		{addGift, `{"GiftId":"g2","Coins":1}`, "DefaultName is missing", mockserver.CodeBadParameter},
		{addGift, `{"GiftId":"g2","Coins":1,"DefaultName":"x","ExtensionInfo":"{oops"}`, "ExtensionInfo is not JSON", mockserver.CodeBadParameter},
		{mockserver.EnginePrefix + "set_gift_language", `{"GiftId":"heart","Language":"fr","Name":"x"}`, `Language is "fr"`, mockserver.CodeBadParameter},
		{mockserver.EnginePrefix + "add_gift_category_relations", `{"CategoryId":"c9","GiftIdList":["heart"]}`, `"c9" does not exist`, mockserver.CodeBadParameter},
	} {
		t.Run(tc.want, func(t *testing.T) {
			g := NewWithT(t)
			_, env, _ := call(t, s, nil, tc.api, tc.body)
			g.Expect(env.ErrorCode).To(Equal(tc.code), env.ErrorInfo)
			g.Expect(env.ErrorInfo).To(ContainSubstring(tc.want))
		})
	}
}

// The gift catalogue as the console reads it: get_gift_info_list names each gift in the asked
// language (the default otherwise), with its categories' GiftIdList.
func TestGiftCatalogue(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{})
	e := mockserver.EnginePrefix
	for _, c := range []struct{ api, body string }{
		{addGift, `{"GiftId":"heart","Coins":10,"DefaultName":"Heart","DefaultDesc":"love","IconUrl":"https://x/h.png","Level":2,"ExtensionInfo":"{\"k\":1}"}`},
		{addGift, `{"GiftId":"rose","Coins":1,"DefaultName":"Rose"}`},
		{e + "set_gift_language", `{"GiftId":"heart","Language":"zh-Hans","Name":"爱心","Desc":"爱"}`},
		{e + "add_gift_category", `{"CategoryId":"c1","DefaultName":"Popular"}`},
		{e + "add_gift_category_relations", `{"CategoryId":"c1","GiftIdList":["heart","rose"]}`},
		{e + "del_gift_category_relations", `{"CategoryId":"c1","GiftIdList":["rose"]}`},
		{e + "edit_gift", `{"GiftId":"rose","Coins":2}`},
	} {
		_, env, _ := call(t, s, nil, c.api, c.body)
		g.Expect(env.ErrorCode).To(BeZero(), "%s: %s", c.api, env.ErrorInfo)
	}
	_, _, resp := call(t, s, nil, e+"get_gift_info_list", `{"Language":"zh-Hans"}`)
	g.Expect(resp).To(HaveKeyWithValue("TotalCount", BeNumerically("==", 2)))
	gifts := resp["GiftList"].([]any)
	g.Expect(gifts[0]).To(And(HaveKeyWithValue("GiftId", "heart"), HaveKeyWithValue("Name", "爱心"), HaveKeyWithValue("Coins", BeNumerically("==", 10)),
		HaveKeyWithValue("LanguageList", ConsistOf(HaveKeyWithValue("Language", "zh-Hans")))))
	g.Expect(gifts[1]).To(And(HaveKeyWithValue("Name", "Rose"), HaveKeyWithValue("Coins", BeNumerically("==", 2))))
	g.Expect(resp["CategoryList"]).To(ConsistOf(And(HaveKeyWithValue("CategoryId", "c1"), HaveKeyWithValue("GiftIdList", []any{"heart"}))))

	_, _, resp = call(t, s, nil, e+"get_gift", `{"GiftId":"heart"}`)
	g.Expect(resp["GiftInfo"]).To(HaveKeyWithValue("DefaultDesc", "love"))
	_, _, resp = call(t, s, nil, e+"get_gift_language", `{"GiftId":"heart","Language":"zh-Hans"}`)
	g.Expect(resp["Language"]).To(HaveKeyWithValue("Name", "爱心"))

	_, env, _ := call(t, s, nil, e+"del_gift", `{"GiftId":"heart"}`)
	g.Expect(env.ErrorCode).To(BeZero())
	_, env, _ = call(t, s, nil, e+"get_gift", `{"GiftId":"heart"}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeNoGift))
	_, _, resp = call(t, s, nil, e+"get_gift_category", `{"CategoryId":"c1"}`)
	g.Expect(resp["Category"]).To(HaveKeyWithValue("GiftIdList", BeEmpty()), "a deleted gift leaves its categories")
}

// The gift language and gift category APIs' refusals. Their pages' error tables name 100001
// (internal), 100002 (a parameter not valid), 100006 (not an administrator), 100012 (beyond
// 1 call/s) and 102001 (no plan) (cloud.tencent.com/document/product/647/120502, 269/125758,
// 269/125761): a missing, unknown or too long value is 100002, a category that does not exist
// included, as the tables name no code of their own for it; a gift that does not exist is
// send_gift's 102002 (trtc.io/document/72556). Limits: names 20 bytes, a gift's description 20, a
// category's 60, ExtensionInfo JSON of 100 bytes, languages en, zh-Hans and zh-Hant
// (trtc.io/document/72845, 72848, 72855, 72858).
func TestGiftLanguageAndCategoryErrors(t *testing.T) {
	s := newMock(t, mockserver.Config{})
	e := mockserver.EnginePrefix
	addGifts(t, s, "heart")
	ok(t, s, e+"add_gift_category", `{"CategoryId":"c1","DefaultName":"Popular"}`)
	long := func(n int) string { return strings.Repeat("x", n) }
	bad, noGift := mockserver.CodeBadParameter, mockserver.CodeNoGift
	for _, tc := range []struct {
		api, body, want string
		code            int
	}{
		{e + "set_gift_language", `{"GiftId":"heart","Name":"x"}`, "Language is missing", bad},
		{e + "set_gift_language", `{"GiftId":"heart","Language":"EN","Name":"x"}`, `Language is "EN"`, bad},
		{e + "set_gift_language", `{"GiftId":"heart","Language":"en"}`, "the name in en is missing", bad},
		{e + "set_gift_language", `{"GiftId":"heart","Language":"en","Name":"` + long(21) + `"}`, "the name is 21 bytes", bad},
		{e + "set_gift_language", `{"GiftId":"heart","Language":"en","Name":"x","Desc":"` + long(21) + `"}`, "the description is 21 bytes", bad},
		{e + "set_gift_language", `{"Language":"en","Name":"x"}`, "GiftId is missing", bad},
		{e + "set_gift_language", `{"GiftId":"` + long(21) + `","Language":"en","Name":"x"}`, "GiftId is 21 bytes", bad},
		{e + "set_gift_language", `{"GiftId":"nope","Language":"en","Name":"x"}`, `gift "nope" does not exist`, noGift},
		{e + "get_gift_language", `{"GiftId":"heart"}`, "Language is missing", bad},
		{e + "get_gift_language", `{"GiftId":"heart","Language":"en"}`, "no en text is set", bad},
		{e + "get_gift_language", `{"GiftId":"nope","Language":"en"}`, `gift "nope" does not exist`, noGift},
		{e + "del_gift_language", `{"GiftId":"heart","Language":"fr"}`, `Language is "fr"`, bad},
		{e + "del_gift_language", `{"GiftId":"nope","Language":"en"}`, `gift "nope" does not exist`, noGift},

		{e + "set_gift_category_language", `{"CategoryId":"c1","Language":"en"}`, "CategoryName in en is missing", bad},
		{e + "set_gift_category_language", `{"CategoryId":"c1","Language":"de","CategoryName":"x"}`, `Language is "de"`, bad},
		{e + "set_gift_category_language", `{"CategoryId":"c1","Language":"en","CategoryName":"` + long(21) + `"}`, "the name is 21 bytes", bad},
		{e + "set_gift_category_language", `{"CategoryId":"c1","Language":"en","CategoryName":"x","CategoryDesc":"` + long(61) + `"}`, "the description is 61 bytes", bad},
		{e + "set_gift_category_language", `{"CategoryId":"c9","Language":"en","CategoryName":"x"}`, `gift category "c9" does not exist`, bad},
		{e + "set_gift_category_language", `{"Language":"en","CategoryName":"x"}`, "CategoryId is missing", bad},
		{e + "get_gift_category_language", `{"CategoryId":"c1","Language":"en"}`, "no en text is set: set it with set_gift_category_language", bad},
		{e + "get_gift_category_language", `{"CategoryId":"c9","Language":"en"}`, `gift category "c9" does not exist`, bad},
		{e + "del_gift_category_language", `{"CategoryId":"c9","Language":"en"}`, `gift category "c9" does not exist`, bad},
		{e + "del_gift_category_language", `{"CategoryId":"c1"}`, "Language is missing", bad},

		{e + "add_gift_category", `{"CategoryId":"c1","DefaultName":"x"}`, `gift category "c1" exists`, bad},
		{e + "add_gift_category", `{"DefaultName":"x"}`, "CategoryId is missing", bad},
		{e + "add_gift_category", `{"CategoryId":"` + long(21) + `","DefaultName":"x"}`, "CategoryId is 21 bytes", bad},
		{e + "add_gift_category", `{"CategoryId":"c2"}`, "DefaultName is missing", bad},
		{e + "add_gift_category", `{"CategoryId":"c2","DefaultName":"` + long(21) + `"}`, "DefaultName is 21 bytes", bad},
		{e + "add_gift_category", `{"CategoryId":"c2","DefaultName":"x","DefaultDesc":"` + long(61) + `"}`, "DefaultDesc is 61 bytes", bad},
		{e + "add_gift_category", `{"CategoryId":"c2","DefaultName":"x","ExtensionInfo":"{oops"}`, "ExtensionInfo is not JSON", bad},
		{e + "add_gift_category", `{"CategoryId":"c2","DefaultName":"x","ExtensionInfo":"\"` + long(100) + `\""}`, "ExtensionInfo is 102 bytes", bad},
		{e + "edit_gift_category", `{"CategoryId":"c9","DefaultName":"x"}`, `gift category "c9" does not exist`, bad},
		{e + "edit_gift_category", `{"CategoryId":"c1","DefaultDesc":"` + long(61) + `"}`, "DefaultDesc is 61 bytes", bad},
		{e + "get_gift_category", `{"CategoryId":"c9"}`, `gift category "c9" does not exist`, bad},
		{e + "get_gift_category", `{}`, "CategoryId is missing", bad},
		{e + "del_gift_category", `{}`, "CategoryId is missing", bad},

		{e + "add_gift_category_relations", `{"CategoryId":"c1","GiftIdList":[]}`, "GiftIdList is missing or empty", bad},
		{e + "add_gift_category_relations", `{"CategoryId":"c1","GiftIdList":["heart","nope"]}`, `GiftIdList[1]: gift "nope" does not exist`, noGift},
		{e + "del_gift_category_relations", `{"CategoryId":"c9","GiftIdList":["heart"]}`, `gift category "c9" does not exist`, bad},
		{e + "del_gift_category_relations", `{"CategoryId":"c1"}`, "GiftIdList is missing or empty", bad},
	} {
		t.Run(tc.api[len(e):]+": "+tc.want, func(t *testing.T) {
			g := NewWithT(t)
			c, info := code(t, s, tc.api, tc.body)
			g.Expect(c).To(Equal(tc.code), info)
			g.Expect(info).To(ContainSubstring(tc.want))
		})
	}
	// Nothing refused changed the catalogue.
	resp := ok(t, s, e+"get_gift_info_list", `{}`)
	NewWithT(t).Expect(resp["CategoryList"]).To(ConsistOf(And(HaveKeyWithValue("CategoryId", "c1"), HaveKeyWithValue("LanguageList", BeEmpty()),
		HaveKeyWithValue("GiftIdList", BeEmpty()), HaveKeyWithValue("DefaultName", "Popular"))))
}

// What the pages say succeeds: deleting a category that does not exist, or language texts that
// are not set ("The API returns success if ... it does not exist": tencentcloud.com/document/
// product/1071/76851, 76857, 76860); setting a category's language again with only what changes
// (CategoryName "required the first time, optional afterwards"; "setting it again changes only
// the fields in the request": cloud.tencent.com/document/product/647/121325); a description of 60
// bytes for a category.
func TestGiftCategoryDocumentedSuccesses(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{})
	e := mockserver.EnginePrefix
	addGifts(t, s, "heart")
	ok(t, s, e+"add_gift_category", `{"CategoryId":"c1","DefaultName":"Popular","DefaultDesc":"`+strings.Repeat("d", 60)+`"}`)
	ok(t, s, e+"del_gift_category", `{"CategoryId":"never_added"}`)
	ok(t, s, e+"del_gift_language", `{"GiftId":"heart","Language":"en"}`)
	ok(t, s, e+"del_gift_category_language", `{"CategoryId":"c1","Language":"zh-Hant"}`)

	ok(t, s, e+"set_gift_category_language", `{"CategoryId":"c1","Language":"en","CategoryName":"Hot","CategoryDesc":"the best"}`)
	ok(t, s, e+"set_gift_category_language", `{"CategoryId":"c1","Language":"en","CategoryDesc":"still the best"}`)
	g.Expect(ok(t, s, e+"get_gift_category_language", `{"CategoryId":"c1","Language":"en"}`)["Language"]).To(Equal(
		map[string]any{"Language": "en", "CategoryName": "Hot", "CategoryDesc": "still the best"}), "the name kept, the description changed")
	ok(t, s, e+"set_gift_category_language", `{"CategoryId":"c1","Language":"en","CategoryName":"Hotter"}`)
	g.Expect(ok(t, s, e+"get_gift_category_language", `{"CategoryId":"c1","Language":"en"}`)["Language"]).To(HaveKeyWithValue("CategoryDesc", "still the best"))

	ok(t, s, e+"del_gift_category", `{"CategoryId":"c1"}`)
	c, _ := code(t, s, e+"get_gift_category", `{"CategoryId":"c1"}`)
	g.Expect(c).To(Equal(mockserver.CodeBadParameter), "deleted")
	ok(t, s, e+"del_gift_category", `{"CategoryId":"c1"}`)
}

// The gift catalogue APIs take 1 call a second each, and a call beyond it is 100012, the code
// their pages give ("called too often, at most 1 call/s": cloud.tencent.com/document/product/647/
// 120502); the room APIs keep the gateway's 60007.
func TestGiftRateLimit(t *testing.T) {
	g := NewWithT(t)
	clock := newClock()
	s := newMock(t, mockserver.Config{VendorRateLimits: true, Now: clock.Now})
	e := mockserver.EnginePrefix
	ok(t, s, e+"add_gift_category", `{"CategoryId":"c1","DefaultName":"Popular"}`)
	for _, api := range []string{"get_gift_category", "set_gift_category_language", "get_gift_language", "get_gift_info_list"} {
		code(t, s, e+api, `{"CategoryId":"c1","Language":"en","CategoryName":"x"}`)
		c, info := code(t, s, e+api, `{"CategoryId":"c1","Language":"en","CategoryName":"x"}`)
		g.Expect(c).To(Equal(mockserver.CodeTooFrequent), "%s: %s", api, info)
		g.Expect(info).To(ContainSubstring("more than 1 calls to " + api))
	}
	clock.Advance(time.Second)
	ok(t, s, e+"get_gift_category", `{"CategoryId":"c1"}`)
}
