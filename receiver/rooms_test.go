package receiver_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/webhook"
)

// The reference receiver takes every command the mock backend can fire, with the URL parameters
// each one's page shows, and refuses them broken.
func TestRoomCommandsBeyondTheSeeds(t *testing.T) {
	rv := newReceiver(t, "")
	for file, cmd := range map[string]webhook.Command{
		"update_room_info.json": webhook.CommandUpdateRoomInfo,
		"change_owner.json":     webhook.CommandChangeOwner,
		"set_metadata.json":     webhook.CommandSetMetadata,
		"del_metadata.json":     webhook.CommandDelMetadata,
	} {
		g := NewWithT(t)
		url := webhookURL(cmd, "", webhook.URLOptions{})
		g.Expect(strings.Contains(url, "ClientIP=")).To(Equal(cmd != webhook.CommandChangeOwner))
		rec, _ := post(t, rv, http.MethodPost, url, seed(t, file))
		g.Expect(rec.Code).To(Equal(200), "%s: %s", file, rec.Body)
		// The body's command must be the URL's.
		other := webhook.CommandSetMetadata
		if cmd == other {
			other = webhook.CommandDelMetadata
		}
		rec, resp := post(t, rv, http.MethodPost, webhookURL(other, "", webhook.URLOptions{}), seed(t, file))
		g.Expect(rec.Code).To(Equal(400), file)
		g.Expect(resp.ActionStatus).To(Equal("FAIL"))
	}
	// An update without ClientIP is refused: its page's URL carries it.
	url := strings.Replace(webhookURL(webhook.CommandUpdateRoomInfo, "", webhook.URLOptions{}), "&ClientIP=10.1.2.3", "", 1)
	rec, resp := post(t, rv, http.MethodPost, url, seed(t, "update_room_info.json"))
	NewWithT(t).Expect(rec.Code).To(Equal(400))
	NewWithT(t).Expect(resp.ErrorInfo).To(ContainSubstring("ClientIP is missing"))
	// A metadata item without its Value is refused.
	body := bytes.Replace(seed(t, "set_metadata.json"), []byte(`, "Value": "value2"`), nil, 1)
	rec, resp = post(t, rv, http.MethodPost, webhookURL(webhook.CommandSetMetadata, "", webhook.URLOptions{}), body)
	NewWithT(t).Expect(rec.Code).To(Equal(400))
	NewWithT(t).Expect(resp.ErrorInfo).To(ContainSubstring("Metadata[1].Value is missing"))
}
