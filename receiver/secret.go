package receiver

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDecodeLayers bounds how many layers of escapes (a percent-encoded \u escape, say) are
// looked through for the token.
const maxDecodeLayers = 4

// unit is one byte of a decoded text and the span of the original text it came from.
type unit struct {
	b          byte
	start, end int
}

// cutSecret removes from s every span that is, or decodes to, secret: as is, percent-encoded
// (with + for a space), escaped as in JSON or Go strings (\uXXXX with surrogate pairs,
// \UXXXXXXXX, \xXX, \" and \\ and the like), or layers of these. It reports whether it cut
// anything. It is the one place the receiver finds its token in what a sender or an app wrote.
func cutSecret(s, secret string) (string, bool) {
	if secret == "" {
		return s, false
	}
	cut := false
	// Cutting can join the pieces around a cut into the secret again: go on until none is left;
	// each round shortens s, so this ends.
	for {
		spans := secretSpans(s, secret)
		if len(spans) == 0 {
			return s, cut
		}
		cut = true
		var b strings.Builder
		last := 0
		for _, sp := range spans {
			b.WriteString(s[last:sp[0]])
			last = sp[1]
		}
		b.WriteString(s[last:])
		s = b.String()
	}
}

// secretSpans returns the spans of s that are or decode to secret, in order, merged where they
// overlap.
func secretSpans(s, secret string) [][2]int {
	plain := !strings.ContainsAny(s, `%\+`)
	if plain {
		var spans [][2]int
		for off := 0; ; {
			i := strings.Index(s[off:], secret)
			if i < 0 {
				return spans
			}
			spans = append(spans, [2]int{off + i, off + i + len(secret)})
			off += i + len(secret)
		}
	}
	us := make([]unit, len(s))
	for i := range len(s) {
		us[i] = unit{s[i], i, i + 1}
	}
	var spans [][2]int
	for layer := 0; ; layer++ {
		spans = mergeSpans(spans, match(us, secret))
		if layer == maxDecodeLayers {
			return spans
		}
		next, changed := decodeLayer(us)
		if !changed {
			return spans
		}
		us = next
	}
}

// match returns the spans of the units that spell secret; a + stands for itself or a space.
func match(us []unit, secret string) [][2]int {
	var spans [][2]int
	for i := 0; i+len(secret) <= len(us); i++ {
		j := 0
		for ; j < len(secret); j++ {
			b := us[i+j].b
			if b != secret[j] && (b != '+' || secret[j] != ' ') {
				break
			}
		}
		if j == len(secret) {
			spans = append(spans, [2]int{us[i].start, us[i+len(secret)-1].end})
			i += len(secret) - 1
		}
	}
	return spans
}

// mergeSpans returns the union of two sets of spans, sorted, overlapping ones merged.
func mergeSpans(a, b [][2]int) [][2]int {
	all := append(append([][2]int(nil), a...), b...)
	if len(all) < 2 {
		return all
	}
	for i := 1; i < len(all); i++ { // few spans: insertion sort
		for j := i; j > 0 && all[j][0] < all[j-1][0]; j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	out := all[:1]
	for _, sp := range all[1:] {
		if last := &out[len(out)-1]; sp[0] < last[1] {
			last[1] = max(last[1], sp[1])
		} else {
			out = append(out, sp)
		}
	}
	return out
}

// decodeLayer decodes one layer of percent and backslash escapes; each decoded byte spans the
// whole escape it came from.
func decodeLayer(us []unit) ([]unit, bool) {
	out := make([]unit, 0, len(us))
	changed := false
	emit := func(from, to int, bs ...byte) {
		for _, b := range bs {
			out = append(out, unit{b, us[from].start, us[to-1].end})
		}
		changed = true
	}
	for i := 0; i < len(us); {
		switch us[i].b {
		case '%':
			if v, ok := hexAt(us, i+1, 2); ok {
				emit(i, i+3, byte(v))
				i += 3
				continue
			}
		case '\\':
			if i+1 >= len(us) {
				break
			}
			switch c := us[i+1].b; c {
			case 'u':
				if v, ok := hexAt(us, i+2, 4); ok {
					r, n := rune(v), 6
					if utf16.IsSurrogate(r) && i+11 < len(us) && us[i+6].b == '\\' && us[i+7].b == 'u' {
						if lo, ok := hexAt(us, i+8, 4); ok {
							if p := utf16.DecodeRune(r, rune(lo)); p != utf8.RuneError {
								r, n = p, 12
							}
						}
					}
					emit(i, i+n, utf8.AppendRune(nil, r)...)
					i += n
					continue
				}
			case 'U':
				if v, ok := hexAt(us, i+2, 8); ok && v <= utf8.MaxRune {
					emit(i, i+10, utf8.AppendRune(nil, rune(v))...)
					i += 10
					continue
				}
			case 'x':
				if v, ok := hexAt(us, i+2, 2); ok {
					emit(i, i+4, byte(v))
					i += 4
					continue
				}
			default:
				if b, ok := simpleEscapes[c]; ok {
					emit(i, i+2, b)
					i += 2
					continue
				}
			}
		}
		out = append(out, us[i])
		i++
	}
	return out, changed
}

// simpleEscapes are the one-letter escapes of JSON and Go strings.
var simpleEscapes = map[byte]byte{'"': '"', '\\': '\\', '/': '/', '\'': '\'', 'n': '\n', 't': '\t', 'r': '\r', 'b': '\b', 'f': '\f', 'a': '\a', 'v': '\v'}

// hexAt reads n hex digits from us[i:].
func hexAt(us []unit, i, n int) (uint64, bool) {
	if i+n > len(us) {
		return 0, false
	}
	var v uint64
	for _, u := range us[i : i+n] {
		c := u.b
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint64(c)
	}
	return v, true
}
