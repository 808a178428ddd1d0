package scenarios

import (
	"net/http"
	"slices"
	"time"
)

// Check makes an HTTP request to the app backend's own API and checks its answer, to see that a
// webhook's data really arrived.
type Check struct {
	// Method is GET unless set.
	Method  string            `yaml:"method" json:"method,omitempty"`
	URL     string            `yaml:"url" json:"url"`
	Headers map[string]string `yaml:"headers" json:"headers,omitempty"`
	Body    string            `yaml:"body" json:"body,omitempty"`
	// Status is the HTTP status wanted (200 unless set). Redirects are not followed: a 3xx is
	// the answer.
	Status int `yaml:"status" json:"status,omitempty"`
	// JSON maps dotted paths in the answer's JSON body to the values wanted there, e.g.
	// {"room.RoomId": "${room.RoomId}", "rooms.0.Owner_Account": "host_1"}.
	JSON map[string]any `yaml:"json" json:"json,omitempty"`
	// Within bounds the time to answer (the run's timeout unless set).
	Within Duration `yaml:"within" json:"within,omitempty"`
}

// maxCheckWithin bounds a check's deadline.
const maxCheckWithin = 5 * time.Minute

func (c *Check) validate(v *stepCheck) {
	if c.URL == "" {
		v.errorf("check: url is missing: the address of your app backend's API to ask")
	}
	if c.Method != "" && !slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}, c.Method) {
		v.errorf("check: method %q: want GET, POST, PUT, PATCH, DELETE or HEAD", c.Method)
	}
	if c.Status != 0 && http.StatusText(c.Status) == "" {
		v.errorf("check: status %d is not an HTTP status", c.Status)
	}
	if time.Duration(c.Within) > maxCheckWithin {
		v.errorf("check: within %v is longer than %v", time.Duration(c.Within), maxCheckWithin)
	}
}
