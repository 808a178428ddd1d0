package scenarios_test

import (
	"fmt"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/scenarios"
)

// Each modifier placed beside the action, where the README's layout may lead a reader to put it,
// is refused with where it goes; inside the action's map it is accepted.
func TestModifierBesideTheActionSaysWhereItGoes(t *testing.T) {
	for mod, val := range map[string]string{
		"sign": "bad", "sdkappid": "1400999999", "extra": "{Theme: dark}", "omit": "[EventTime]",
		"owner_as_number": "true", "new_param_names": "true", "client_ip": "10.0.0.1", "platform": "RESTAPI",
	} {
		t.Run(mod, func(t *testing.T) {
			g := NewWithT(t)
			beside := fmt.Sprintf("scenarios:\n  - name: s\n    steps:\n      - create_room: {as: r}\n      - destroy_room: {room: r}\n        %s: %s\n        expect: rejected\n", mod, val)
			_, err := scenarios.Parse("m.yaml", strings.NewReader(beside))
			g.Expect(err).To(MatchError(scenarios.ErrInvalid))
			g.Expect(err.Error()).To(HavePrefix(`m.yaml:6:9: scenario "s": step 2: ` + mod + ` modifies the webhook a step sends: put it inside the action's map, not beside it, e.g. destroy_room: {` + mod + `: `))
			g.Expect(err.Error()).NotTo(ContainSubstring("did you mean"))

			inside := fmt.Sprintf("scenarios:\n  - name: s\n    steps:\n      - create_room: {as: r, owner_as_number: true, RoomInfo: {Owner_Account: \"42\"}}\n      - destroy_room: {room: r, %s: %s}\n        expect: rejected\n", mod, val)
			_, err = scenarios.Parse("m.yaml", strings.NewReader(inside))
			g.Expect(err).NotTo(HaveOccurred())
		})
	}
}

func TestDeliveryOnAStepSaysWhereItGoes(t *testing.T) {
	g := NewWithT(t)
	_, err := scenarios.Parse("d.yaml", strings.NewReader("scenarios:\n  - name: s\n    steps:\n      - create_room: {}\n        delivery: {duplicate: 10%}\n"))
	g.Expect(err).To(MatchError(`d.yaml:5:9: scenario "s": step 1: delivery goes on the scenario, beside steps: (its webhook steps), or inside a generate step, e.g. generate: {rooms: 5, delivery: {duplicate: 10%}}`))
	_, err = scenarios.Parse("d.yaml", strings.NewReader("scenarios:\n  - name: s\n    delivery: {duplicate: 10%}\n    steps:\n      - create_room: {}\n      - generate: {rooms: 2, delivery: {reorder: 50%}}\n"))
	g.Expect(err).NotTo(HaveOccurred())
}

// A step of a wait, which sends no webhook, still says where a modifier goes, with an example.
func TestModifierBesideANonWebhookStep(t *testing.T) {
	_, err := scenarios.Parse("w.yaml", strings.NewReader("scenarios:\n  - name: s\n    steps:\n      - wait: 1ms\n        sign: bad\n"))
	NewWithT(t).Expect(err).To(MatchError(ContainSubstring(`step 1: sign modifies the webhook a step sends: put it inside the action's map, not beside it, e.g. create_room: {sign: bad}`)))
}
