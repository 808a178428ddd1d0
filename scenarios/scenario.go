// Package scenarios is the scenario language: a YAML file of named scenarios, each a list of
// steps (create_room, modify_admin, destroy_room, send, replay, generate, wait, check) with what
// their answers must be. Parse and ReadFile read a file and check it strictly, with file:line
// errors; Schema is its JSON Schema; WriteGenerated and WriteReplay write files in it; Selected
// picks scenarios by tag. Package runner runs them, and package report says what they found.
package scenarios

import (
	"fmt"
	"time"

	"github.com/livehook/livehook/webhook"
)

// File is one scenarios file.
type File struct {
	// Path is where the file was read from, for messages.
	Path string `yaml:"-" json:"-"`
	// Vars are values that ${vars.NAME} stands for anywhere in the file.
	Vars map[string]string `yaml:"vars" json:"vars,omitempty"`
	// Scenarios run in the order given (or concurrently, under --parallel).
	Scenarios []*Scenario `yaml:"scenarios" json:"scenarios"`
}

// Scenario is a named list of steps, run in order.
type Scenario struct {
	// Name is unique among all the files of a run.
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description" json:"description,omitempty"`
	Tags        []string `yaml:"tags" json:"tags,omitempty"`
	// Repeat runs the scenario this many times, each with rooms of its own (1 unless set).
	Repeat int `yaml:"repeat" json:"repeat,omitempty"`
	// Delivery delivers the scenario's webhooks as the Live backend does: at once, again, out
	// of order, late or off the clock. One at a time, each once, in order unless set.
	Delivery *Delivery `yaml:"delivery" json:"delivery,omitempty"`
	Steps    []*Step   `yaml:"steps" json:"steps"`

	// Pos is where the scenario starts.
	Pos Pos `yaml:"-" json:"-"`
}

// Pos is a position in a file.
type Pos struct {
	File         string
	Line, Column int
}

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Probe holds the modifiers every webhook step takes, to probe how a receiver copes.
type Probe struct {
	// SDKAppID replaces the run's SdkAppid in the URL (a foreign app's, say).
	SDKAppID uint64 `yaml:"sdkappid" json:"sdkappid,omitempty"`
	// Sign chooses how the request is signed; it needs a token, else the scenario is skipped.
	Sign Signing `yaml:"sign" json:"sign,omitempty"`
	// OwnerAsNumber sends Owner_Account as a bare JSON number, as the vendor's Destroy sample does.
	OwnerAsNumber bool `yaml:"owner_as_number" json:"owner_as_number,omitempty"`
	// Extra adds fields to the body; a key may be a dotted path, e.g. RoomInfo.Theme.
	Extra map[string]any `yaml:"extra" json:"extra,omitempty"`
	// Omit removes fields from the body, by dotted path, e.g. EventTime or RoomInfo.Category.
	Omit []string `yaml:"omit" json:"omit,omitempty"`
	// NewParamNames sends SdkAppId and WebhookCommand, as newer doc versions name them.
	NewParamNames bool `yaml:"new_param_names" json:"new_param_names,omitempty"`
	// NoSDKAppID leaves SdkAppid out of the URL altogether.
	NoSDKAppID bool `yaml:"no_sdkappid" json:"no_sdkappid,omitempty"`
	// ClientIP and Platform set the URL's ClientIP and OptPlatform (generated unless set).
	ClientIP string   `yaml:"client_ip" json:"client_ip,omitempty"`
	Platform Platform `yaml:"platform" json:"platform,omitempty"`
}

// Duration is a time.Duration written as Go writes it: 200ms, 2s, 1m30s.
type Duration time.Duration

// Enumerations whose values the parser checks.
type (
	// Signing is valid, bad, stale or missing.
	Signing string
	// Platform is an OptPlatform.
	Platform string
	// OpType is add or delete.
	OpType string
	// Destroyer is user or system.
	Destroyer string
	// Mode is a TakeSeatMode.
	Mode string
)

// Values lists the allowed values.
func (Signing) Values() []string {
	return []string{"valid", "bad", "stale", "missing", "wrong_tail", "wrong_upper", "truncated"}
}

// Values lists the allowed values.
func (Platform) Values() []string { return webhook.Platforms }

// Values lists the allowed values.
func (OpType) Values() []string { return webhook.OpTypes }

// Values lists the allowed values.
func (Destroyer) Values() []string { return []string{"user", "system"} }

// Values lists the allowed values.
func (Mode) Values() []string { return webhook.TakeSeatModes }
