package scenarios

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/livehook/livehook/scenarios/report"
	"github.com/livehook/livehook/webhook"
)

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

func (m *ModifyAdmin) probe() *Probe { return &m.Probe }

func (m *ModifyAdmin) validate(v *stepCheck) {
	v.roomRef(m.Room)
	if m.OwnerAsNumber {
		v.errorf("modify_admin: owner_as_number does not apply: this webhook carries no Owner_Account")
	}
	if len(m.Accounts) > webhook.MaxAdmins {
		v.errorf("modify_admin: %d accounts, but a room has at most %d admins", len(m.Accounts), webhook.MaxAdmins)
	}
	v.checkBodyPaths(webhook.CommandModifyAdmin, &m.Probe)
}

func (m *ModifyAdmin) run(ctx context.Context, x *execution, st *Step, sr *report.StepResult) {
	runChange(ctx, x, st, sr, "modify_admin", m)
}

// change changes the room's admins by the rules of room, and returns the webhook. A step
// that would change nothing is an error: the Live backend reports only changes.
func (m *ModifyAdmin) change(x *execution) (webhook.Message, error) {
	r, err := x.room(m.Room)
	if err != nil {
		return webhook.Message{}, err
	}
	now := x.now()
	accounts := m.Accounts
	var msg webhook.Message
	var changed bool
	if m.Op == "" || m.Op == webhook.OpTypeAdd {
		if accounts == nil {
			accounts = x.gen.NewAdmins(r.Room, 1+x.gen.Rand().Intn(2))
		}
		msg, changed, err = r.AddAdmins(m.Operator, accounts, now)
	} else {
		if accounts == nil {
			accounts = slices.Clone(r.Admins)
		}
		msg, changed, err = r.RemoveAdmins(m.Operator, accounts, now, true)
	}
	switch {
	case err != nil:
		return msg, err
	case !changed && len(accounts) == 0 && m.Op == webhook.OpTypeDelete:
		return msg, fmt.Errorf("room %q has no admins to remove: add some first", r.Info.RoomId)
	case !changed && len(accounts) == 0:
		return msg, fmt.Errorf("room %q has %d admins, at most %d are allowed: remove some first", r.Info.RoomId, len(r.Admins), webhook.MaxAdmins)
	case !changed:
		return msg, fmt.Errorf("%s already admins of room %q: the Live backend reports only changes", strings.Join(accounts, ", "), r.Info.RoomId)
	}
	if got := msg.Event.(*webhook.ModifyAdmin).AdminAccount; len(got) != len(slices.Compact(slices.Sorted(slices.Values(accounts)))) {
		return msg, fmt.Errorf("of %s, only %s would change: the others are admins of room %q already", strings.Join(accounts, ", "), strings.Join(got, ", "), r.Info.RoomId)
	}
	return msg, nil
}
