// Package runner runs scenarios (package scenarios reads them) against an app backend: each
// step's ${...} references replaced, its webhook built by the room model (package room), signed
// and sent (package sender), alone or under the scenario's delivery conditions (package
// delivery), and its answer judged against the step's expect. Run runs whole files and returns
// a report.Report; RunScenario runs one scenario under another test runner (package suite);
// Control is the valid webhooks a run sends when its refusals need an acknowledgement beside
// them.
package runner
