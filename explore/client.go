package explore

import (
	"time"

	"github.com/livehook/livehook/sender"
)

// Client delivers webhooks: the scenarios' client (runner.Config.Client), shared by every
// case of an exploration so that connections are reused from one case to the next.
type Client = sender.Client

// newClient makes the client of an exploration.
func newClient(timeout time.Duration, insecure bool) *Client {
	opts := []sender.ClientOption{sender.WithTimeout(timeout)}
	if insecure {
		opts = append(opts, sender.WithInsecureTLS())
	}
	return sender.NewClient(opts...)
}
