// Package text writes what livehook's messages quote for people: an excerpt of a body, a string
// made printable on one line, and a did-you-mean suggestion for a mistyped name.
package text

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Excerpt returns b as printable text of at most n bytes, for messages.
func Excerpt(b []byte, n int) string {
	if len(b) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		return strconv.Quote(string(b[:cut])) + fmt.Sprintf("... (%d bytes)", len(b))
	}
	if utf8.Valid(b) && len(b) > 0 && b[0] == '"' {
		return string(b)
	}
	return strconv.Quote(string(b))
}

// Printable returns s with every rune that is not graphic (controls, escapes, line breaks,
// bidirectional overrides) escaped as in a Go string, so that s prints on one line as it is.
func Printable(s string) string {
	for _, r := range s {
		if !unicode.IsGraphic(r) || r == utf8.RuneError {
			q := strconv.QuoteToGraphic(s)
			return q[1 : len(q)-1]
		}
	}
	return s
}

// maxSuggestLen bounds the words Suggest compares, whose work grows with the product of their
// lengths: a key of a megabyte must not cost a megabyte squared.
const maxSuggestLen = 64

// Suggest returns ` (did you mean "x"?)` naming the candidate closest to s, or "" when none is close.
func Suggest(s string, candidates []string) string {
	if len(s) > maxSuggestLen {
		return "" // nobody mistypes a word this long, and comparing it costs len² per candidate
	}
	// Up to a third of the word wrong: "destory" is "destroy", "bogus" is not "tags".
	best, bestD := "", len(s)/3+2
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if len(c) > maxSuggestLen {
			continue
		}
		lc := strings.ToLower(c)
		d := editDistance(ls, lc)
		if strings.HasPrefix(lc, ls) {
			d = min(d, 1)
		} else if len(lc) > len(ls) {
			d = min(d, editDistance(ls, lc[:len(ls)])+1) // a misspelt word the candidate starts with
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || best == s {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// IsDigits reports whether s is a non-empty run of ASCII digits: a numeric account ID.
func IsDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Writer keeps the first write error, so that a report is written without a check per line.
type Writer struct {
	W   io.Writer
	Err error
}

// Printf writes as fmt.Fprintf does, unless an earlier write failed.
func (w *Writer) Printf(format string, args ...any) {
	if w.Err == nil {
		_, w.Err = fmt.Fprintf(w.W, format, args...)
	}
}
