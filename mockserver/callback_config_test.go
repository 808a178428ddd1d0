package mockserver_test

import (
	"encoding/json"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

// An app that registers the vendor's whole command list configures the mock, and gets the list
// back; a name not on it is refused with the vendor's 100002, by set_callback and update_callback.
func TestCallbackConfigTakesEveryDocumentedCommand(t *testing.T) {
	g := NewWithT(t)
	s := newMock(t, mockserver.Config{})
	all, err := json.Marshal(webhook.CallbackCommands)
	g.Expect(err).NotTo(HaveOccurred())
	set := mockserver.ConfigPrefix + "set_callback"
	update := mockserver.ConfigPrefix + "update_callback"

	_, env, _ := call(t, s, nil, set, `{"Url":"http://127.0.0.1:1/cb","CallbackCommandList":["Live.CallbackAfterCreateRoom","Live.CallbackAfterStartBattl"]}`)
	g.Expect(env.ErrorCode).To(Equal(mockserver.CodeBadParameter))
	g.Expect(env.ErrorInfo).To(ContainSubstring(`CallbackCommandList[1] is "Live.CallbackAfterStartBattl"`))

	_, env, _ = call(t, s, nil, set, fmt.Sprintf(`{"Url":"http://127.0.0.1:1/cb","CallbackCommandList":%s}`, all))
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	_, env, got := call(t, s, nil, mockserver.ConfigPrefix+"get_callback", `{}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	b, _ := json.Marshal(got["CallbackCommandList"])
	g.Expect(b).To(MatchJSON(all))

	for _, name := range []string{"Live.CallbackAfterNothing", "live.callbackbeforesendgift", "Live.CallbackBeforeSendGift "} {
		_, env, _ = call(t, s, nil, update, fmt.Sprintf(`{"Url":"http://127.0.0.1:1/cb","CallbackCommandList":[%q]}`, name))
		g.Expect(env.ErrorCode).To(Equal(mockserver.CodeBadParameter), name)
		g.Expect(env.ErrorInfo).To(ContainSubstring("not a Live webhook"), name)
	}
	_, env, _ = call(t, s, nil, update, `{"Url":"http://127.0.0.1:1/cb","CallbackCommandList":["Live.CallbackBeforeSendGift","Mic.CallbackAfterSeatInfoChanged"]}`)
	g.Expect(env.ErrorCode).To(BeZero(), env.ErrorInfo)
	_, _, got = call(t, s, nil, mockserver.ConfigPrefix+"get_callback", `{}`)
	g.Expect(got["CallbackCommandList"]).To(Equal([]any{"Mic.CallbackAfterSeatInfoChanged", "Live.CallbackBeforeSendGift"}), "in the command list's order")
}

// The mock's --commands setting takes the same names.
func TestConfigCommandsTakeEveryDocumentedCommand(t *testing.T) {
	g := NewWithT(t)
	newMock(t, mockserver.Config{Commands: webhook.CallbackCommands})
	_, err := mockserver.NewServer(mockserver.Config{SDKAppID: appID, SecretKey: key, Commands: []webhook.Command{"Live.CallbackAfterNothing"}})
	g.Expect(err).To(MatchError(ContainSubstring(`command "Live.CallbackAfterNothing" is not a Live webhook`)))
}
