package receiver

import (
	"strings"
	"testing"

	"github.com/livehook/livehook/webhook"
)

func TestSignatureIsWebhookSign(t *testing.T) {
	for _, token := range []string{"", "xxxxyyyy", "s3cr3t-t0ken", strings.Repeat("é", webhook.MaxTokenLength/2)} {
		for _, rt := range []int64{0, 1700000000, -1, 1<<63 - 1, -1 << 63} {
			if got, want := signature(token, rt), webhook.Sign(token, rt); string(got[:]) != want {
				t.Errorf("signature(%q, %d) = %s, want %s", token, rt, got, want)
			}
		}
	}
}
