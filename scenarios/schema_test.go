package scenarios_test

import (
	"encoding/json"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/scenarios"
)

// The committed schema is what the Go types make: change a type, run with -update, commit both.
func TestGoldenSchema(t *testing.T) {
	b, err := scenarios.Schema()
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	golden(t, "../../schemas/scenarios.schema.json", b)
}

func TestSchemaNamesEveryAction(t *testing.T) {
	g := NewWithT(t)
	b, err := scenarios.Schema()
	g.Expect(err).NotTo(HaveOccurred())
	var s struct {
		Properties struct {
			Scenarios struct {
				Items struct {
					Properties struct {
						Steps struct {
							Items struct {
								Properties map[string]any
							}
						}
					}
				}
			}
		}
	}
	g.Expect(json.Unmarshal(b, &s)).To(Succeed())
	step := s.Properties.Scenarios.Items.Properties.Steps.Items.Properties
	for _, a := range scenarios.Actions {
		g.Expect(step).To(HaveKey(a))
	}
	g.Expect(step).To(HaveKey("expect"))
}
