//go:build !race

package main

import "github.com/livehook/livehook/webhook"

// contractDeadline is the deadline of the contract's webhooks in these tests: the vendor's.
const contractDeadline = webhook.DefaultTimeout
