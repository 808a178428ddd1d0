package runner_test

import (
	"net/http"
	"testing"

	"github.com/livehook/livehook/webhook"
)

// The contract's before-callback and unknown-command scenarios: an app that refuses commands it
// does not know, or refuses gifts, fails them, and only them (an app too slow for the deadline
// fails every scenario, as the deadline tests show); the reference receiver passes them (every other test of the contract runs it).
func TestContractCatchesBeforeAndUnknownCommandBreakers(t *testing.T) {
	gifts := []string{"a gift is let through before it is sent", "several gifts to several recipients are let through before they are sent"}
	unknown := "a well-formed command the app does not know is acknowledged"
	t.Run("a router that refuses commands it has no handler for", func(t *testing.T) {
		known := map[webhook.Command]bool{}
		for _, c := range webhook.RoomCommands {
			known[c] = true
		}
		h := refusing(t, token, func(r *http.Request, _ []byte) string {
			c := webhook.Command(r.URL.Query().Get(webhook.ParamCallbackCommand))
			if c == "" {
				c = webhook.Command(r.URL.Query().Get(webhook.ParamWebhookCommand))
			}
			if !known[c] {
				return "unknown CallbackCommand " + string(c)
			}
			return ""
		})
		failsIn(t, h, token, append([]string{unknown}, gifts...))
	})
	t.Run("an app that refuses every gift", func(t *testing.T) {
		h := refusing(t, token, func(r *http.Request, _ []byte) string {
			if r.URL.Query().Get(webhook.ParamCallbackCommand) == string(webhook.CommandBeforeSendGift) {
				return "gifts are closed"
			}
			return ""
		})
		failsIn(t, h, token, gifts)
	})
}
