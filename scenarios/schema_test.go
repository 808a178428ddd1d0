package scenarios_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/livehook/livehook/internal/golden"
	"github.com/livehook/livehook/scenarios"
	"github.com/livehook/livehook/webhook"
)

// The committed schema is what the Go types make: change a type, run with -update, commit both.
func TestGoldenSchema(t *testing.T) {
	b, err := scenarios.Schema()
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	golden.Check(t, "../../schemas/scenarios.schema.json", b)
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

// The files scripts/check-schema.sh feeds ajv: the parser agrees with the schema on each, so the
// schema refuses what the parser refuses and accepts what it accepts.
func TestSchemaFixturesAgreeWithParser(t *testing.T) {
	for _, dir := range []string{"valid", "invalid"} {
		paths, err := filepath.Glob(filepath.Join("testdata", "schema", dir, "*.yaml"))
		NewWithT(t).Expect(err).NotTo(HaveOccurred())
		NewWithT(t).Expect(paths).NotTo(BeEmpty())
		for _, p := range paths {
			t.Run(dir+"/"+filepath.Base(p), func(t *testing.T) {
				_, err := scenarios.ReadFile(p)
				if dir == "valid" {
					NewWithT(t).Expect(err).NotTo(HaveOccurred())
				} else {
					NewWithT(t).Expect(err).To(MatchError(scenarios.ErrInvalid))
				}
			})
		}
	}
}

func TestSchemaStatesTheParsersRules(t *testing.T) {
	g := NewWithT(t)
	b, err := scenarios.Schema()
	g.Expect(err).NotTo(HaveOccurred())
	var s struct {
		ID         string `json:"$id"`
		Properties struct {
			Scenarios struct {
				MinItems int
				Items    struct {
					Required   []string
					Properties struct {
						Name  struct{ MinLength int }
						Steps struct {
							MinItems int
							Items    struct {
								Properties struct {
									CreateRoom struct {
										Properties struct {
											RoomInfo struct {
												Properties struct {
													RoomId struct {
														AnyOf []struct{ MaxLength int }
													}
												}
											}
										}
									} `json:"create_room"`
								}
							}
						}
					}
				}
			}
		}
	}
	g.Expect(json.Unmarshal(b, &s)).To(Succeed())
	g.Expect(s.ID).To(Equal(scenarios.SchemaID))
	g.Expect(scenarios.SchemaComment).To(HaveSuffix("$schema=" + scenarios.SchemaID))
	sc := s.Properties.Scenarios
	g.Expect(sc.MinItems).To(Equal(1))
	g.Expect(sc.Items.Required).To(ConsistOf("name", "steps"))
	g.Expect(sc.Items.Properties.Name.MinLength).To(Equal(1))
	g.Expect(sc.Items.Properties.Steps.MinItems).To(Equal(1))
	id := sc.Items.Properties.Steps.Items.Properties.CreateRoom.Properties.RoomInfo.Properties.RoomId
	g.Expect(id.AnyOf).NotTo(BeEmpty())
	g.Expect(id.AnyOf[0].MaxLength).To(Equal(webhook.MaxRoomIDBytes))
}
