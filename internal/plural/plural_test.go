package plural_test

import (
	"testing"

	"github.com/livehook/livehook/internal/plural"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		word string
		want string
	}{
		{1, "webhook", "1 webhook"}, {0, "webhook", "0 webhooks"}, {2, "webhook", "2 webhooks"},
		{1, "delivery", "1 delivery"}, {3, "delivery", "3 deliveries"}, {2, "day", "2 days"}, {2, "key", "2 keys"},
		{-1, "step", "-1 steps"},
	} {
		if got := plural.Of(tc.n, tc.word); got != tc.want {
			t.Errorf("Of(%d, %q) = %q, want %q", tc.n, tc.word, got, tc.want)
		}
	}
	if plural.Verb(1) != "was" || plural.Verb(int64(2)) != "were" || plural.Verb(0) != "were" {
		t.Error("Verb")
	}
}
