package suite

import (
	"fmt"
	"strings"
	"time"

	"github.com/onsi/gomega/types"

	"github.com/livehook/livehook/mockserver"
	"github.com/livehook/livehook/webhook"
)

// delivery is what the matchers know of a webhook sent, whatever sent it.
type delivery struct {
	url, body     string
	status        int
	answer        string
	latency       time.Duration
	acknowledged  bool
	refused       bool
	answered      bool
	why           string
	knowsRefusals bool
}

func asDelivery(actual any) (delivery, error) {
	switch v := actual.(type) {
	case webhook.Result:
		return fromResult(&v), nil
	case *webhook.Result:
		if v == nil {
			return delivery{}, fmt.Errorf("the result is nil")
		}
		return fromResult(v), nil
	case mockserver.Delivery:
		return fromDelivery(&v), nil
	case *mockserver.Delivery:
		if v == nil {
			return delivery{}, fmt.Errorf("the delivery is nil")
		}
		return fromDelivery(v), nil
	}
	return delivery{}, fmt.Errorf("want a webhook.Result or a mockserver.Delivery, got %T", actual)
}

func fromResult(r *webhook.Result) delivery {
	d := delivery{url: r.Request.URL, body: string(r.Request.Body), status: r.Answer.Status, answer: string(r.Body),
		latency: r.Latency(), acknowledged: r.Outcome == webhook.Acknowledged, answered: r.Outcome.Answered(),
		refused: r.Answer.Refusal(), knowsRefusals: true}
	if r.Err != nil {
		d.why = fmt.Sprintf("%s: %v", r.Outcome, r.Err)
	}
	return d
}

func fromDelivery(m *mockserver.Delivery) delivery {
	d := delivery{url: m.URL, body: string(m.Body), status: m.Status, latency: m.Delay, acknowledged: m.Acknowledged,
		answered: m.Status != 0, why: m.Outcome.String()}
	if m.Error != "" {
		d.why = m.Outcome.String() + ": " + m.Error
	}
	return d
}

// describe shows what was sent and what came back.
func (d delivery) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sent:     POST %s\n", d.url)
	if d.body != "" {
		fmt.Fprintf(&b, "          %s\n", d.body)
	}
	if d.answered {
		fmt.Fprintf(&b, "answered: %d %s (in %v)", d.status, strings.TrimSpace(d.answer), d.latency.Round(time.Microsecond))
	} else {
		fmt.Fprintf(&b, "answered: nothing (after %v)", d.latency.Round(time.Microsecond))
	}
	if d.why != "" {
		fmt.Fprintf(&b, "\nwhy:      %s", d.why)
	}
	return b.String()
}

type deliveryMatcher struct {
	want  string
	match func(d delivery) (bool, error)
	last  delivery
}

func (m *deliveryMatcher) Match(actual any) (bool, error) {
	d, err := asDelivery(actual)
	if err != nil {
		return false, err
	}
	m.last = d
	return m.match(d)
}

func (m *deliveryMatcher) FailureMessage(any) string {
	return fmt.Sprintf("Expected the webhook to be %s, but it was not:\n%s", m.want, m.last.describe())
}

func (m *deliveryMatcher) NegatedFailureMessage(any) string {
	return fmt.Sprintf("Expected the webhook not to be %s, but it was:\n%s", m.want, m.last.describe())
}

// BeAcknowledged succeeds for a webhook answered with HTTP 200 and exactly OK/0. It takes a
// webhook.Result (from Deliver or sender.Client) or a mockserver.Delivery.
func BeAcknowledged() types.GomegaMatcher {
	return &deliveryMatcher{want: "acknowledged (HTTP 200 with OK/0)", match: func(d delivery) (bool, error) {
		return d.acknowledged, nil
	}}
}

// BeRejected succeeds for a webhook refused: a status other than 200, FAIL, or a non-zero
// ErrorCode. It takes a webhook.Result.
func BeRejected() types.GomegaMatcher {
	return &deliveryMatcher{want: "rejected (a non-200 status, FAIL, or a non-zero ErrorCode)", match: func(d delivery) (bool, error) {
		if !d.knowsRefusals {
			return false, fmt.Errorf("BeRejected takes a webhook.Result; a mockserver.Delivery does not keep the answer's fields")
		}
		return d.refused, nil
	}}
}

// RespondWithin succeeds for a webhook answered within d: for a webhook.Result from the moment
// it was meant to go, for a mockserver.Delivery from the moment it was fired.
func RespondWithin(d time.Duration) types.GomegaMatcher {
	return &deliveryMatcher{want: fmt.Sprintf("answered within %v", d), match: func(x delivery) (bool, error) {
		return x.answered && x.latency <= d, nil
	}}
}
