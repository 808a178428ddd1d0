package suite

import (
	"fmt"
	"strings"
	"time"

	"github.com/onsi/gomega/types"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

// delivery is what the matchers judge: the sender's record of a webhook, webhook.Result.
type delivery struct {
	res *webhook.Result
}

// asDelivery takes what Gomega hands a matcher: a webhook.Result as it is, or a mock backend's
// delivery by the webhook.Result it keeps (whose latency runs from the moment it was fired).
func asDelivery(actual any) (delivery, error) {
	switch v := actual.(type) {
	case webhook.Result:
		return delivery{res: &v}, nil
	case *webhook.Result:
		if v == nil {
			return delivery{}, fmt.Errorf("the result is nil")
		}
		return delivery{res: v}, nil
	case mockserver.Delivery:
		return delivery{res: &v.Result}, nil
	case *mockserver.Delivery:
		if v == nil {
			return delivery{}, fmt.Errorf("the delivery is nil")
		}
		return delivery{res: &v.Result}, nil
	}
	return delivery{}, fmt.Errorf("want a webhook.Result or a mockserver.Delivery, got %T", actual)
}

func (d delivery) acknowledged() bool { return d.res.Outcome == webhook.Acknowledged }

// describe shows what was sent and what came back.
func (d delivery) describe() string {
	r := d.res
	var b strings.Builder
	fmt.Fprintf(&b, "sent:     POST %s\n", r.Request.URL)
	if len(r.Request.Body) > 0 {
		fmt.Fprintf(&b, "          %s\n", r.Request.Body)
	}
	if r.Outcome.Answered() {
		fmt.Fprintf(&b, "answered: %d %s (in %v)", r.Answer.Status, strings.TrimSpace(string(r.Body)), r.Latency().Round(time.Microsecond))
	} else {
		fmt.Fprintf(&b, "answered: nothing (after %v)", r.Latency().Round(time.Microsecond))
	}
	if r.Err != nil {
		fmt.Fprintf(&b, "\nwhy:      %s: %v", r.Outcome, r.Err)
	}
	return b.String()
}

type deliveryMatcher struct {
	want  string
	match func(d delivery) (bool, error)
}

func (m *deliveryMatcher) Match(actual any) (bool, error) {
	d, err := asDelivery(actual)
	if err != nil {
		return false, err
	}
	return m.match(d)
}

func (m *deliveryMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("Expected the webhook to be %s, but it was not:\n%s", m.want, describe(actual))
}

func (m *deliveryMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("Expected the webhook not to be %s, but it was:\n%s", m.want, describe(actual))
}

// describe shows what was sent and what came back, or why actual cannot be judged.
func describe(actual any) string {
	d, err := asDelivery(actual)
	if err != nil {
		return err.Error()
	}
	return d.describe()
}

// BeAcknowledged succeeds for a webhook answered with HTTP 200 and exactly OK/0. It takes a
// webhook.Result (from Deliver or sender.Client) or a mockserver.Delivery.
func BeAcknowledged() types.GomegaMatcher {
	return &deliveryMatcher{want: "acknowledged (HTTP 200 with OK/0)", match: func(d delivery) (bool, error) {
		return d.acknowledged(), nil
	}}
}

// BeRejected succeeds for a webhook refused: a status other than 200, FAIL, or a non-zero
// ErrorCode. It takes a webhook.Result or a mockserver.Delivery.
func BeRejected() types.GomegaMatcher {
	return &deliveryMatcher{want: "rejected (a non-200 status, FAIL, or a non-zero ErrorCode)", match: func(d delivery) (bool, error) {
		return d.res.Answer.Refusal(), nil
	}}
}

// RespondWithin succeeds for a webhook answered within d: for a webhook.Result from the moment
// it was meant to go, for a mockserver.Delivery from the moment it was fired.
func RespondWithin(d time.Duration) types.GomegaMatcher {
	return &deliveryMatcher{want: fmt.Sprintf("answered within %v", d), match: func(x delivery) (bool, error) {
		return x.res.Outcome.Answered() && x.res.Latency() <= d, nil
	}}
}
