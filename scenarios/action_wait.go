package scenarios

import (
	"time"

	"gopkg.in/yaml.v3"
)

// Wait is a pause between steps, written as Go writes durations: 200ms, 2s, 1m30s.
type Wait Duration

// maxWait bounds a wait: a longer one is a mistake in the file, not a test.
const maxWait = time.Hour

func (w *Wait) decodeNode(d *decoder, n *yaml.Node) { (*Duration)(w).decodeNode(d, n) }

func (w *Wait) validate(v *stepCheck) {
	if time.Duration(*w) > maxWait {
		v.errorf("wait: %v is longer than %v: a scenario that waits so long is a mistake", time.Duration(*w), maxWait)
	}
}
