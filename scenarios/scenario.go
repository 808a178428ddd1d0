// Package scenarios reads webhook scenarios from YAML, checks them strictly, and runs them
// against an app backend, reporting what each step sent, what came back and what broke.
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
	Repeat int     `yaml:"repeat" json:"repeat,omitempty"`
	Steps  []*Step `yaml:"steps" json:"steps"`

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

// Step is one action and what to expect of it. Exactly one action field is set.
type Step struct {
	// Name optionally labels the step in reports.
	Name        string       `yaml:"name" json:"name,omitempty"`
	CreateRoom  *CreateRoom  `yaml:"create_room" json:"create_room,omitempty"`
	ModifyAdmin *ModifyAdmin `yaml:"modify_admin" json:"modify_admin,omitempty"`
	DestroyRoom *DestroyRoom `yaml:"destroy_room" json:"destroy_room,omitempty"`
	Wait        *Duration    `yaml:"wait" json:"wait,omitempty"`
	Send        *Send        `yaml:"send" json:"send,omitempty"`
	Generate    *Generate    `yaml:"generate" json:"generate,omitempty"`
	Check       *Check       `yaml:"check" json:"check,omitempty"`
	// Expect is what the answer must be; acknowledged unless set.
	Expect *Expect `yaml:"expect" json:"expect,omitempty"`

	Pos Pos `yaml:"-" json:"-"`
}

// Actions are the keys that name a step's action.
var Actions = []string{"create_room", "modify_admin", "destroy_room", "wait", "send", "generate", "check"}

// Action returns the name of the step's action, or "" when none is set.
func (s *Step) Action() string {
	switch {
	case s.CreateRoom != nil:
		return "create_room"
	case s.ModifyAdmin != nil:
		return "modify_admin"
	case s.DestroyRoom != nil:
		return "destroy_room"
	case s.Wait != nil:
		return "wait"
	case s.Send != nil:
		return "send"
	case s.Generate != nil:
		return "generate"
	case s.Check != nil:
		return "check"
	}
	return ""
}

// probe returns the step's webhook modifiers, or nil for steps that send no webhook.
func (s *Step) probe() *Probe {
	switch {
	case s.CreateRoom != nil:
		return &s.CreateRoom.Probe
	case s.ModifyAdmin != nil:
		return &s.ModifyAdmin.Probe
	case s.DestroyRoom != nil:
		return &s.DestroyRoom.Probe
	case s.Send != nil:
		return &s.Send.Probe
	}
	return nil
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
	// ClientIP and Platform set the URL's ClientIP and OptPlatform (generated unless set).
	ClientIP string   `yaml:"client_ip" json:"client_ip,omitempty"`
	Platform Platform `yaml:"platform" json:"platform,omitempty"`
}

// CreateRoom sends Live.CallbackAfterCreateRoom for a new room.
type CreateRoom struct {
	// As names the room for later steps (${NAME.RoomId}, room: NAME).
	As string `yaml:"as" json:"as,omitempty"`
	// Operator is Operator_Account; the owner unless set.
	Operator string `yaml:"operator" json:"operator,omitempty"`
	// RoomInfo sets fields of the room; those left out are generated.
	RoomInfo RoomFields `yaml:"RoomInfo" json:"RoomInfo,omitempty"`
	Probe    `yaml:",inline" json:",inline"`
}

// RoomFields are the RoomInfo fields a scenario may set; nil ones are generated.
type RoomFields struct {
	RoomId            *string `yaml:"RoomId" json:"RoomId,omitempty"`
	RoomName          *string `yaml:"RoomName" json:"RoomName,omitempty"`
	RoomType          *string `yaml:"RoomType" json:"RoomType,omitempty"`
	OwnerAccount      *string `yaml:"Owner_Account" json:"Owner_Account,omitempty"`
	MaxMemberCount    *int    `yaml:"MaxMemberCount" json:"MaxMemberCount,omitempty"`
	IsMessageDisabled *bool   `yaml:"IsMessageDisabled" json:"IsMessageDisabled,omitempty"`
	CustomInfo        *string `yaml:"CustomInfo" json:"CustomInfo,omitempty"`
	IsSeatEnabled     *bool   `yaml:"IsSeatEnabled" json:"IsSeatEnabled,omitempty"`
	TakeSeatMode      *Mode   `yaml:"TakeSeatMode" json:"TakeSeatMode,omitempty"`
	MaxSeatCount      *int    `yaml:"MaxSeatCount" json:"MaxSeatCount,omitempty"`
	CreateTime        *int64  `yaml:"CreateTime" json:"CreateTime,omitempty"`
	IsPublicVisible   *bool   `yaml:"IsPublicVisible" json:"IsPublicVisible,omitempty"`
	CoverURL          *string `yaml:"CoverURL" json:"CoverURL,omitempty"`
	Category          []int   `yaml:"Category" json:"Category,omitempty"`
}

// ModifyAdmin sends Live.CallbackAfterModifyAdmin.
type ModifyAdmin struct {
	// Room names a room created earlier (as: NAME); the last one created unless set.
	Room string `yaml:"room" json:"room,omitempty"`
	// Op is add or delete (add unless set).
	Op OpType `yaml:"op" json:"op,omitempty"`
	// Accounts are the admins added or removed: for add, users from the population unless set;
	// for delete, the room's current admins unless set.
	Accounts []string `yaml:"accounts" json:"accounts,omitempty"`
	// Operator is Operator_Account; the room's owner unless set.
	Operator string `yaml:"operator" json:"operator,omitempty"`
	Probe    `yaml:",inline" json:",inline"`
}

// DestroyRoom sends Live.CallbackAfterDestroyRoom.
type DestroyRoom struct {
	// Room names a room created earlier; the last one created unless set.
	Room string `yaml:"room" json:"room,omitempty"`
	// By is user (DestroyByUser, the owner dissolves it) or system (DestroyBySystem, the
	// production shape: Operator_Account "@TIM#SYSTEM", RoomInfo.RoomId, no Category, no Statistic).
	By Destroyer `yaml:"by" json:"by,omitempty"`
	// Operator is Operator_Account; the owner, or "@TIM#SYSTEM" for a system destroy, unless set.
	Operator string `yaml:"operator" json:"operator,omitempty"`
	// Statistic sets the statistic's fields; those left out are generated.
	Statistic StatisticFields `yaml:"Statistic" json:"Statistic,omitempty"`
	Probe     `yaml:",inline" json:",inline"`
}

// StatisticFields are the Statistic fields a scenario may set; nil ones are generated.
type StatisticFields struct {
	TotalViewers           *int `yaml:"TotalViewers" json:"TotalViewers,omitempty"`
	TotalGiftsSent         *int `yaml:"TotalGiftsSent" json:"TotalGiftsSent,omitempty"`
	TotalGiftCoins         *int `yaml:"TotalGiftCoins" json:"TotalGiftCoins,omitempty"`
	TotalUniqueGiftSenders *int `yaml:"TotalUniqueGiftSenders" json:"TotalUniqueGiftSenders,omitempty"`
	TotalLikesReceived     *int `yaml:"TotalLikesReceived" json:"TotalLikesReceived,omitempty"`
}

// Send sends any body as any command: a probe for what the other steps cannot say.
type Send struct {
	// Command goes into the URL's CallbackCommand. Required.
	Command string `yaml:"command" json:"command"`
	// Body is sent as it is, after ${...} substitution. Required.
	Body string `yaml:"body" json:"body"`
	// Query, when set, replaces the whole generated query string.
	Query string `yaml:"query" json:"query,omitempty"`
	Probe `yaml:",inline" json:",inline"`
}

// Generate sends the full lifecycles of realistic rooms from the generator: rooms open, change
// admins and close, interleaved as the traffic model has them, each room's events in order.
type Generate struct {
	// Rooms is how many rooms; at least 1.
	Rooms int `yaml:"rooms" json:"rooms"`
	// Seed makes the rooms; the scenario's own seed, derived from the run's, unless set.
	Seed *int64 `yaml:"seed" json:"seed,omitempty"`
}

// Check makes an HTTP request to the app backend's own API and checks its answer, to see that a
// webhook's data really arrived.
type Check struct {
	// Method is GET unless set.
	Method  string            `yaml:"method" json:"method,omitempty"`
	URL     string            `yaml:"url" json:"url"`
	Headers map[string]string `yaml:"headers" json:"headers,omitempty"`
	Body    string            `yaml:"body" json:"body,omitempty"`
	// Status is the HTTP status wanted (200 unless set).
	Status int `yaml:"status" json:"status,omitempty"`
	// JSON maps dotted paths in the answer's JSON body to the values wanted there, e.g.
	// {"room.RoomId": "${room.RoomId}", "rooms.0.Owner_Account": "host_1"}.
	JSON map[string]any `yaml:"json" json:"json,omitempty"`
	// Within bounds the time to answer (the run's timeout unless set).
	Within Duration `yaml:"within" json:"within,omitempty"`
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
func (Signing) Values() []string { return []string{"valid", "bad", "stale", "missing"} }

// Values lists the allowed values.
func (Platform) Values() []string { return webhook.Platforms }

// Values lists the allowed values.
func (OpType) Values() []string { return webhook.OpTypes }

// Values lists the allowed values.
func (Destroyer) Values() []string { return []string{"user", "system"} }

// Values lists the allowed values.
func (Mode) Values() []string { return webhook.TakeSeatModes }

func (s Signing) signing() webhook.Signing {
	switch s {
	case "bad":
		return webhook.SignBad
	case "stale":
		return webhook.SignStale
	case "missing":
		return webhook.SignMissing
	}
	return webhook.SignValid
}

// needsToken reports whether the signing only makes sense with a callback token.
func (s Signing) needsToken() bool { return s != "" && s != "valid" }
