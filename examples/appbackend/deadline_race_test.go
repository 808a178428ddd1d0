//go:build race

package main

import "time"

// contractDeadline is the deadline of the contract's webhooks in these tests. The race detector
// slows everything several times over, and 32 webhooks at once on a busy two-core machine then
// took over 2 s in about 1 run in 10; the app is not what is slow.
const contractDeadline = 10 * time.Second
