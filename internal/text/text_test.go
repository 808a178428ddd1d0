package text

import (
	"strings"
	"testing"
)

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"abc", `"abc"`},
		{`"quoted"`, `"quoted"`},
		{"", `""`},
		{"two\nrow", `"two\nrow"`},
		{strings.Repeat("a", 10), `"aaaaaaaa"... (10 bytes)`},
		{"aaaaaaa€", `"aaaaaaa"... (10 bytes)`}, // the cut does not split the euro sign
	} {
		if got := Excerpt([]byte(tc.in), 8); got != tc.want {
			t.Errorf("Excerpt(%q, 8) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain words, 中文", "plain words, 中文"},
		{"two\nlines", `two\nlines`},
		{"\x1b[31mred", `\x1b[31mred`},
		{"bidi\u202eoverride", `bidi\u202eoverride`},
		{"bad \xff byte", `bad \xff byte`},
	} {
		if got := Printable(tc.in); got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSuggestBounds(t *testing.T) {
	if got := Suggest("stpes", []string{"steps", "name"}); got != ` (did you mean "steps"?)` {
		t.Errorf("got %q", got)
	}
	long := strings.Repeat("k", maxSuggestLen+1)
	if got := Suggest(long, []string{long + "x"}); got != "" {
		t.Errorf("a word longer than %d bytes got a suggestion: %q", maxSuggestLen, got)
	}
}
