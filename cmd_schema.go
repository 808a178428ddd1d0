package main

import (
	"context"

	"github.com/livehook/livehook/scenarios"
)

func (m *Main) runSchema(_ context.Context, args []string) error {
	fs := m.newFlagSet("schema", "", `
Print the JSON Schema of scenarios files, with which editors complete and check them. Its $id is
where it is published:
  `+scenarios.SchemaID+`
and a scenarios file names it in its first line, as 'livehook generate' writes it:
  `+scenarios.SchemaComment+`
Offline, save it and name the saved file instead:
  livehook schema > scenarios.schema.json`)
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: schema takes no arguments", fs.Arg(0))
	}
	b, err := scenarios.Schema()
	if err != nil {
		return err
	}
	_, err = m.Stdout.Write(b)
	return err
}
