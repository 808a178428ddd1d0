package scenarios

import (
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
