package explore

import (
	"time"

	"github.com/livehook/livehook/webhook"
)

// Client delivers webhooks: the scenarios' client (scenarios.Config.Client), shared by every
// case of an exploration so that connections are reused from one case to the next.
type Client = webhook.Client

// newClient makes the client of an exploration.
func newClient(timeout time.Duration, insecure bool) *Client {
	opts := []webhook.ClientOption{webhook.WithTimeout(timeout)}
	if insecure {
		opts = append(opts, webhook.WithInsecureTLS())
	}
	return webhook.NewClient(opts...)
}
