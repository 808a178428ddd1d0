package webhook

import (
	"github.com/livehook/livehook/internal/text"

	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxBodyDepth is how deeply a body may nest objects and arrays; the protocol's bodies nest
// three levels, and a deeper body is refused before it costs more than a scan.
const MaxBodyDepth = 1000

// kind is the JSON type, and range, a field must have.
type kind uint8

const (
	kString   kind = iota
	kCount         // an integer from 0 to 2^32-1: a size or a count
	kInt32         // an app-defined integer of 32 bits, signed
	kTotal         // an integer from 0 to 2^63-1: a total over a room's life
	kBool          // true or false
	kUser          // a user ID: a string of at most MaxUserIDBytes
	kAccount       // a user ID, or a non-negative integer that fits 64 bits as in the Destroy sample
	kInt32s        // an array of kInt32
	kUsers         // an array of kUser
	kObject        // an object, checked against its own field list
	kCommand       // a string equal to the command
	kEnum          // a string from a list
	kTimeMS        // an integer of Unix milliseconds
	kTimeSecs      // an integer of Unix seconds
	kStrings       // an array of kString
	kObjects       // an array of kObject, each checked against the field list
	kAny           // any JSON value; an object's fields, if listed, are looked at but never wrong
	kIntEnum       // an integer from a list, written as in enum
	kSecsOr0       // kTimeSecs, or 0 for an instant that never came (a battle that never began)
)

// field describes one body field for validation.
type field struct {
	name     string
	kind     kind
	required bool
	enum     []string
	fields   []field // for kObject
}

// Field lists per command, made from the events' live tags (fields.go). Required are the
// fields every documented shape carries: the Create sample omits EventTime, and the production
// shape of a system destroy lacks Category and Statistic. Fields not listed are accepted, as a
// receiver must tolerate fields it does not know. The vendor types every number "Integer"
// without a width; the ranges are those of the types behind them (docs/protocol.md).
var bodyFields = func() map[Command][]field {
	m := make(map[Command][]field, len(eventTypes))
	for cmd, mk := range eventTypes {
		m[cmd] = fieldList(reflect.TypeOf(mk()).Elem())
	}
	return m
}()

var (
	// roomFields find the room of any body, of any command.
	roomFields = []field{
		{name: "RoomId", kind: kString},
		{name: "RoomInfo", kind: kObject, fields: []field{{name: "RoomId", kind: kString}}},
	}
	// otherFields are all that is known of a body of a command without a field list: its
	// CallbackCommand, when it has one, is the URL's; RoomId and RoomInfo.RoomId, of any type,
	// are only read for the log.
	otherFields = []field{
		{name: "CallbackCommand", kind: kCommand},
		{name: "RoomId", kind: kAny},
		{name: "RoomInfo", kind: kAny, fields: []field{{name: "RoomId", kind: kAny}}},
	}
	int32Element  = field{kind: kInt32}
	userElement   = field{kind: kUser}
	stringElement = field{kind: kString}
)

// ValidateBody checks a webhook body against the protocol for cmd: a JSON object (UTF-8, each
// key once per object, surrogate escapes only in pairs) whose CallbackCommand equals cmd, with
// every required field, and every known field of its JSON type and range. Fields the protocol
// does not name are accepted. The error names the first field at fault; errors.Is(err,
// ErrNotJSONObject) tells a body that is not a JSON object at all.
func ValidateBody(cmd Command, body []byte) error {
	fields, ok := bodyFields[cmd]
	if !ok {
		return fmt.Errorf("no field list for command %q (CheckOtherBody checks what can be checked of it): want one of %s", cmd, joinCommands())
	}
	// The receiver runs this for every webhook: one scan over the bytes checks the syntax,
	// the encoding and the fields, without decoding into maps.
	p := parsers.Get().(*parser)
	defer p.release()
	return p.body(cmd, body, fields)
}

// CheckBody is ValidateBody that also returns the room the body is about (RoomId, at the top
// or in RoomInfo; "" when it names none), as far as the body could be read.
func CheckBody(cmd Command, body []byte) (room string, err error) {
	fields, ok := bodyFields[cmd]
	if !ok {
		return BodyRoom(body), fmt.Errorf("no field list for command %q (CheckOtherBody checks what can be checked of it): want one of %s", cmd, joinCommands())
	}
	p := parsers.Get().(*parser)
	defer p.release()
	err = p.body(cmd, body, fields)
	return p.roomID(), err
}

// CheckOtherBody checks what can be checked of a body of a command that has no field list here
// (one that Command.Known does not report): a JSON object, as ValidateBody checks it, whose
// CallbackCommand, when it has one, equals cmd. It returns the room the body names, as CheckBody.
// A receiver placed in front of the Live backend runs it for commands it does not know, which
// it must acknowledge when they are well formed, never refuse.
func CheckOtherBody(cmd Command, body []byte) (room string, err error) {
	p := parsers.Get().(*parser)
	defer p.release()
	err = p.body(cmd, body, otherFields)
	return p.roomID(), err
}

// BodyRoom returns the RoomId a body names, at the top or in RoomInfo, of any command; "" when
// it names none or is not JSON.
func BodyRoom(body []byte) string {
	p := parsers.Get().(*parser)
	defer p.release()
	_ = p.body("", body, roomFields)
	return p.roomID()
}

func joinCommands() string {
	s := make([]string, len(EventCommands))
	for i, c := range EventCommands {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

var parsers = sync.Pool{New: func() any { return new(parser) }}

// parser checks a body in one pass: JSON syntax (as encoding/json), UTF-8, surrogate pairs,
// duplicate keys, depth, and the fields of the known objects. A syntax error ends the scan; the
// first protocol violation is kept and returned once the whole body is known to be JSON, so
// that "not JSON" wins over a wrong field.
type parser struct {
	b     []byte
	i     int
	cmd   Command
	depth int
	bad   error
	path  []segment // where the scan is, for messages
	keys  []keyRef  // the keys of the objects open, innermost last
	room  []byte    // the RoomId string, quotes included
	top   bool      // room is the top-level RoomId
}

// segment is one step of a path: an object member or an array element.
type segment struct {
	key     []byte
	index   int
	isIndex bool
}

type keyRef struct {
	name []byte
	at   int
}

// bigObject is how many keys an object may have before duplicates are looked up in a map
// rather than by comparing with each earlier key.
const bigObject = 32

func (p *parser) release() {
	clear(p.keys[:cap(p.keys)])
	clear(p.path[:cap(p.path)])
	*p = parser{keys: p.keys[:0], path: p.path[:0]}
	parsers.Put(p)
}

func (p *parser) roomID() string {
	if p.room == nil {
		return ""
	}
	if bytes.IndexByte(p.room, '\\') < 0 {
		return string(p.room[1 : len(p.room)-1])
	}
	var s string
	_ = json.Unmarshal(p.room, &s)
	return s
}

func (p *parser) body(cmd Command, b []byte, fields []field) error {
	p.b, p.cmd = b, cmd
	p.ws()
	if p.i == len(b) {
		return &notObjectError{"body is empty, want a JSON object"}
	}
	start, isObject := p.i, b[p.i] == '{'
	var err error
	if isObject {
		err = p.object(fields)
	} else {
		err = p.value(nil)
	}
	if err != nil {
		return err
	}
	p.ws()
	if p.i < len(b) {
		return p.syntax("data after the JSON value")
	}
	if !isObject {
		return &notObjectError{fmt.Sprintf("body is %s, want a JSON object", kindOf(b[start:]))}
	}
	return p.bad
}

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// syntax returns a "not JSON" error at the scan's position.
func (p *parser) syntax(want string) error {
	got := "the end of the body"
	if p.i < len(p.b) {
		got = strconv.QuoteRune(rune(p.b[p.i]))
		if p.b[p.i] >= utf8.RuneSelf {
			got = fmt.Sprintf("byte %#x", p.b[p.i])
		}
	}
	return &notObjectError{fmt.Sprintf("body is not JSON: %s at byte %d, want %s: %s", got, p.i, want, text.Excerpt(p.b, 80))}
}

// where names the scan's position for a message: RoomInfo.Category[2], or "the body".
func (p *parser) where() string {
	if len(p.path) == 0 {
		return "the body"
	}
	var sb strings.Builder
	n := len(p.path)
	for i := 0; i < n; i++ {
		// A deep path is named by its ends, in time that does not grow with its depth: a body
		// nested MaxBodyDepth deep may name many faults, and each names its place.
		if n > 2*pathEnds && i == pathEnds {
			fmt.Fprintf(&sb, "...(%d levels)", n-2*pathEnds)
			i = n - pathEnds - 1
			continue
		}
		s := p.path[i]
		switch {
		case s.isIndex:
			fmt.Fprintf(&sb, "[%d]", s.index)
		case plainKey(s.key):
			if i > 0 {
				sb.WriteByte('.')
			}
			sb.Write(s.key)
		default: // a key from the wire is quoted, never printed raw
			fmt.Fprintf(&sb, "[%q]", s.key)
		}
	}
	return sb.String()
}

// pathEnds is how many steps of a deep path a message names at each end.
const pathEnds = 4

func plainKey(k []byte) bool {
	if len(k) == 0 || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func (p *parser) violate(format string, args ...any) {
	if p.bad == nil {
		p.bad = fmt.Errorf(format, args...)
	}
}

func (p *parser) enter() error {
	if p.depth++; p.depth > MaxBodyDepth {
		return fmt.Errorf("%s nests deeper than %d levels at byte %d", p.where(), MaxBodyDepth, p.i)
	}
	p.i++
	p.ws()
	return nil
}

// value scans the value at p.i and checks it against f when f is not nil.
func (p *parser) value(f *field) error {
	if p.i >= len(p.b) {
		return p.syntax("a value")
	}
	start := p.i
	var err error
	switch c := p.b[p.i]; {
	case c == '{':
		var fields []field
		if f != nil && (f.kind == kObject || f.kind == kAny) {
			fields = f.fields
		}
		err = p.object(fields)
	case c == '[':
		var elem *field
		if f != nil && f.kind == kInt32s {
			elem = &int32Element
		} else if f != nil && f.kind == kUsers {
			elem = &userElement
		} else if f != nil && f.kind == kStrings {
			elem = &stringElement
		} else if f != nil && f.kind == kObjects {
			elem = &field{kind: kObject, fields: f.fields}
		}
		err = p.array(elem)
	case c == '"':
		_, err = p.str()
	case c == 't':
		err = p.literal("true")
	case c == 'f':
		err = p.literal("false")
	case c == 'n':
		err = p.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		err = p.number()
	default:
		return p.syntax("a value")
	}
	if err == nil && f != nil {
		p.check(f, p.b[start:p.i])
	}
	return err
}

func (p *parser) literal(lit string) error {
	if !bytes.HasPrefix(p.b[p.i:], []byte(lit)) {
		return p.syntax(lit)
	}
	p.i += len(lit)
	return nil
}

func (p *parser) number() error {
	b, i := p.b, p.i
	if b[i] == '-' {
		i++
	}
	digits := func() bool {
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > s
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		p.i = i
		return p.syntax("a digit")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			p.i = i
			return p.syntax("a digit after the decimal point")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			p.i = i
			return p.syntax("a digit in the exponent")
		}
	}
	p.i = i
	return nil
}

// str scans a string and reports whether it holds escapes.
func (p *parser) str() (escaped bool, err error) {
	b, i := p.b, p.i+1
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			p.i = i + 1
			return escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				p.i = len(b)
				return escaped, p.syntax("the end of the escape")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				r, ok := hex4(b, i+2)
				if !ok {
					p.i = i
					return escaped, p.syntax(`four hex digits after \u`)
				}
				switch {
				case r >= 0xd800 && r < 0xdc00:
					if lo, ok := hex4(b, i+8); ok && b[i+6] == '\\' && b[i+7] == 'u' && lo >= 0xdc00 && lo < 0xe000 {
						i += 12
						continue
					}
					p.violate(`%s holds the lone UTF-16 surrogate \u%04x at byte %d; a string may escape a surrogate only as a high-low pair`, p.where(), r, i)
				case r >= 0xdc00 && r < 0xe000:
					p.violate(`%s holds the lone UTF-16 surrogate \u%04x at byte %d; a string may escape a surrogate only as a high-low pair`, p.where(), r, i)
				}
				i += 6
			default:
				p.i = i
				return escaped, p.syntax(`an escape (\" \\ \/ \b \f \n \r \t \uXXXX)`)
			}
		case c < 0x20:
			p.i = i
			return escaped, p.syntax("a control character escaped")
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				return escaped, &notObjectError{fmt.Sprintf("body is not UTF-8: byte %#x at byte %d (in %s); JSON text must be UTF-8", c, i, p.where())}
			}
			i += n
		}
	}
	p.i = i
	return escaped, p.syntax(`'"' to end the string`)
}

// hex4 reads four hex digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func unquote(raw []byte) []byte {
	var s string
	_ = json.Unmarshal(raw, &s)
	return []byte(s)
}

func (p *parser) object(fields []field) error {
	if err := p.enter(); err != nil {
		return err
	}
	keys0 := len(p.keys)
	var seen uint64
	var big map[string]int
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
	} else {
		for n := 0; ; n++ {
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				return p.syntax("a key in double quotes")
			}
			at := p.i
			escaped, err := p.str()
			if err != nil {
				return err
			}
			key := p.b[at+1 : p.i-1]
			if escaped {
				key = unquote(p.b[at:p.i])
			}
			big = p.addKey(keys0, key, at, big)
			p.ws()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return p.syntax("':' after the key")
			}
			p.i++
			p.ws()
			var f *field
			for j := range fields {
				if fields[j].name == string(key) {
					f, seen = &fields[j], seen|1<<j
					break
				}
			}
			p.path = append(p.path, segment{key: key})
			if err := p.value(f); err != nil {
				return err
			}
			p.path = p.path[:len(p.path)-1]
			if more, err := p.next('}'); err != nil || !more {
				if err != nil {
					return err
				}
				break
			}
		}
	}
	clear(p.keys[keys0:])
	p.keys = p.keys[:keys0]
	p.depth--
	for j, f := range fields {
		if f.required && seen&(1<<j) == 0 {
			p.violate("%s is missing", p.name(f.name))
		}
	}
	return nil
}

// name is the full name of the field called name of the object being scanned.
func (p *parser) name(name string) string {
	if len(p.path) == 0 {
		return name
	}
	return p.where() + "." + name
}

// addKey records key, at byte at, in the object whose keys start at keys0, and reports it when
// the object had it already. Past bigObject keys, big maps each key to its position.
func (p *parser) addKey(keys0 int, key []byte, at int, big map[string]int) map[string]int {
	if big == nil && len(p.keys)-keys0 < bigObject {
		for _, k := range p.keys[keys0:] {
			if bytes.Equal(k.name, key) {
				p.violate("%s has the key %q twice (at bytes %d and %d); a key may appear once per object", p.where(), key, k.at, at)
				break
			}
		}
		p.keys = append(p.keys, keyRef{key, at})
		return nil
	}
	if big == nil {
		big = make(map[string]int, 2*bigObject)
		for _, k := range p.keys[keys0:] {
			big[string(k.name)] = k.at
		}
	}
	if first, ok := big[string(key)]; ok {
		p.violate("%s has the key %q twice (at bytes %d and %d); a key may appear once per object", p.where(), key, first, at)
	} else {
		big[string(key)] = at
	}
	return big
}

func (p *parser) array(elem *field) error {
	if err := p.enter(); err != nil {
		return err
	}
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		p.depth--
		return nil
	}
	for n := 0; ; n++ {
		p.path = append(p.path, segment{index: n, isIndex: true})
		if err := p.value(elem); err != nil {
			return err
		}
		p.path = p.path[:len(p.path)-1]
		if more, err := p.next(']'); err != nil || !more {
			p.depth--
			return err
		}
	}
}

// next passes the comma before another member or element (true), or the byte that closes the
// object or array (false).
func (p *parser) next(closing byte) (bool, error) {
	p.ws()
	switch {
	case p.i < len(p.b) && p.b[p.i] == ',':
		p.i++
		p.ws()
		return true, nil
	case p.i < len(p.b) && p.b[p.i] == closing:
		p.i++
		return false, nil
	}
	return false, p.syntax("',' or '" + string(closing) + "'")
}

// check checks the value raw, known to be JSON, of the field f at the scan's path.
func (p *parser) check(f *field, raw []byte) {
	if f.name == "RoomId" && raw[0] == '"' && (len(p.path) == 1 || p.room == nil) {
		p.room = raw
	}
	if p.bad != nil {
		return
	}
	switch f.kind {
	case kString:
		if raw[0] != '"' {
			p.violate("%s is %s, want a string", p.where(), kindOf(raw))
		}
	case kCount, kInt32, kTotal, kTimeMS, kTimeSecs, kSecsOr0:
		p.checkInteger(f.kind, raw)
	case kBool:
		if raw[0] != 't' && raw[0] != 'f' {
			p.violate("%s is %s, want true or false", p.where(), kindOf(raw))
		}
	case kUser:
		if raw[0] != '"' {
			p.violate("%s is %s, want a string (a user ID)", p.where(), kindOf(raw))
			return
		}
		p.checkUserLength(raw)
	case kAccount:
		switch {
		case raw[0] == '"':
			p.checkUserLength(raw)
		case !isIntegerLiteral(raw):
			p.violate("%s is %s, want a string (or an integer user ID)", p.where(), kindOf(raw))
		case raw[0] == '-':
			p.violate("%s is %s, want a user ID: a numeric one has no sign", p.where(), kindOf(raw))
		default:
			if _, ok := magnitude(raw); !ok {
				p.violate("%s is a number of %d digits, want a user ID: a numeric one fits 64 bits (at most %d)", p.where(), len(raw), uint64(math.MaxUint64))
			}
		}
	case kInt32s, kUsers, kStrings, kObjects:
		if raw[0] != '[' {
			p.violate("%s is %s, want an array", p.where(), kindOf(raw))
		}
	case kObject:
		if raw[0] != '{' {
			p.violate("%s is %s, want an object", p.where(), kindOf(raw))
		}
	case kIntEnum:
		if !isIntegerLiteral(raw) {
			p.violate("%s is %s, want an integer", p.where(), kindOf(raw))
		} else if !inEnum(f.enum, raw) {
			p.violate("%s is %s, want one of %s", p.where(), raw, strings.Join(f.enum, ", "))
		}
	case kCommand, kEnum:
		if raw[0] != '"' {
			p.violate("%s is %s, want a string", p.where(), kindOf(raw))
			return
		}
		s := raw[1 : len(raw)-1]
		if bytes.IndexByte(s, '\\') >= 0 {
			s = unquote(raw)
		}
		if f.kind == kCommand && string(s) != string(p.cmd) {
			p.violate("%s is %q in the body but %q in the URL", p.where(), s, p.cmd)
		}
		if f.kind == kEnum && !inEnum(f.enum, s) {
			p.violate("%s is %q, want one of %s", p.where(), s, strings.Join(f.enum, ", "))
		}
	}
}

func inEnum(enum []string, s []byte) bool {
	for _, e := range enum {
		if e == string(s) {
			return true
		}
	}
	return false
}

func (p *parser) checkUserLength(raw []byte) {
	s := raw[1 : len(raw)-1]
	if bytes.IndexByte(s, '\\') >= 0 {
		s = unquote(raw)
	}
	if len(s) > MaxUserIDBytes {
		p.violate("%s is %d bytes long (%s), want a user ID: at most %d bytes", p.where(), len(s), text.Excerpt(s, 40), MaxUserIDBytes)
	}
}

// ranges of the integer kinds.
var intRanges = map[kind]struct {
	min, max int64
	what     string
}{
	kCount: {0, math.MaxUint32, "a count"},
	kInt32: {math.MinInt32, math.MaxInt32, "a 32-bit integer"},
	kTotal: {0, math.MaxInt64, "a total"},
}

func (p *parser) checkInteger(k kind, raw []byte) {
	if !isIntegerLiteral(raw) {
		p.violate("%s is %s, want an integer", p.where(), kindOf(raw))
		return
	}
	n, ok := parseInt(raw)
	if k == kSecsOr0 {
		if ok && n == 0 {
			return
		}
		k = kTimeSecs
	}
	if k == kTimeMS || k == kTimeSecs {
		if !ok {
			p.violate("%s is %s, want an integer that fits 64 bits", p.where(), kindOf(raw))
			return
		}
		if err := checkTimeUnit(n, k); err != nil {
			p.violate("%s is %d, %v", p.where(), n, err)
		}
		return
	}
	r := intRanges[k]
	if !ok || n < r.min || n > r.max {
		p.violate("%s is %s, out of range: want %s, from %d to %d", p.where(), kindOf(raw), r.what, r.min, r.max)
	}
}

// magnitude returns the value of an integer literal without its sign, and whether it fits 64 bits.
func magnitude(b []byte) (uint64, bool) {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// parseInt parses an integer literal that fits int64.
func parseInt(b []byte) (int64, bool) {
	m, ok := magnitude(b)
	neg := len(b) > 0 && b[0] == '-'
	switch {
	case !ok:
		return 0, false
	case neg && m <= 1<<63:
		return -int64(m-1) - 1, true
	case !neg && m <= math.MaxInt64:
		return int64(m), true
	}
	return 0, false
}

// Plausible time ranges tell seconds from milliseconds: 10 digits are seconds until 2286,
// 13 digits are milliseconds.
const (
	minSecs, maxSecs = 1_000_000_000, 9_999_999_999
	minMS, maxMS     = minSecs * 1000, maxSecs*1000 + 999
)

// checkTimeUnit says what is wrong with n as a time of kind k (kTimeMS or kTimeSecs).
func checkTimeUnit(n int64, k kind) error {
	switch {
	case k == kTimeMS && n >= minSecs && n <= maxSecs:
		return errors.New("which looks like Unix seconds; want Unix milliseconds")
	case k == kTimeMS && (n < minMS || n > maxMS):
		return errors.New("want Unix milliseconds (13 digits)")
	case k == kTimeSecs && n >= minMS && n <= maxMS:
		return errors.New("which looks like Unix milliseconds; want Unix seconds")
	case k == kTimeSecs && (n < minSecs || n > maxSecs):
		return errors.New("want Unix seconds (10 digits)")
	}
	return nil
}
