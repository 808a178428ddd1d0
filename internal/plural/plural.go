// Package plural writes counts for people: "1 webhook", "2 webhooks", "3 deliveries".
package plural

import (
	"fmt"
	"strings"
)

// Number is what a count may be.
type Number interface {
	~int | ~int64 | ~uint64
}

// Of returns n and the word, in the plural unless n is 1: a word ending in a consonant and y
// takes -ies (delivery, deliveries), any other -s (webhook, webhooks).
func Of[N Number](n N, word string) string {
	return fmt.Sprint(n) + " " + Word(n, word)
}

// Word returns the word alone, in the plural unless n is 1.
func Word[N Number](n N, word string) string {
	if n == 1 {
		return word
	}
	if stem, ok := strings.CutSuffix(word, "y"); ok && stem != "" && !strings.ContainsAny(stem[len(stem)-1:], "aeiou") {
		return stem + "ies"
	}
	return word + "s"
}

// Verb returns "was" for 1 and "were" otherwise.
func Verb[N Number](n N) string {
	if n == 1 {
		return "was"
	}
	return "were"
}
