package scenarios

// Generate sends the full lifecycles of realistic rooms from the generator: rooms open, change
// admins and close, interleaved as the traffic model has them, each room's events in order.
type Generate struct {
	// Rooms is how many rooms; at least 1.
	Rooms int `yaml:"rooms" json:"rooms"`
	// Seed makes the rooms; the scenario's own seed, derived from the run's, unless set.
	Seed *int64 `yaml:"seed" json:"seed,omitempty"`
	// Delivery delivers the rooms' webhooks as the Live backend does (the scenario's unless set).
	Delivery *Delivery `yaml:"delivery" json:"delivery,omitempty"`
	// Edges is the share of values drawn at the protocol's limits (generator.WithEdges): 48-byte
	// RoomIds of any printable ASCII, 100-byte names of 4-byte UTF-8, full rooms of admins, ...
	Edges Share `yaml:"edges" json:"edges,omitempty"`
}

// maxGenerateRooms bounds a generate step.
const maxGenerateRooms = 100_000

func (g *Generate) validate(v *stepCheck) {
	if g.Rooms < 1 || g.Rooms > maxGenerateRooms {
		v.errorf("generate: rooms is %d: want 1 to %d", g.Rooms, maxGenerateRooms)
	}
	if g.Delivery != nil {
		g.Delivery.validate(v.d, v.at)
	}
}
