package scenarios

import (
	"github.com/livehook/livehook/internal/text"

	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Limits on what a file may hold, so that a hostile or mistaken file is refused cleanly.
const (
	// MaxFileBytes bounds a scenarios file.
	MaxFileBytes = 16 << 20
	// maxNodes bounds the YAML nodes visited, aliases expanded: an alias bomb stops here.
	maxNodes = 1_000_000
	// maxErrors bounds the errors reported for one file.
	maxErrors = 20
	// MaxExpandedBytes bounds the text a file expands to, aliases followed and ${vars} replaced:
	// a small file that stands for gigabytes stops here.
	MaxExpandedBytes = 64 << 20
)

// Error is a problem with a scenarios file, at a position.
type Error struct {
	Pos Pos
	// Scenario and Step (1-based; 0 for none) say where in the file's structure.
	Scenario string
	Step     int
	Msg      string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.String())
	b.WriteString(": ")
	if e.Scenario != "" {
		fmt.Fprintf(&b, "scenario %q: ", e.Scenario)
	}
	if e.Step > 0 {
		fmt.Fprintf(&b, "step %d: ", e.Step)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrInvalid is matched (errors.Is) by every error about a file's content.
var ErrInvalid = errors.New("invalid scenarios file")

// Is makes every *Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// ReadFile reads and checks one scenarios file.
func ReadFile(path string, opts ...ParseOption) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(path, f, opts...)
}

// Parse reads and checks a scenarios file from r; name is used in messages. The error, if any,
// joins up to 20 *Error values, each naming file:line:column, scenario and step. Options such as
// WithVars change what is read.
func Parse(name string, r io.Reader, opts ...ParseOption) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	fail := func(line int, format string, args ...any) (*File, error) {
		return nil, &Error{Pos: Pos{File: name, Line: line, Column: 1}, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxFileBytes {
		return fail(0, "file is over %d MiB; split it into several files", MaxFileBytes>>20)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 || !utf8.Valid(data) {
		if i < 0 {
			i = invalidUTF8At(data)
		}
		return fail(bytes.Count(data[:i], []byte("\n"))+1, "file is not UTF-8 text (binary data at byte %d): is this a scenarios file?", i)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(name, data, err)
	}
	if len(doc.Content) == 0 {
		return fail(1, "file is empty: add a scenarios: list (see the README)")
	}
	d := &decoder{file: name, budget: maxNodes, bytes: MaxExpandedBytes}
	for _, o := range opts {
		o(&d.opts)
	}
	f := &File{Path: name}
	d.decodeFile(doc.Content[0], f)
	if len(d.errs) == 0 {
		d.validateFile(f)
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return f, nil
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlErrorLine takes the line number out of a yaml.v3 syntax error.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return line, "YAML syntax: " + m[2]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

// decoder turns YAML nodes into typed values, strictly, collecting positioned errors.
type decoder struct {
	file     string
	opts     parseOptions
	vars     map[string]string
	budget   int // YAML nodes left to visit, aliases followed
	bytes    int // bytes of scalar text left, aliases followed and ${vars} replaced
	errs     []error
	scenario string
	step     int
	path     []string
}

// nodeDecoder is a type that decodes itself from a node, with the decoder's help.
type nodeDecoder interface {
	decodeNode(d *decoder, n *yaml.Node)
}

// enum is a string type with a fixed set of values.
type enum interface {
	Values() []string
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	if len(d.errs) >= maxErrors {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if len(d.path) > 0 {
		msg = strings.Join(d.path, ".") + ": " + msg
	}
	e := &Error{Pos: Pos{File: d.file}, Scenario: d.scenario, Step: d.step, Msg: msg}
	if n != nil {
		e.Pos.Line, e.Pos.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
	if len(d.errs) == maxErrors {
		d.errs = append(d.errs, &Error{Pos: Pos{File: d.file}, Msg: "too many errors; fix these first"})
	}
}

// resolve follows aliases and charges the node against the budgets.
func (d *decoder) resolve(n *yaml.Node) (*yaml.Node, bool) {
	at := n
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.budget--
	if d.budget == 0 {
		d.errorf(at, "the file expands to over %d YAML nodes (an alias bomb?); write it out plainly", maxNodes)
	}
	return n, d.budget > 0 && d.charge(at, len(n.Value))
}

// charge counts n bytes of text against the file's budget; false once it is spent.
func (d *decoder) charge(at *yaml.Node, n int) bool {
	if d.bytes < 0 {
		return false
	}
	d.bytes -= n
	if d.bytes < 0 {
		d.errorf(at, "the file expands to over %d MiB of text, aliases followed and ${vars} replaced; use each large value fewer times", MaxExpandedBytes>>20)
		return false
	}
	return true
}

func (d *decoder) decodeFile(n *yaml.Node, f *File) {
	n, ok := d.resolve(n)
	if !ok {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "the file must be a map with vars: and scenarios:, not %s", describe(n))
		return
	}
	// Vars come first, whatever their place in the file: the rest refers to them.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "vars" {
			d.path = []string{"vars"}
			d.decode(n.Content[i+1], reflect.ValueOf(&f.Vars).Elem())
			d.path = nil
		}
	}
	d.opts.override(f.Vars)
	d.vars = f.Vars
	d.decodeStruct(n, reflect.ValueOf(f).Elem(), "field", map[string]bool{"vars": true})
}

func (d *decoder) decode(n *yaml.Node, v reflect.Value) {
	n, ok := d.resolve(n)
	if !ok {
		return
	}
	if v.Kind() == reflect.Pointer {
		if isNull(n) {
			d.errorf(n, "a value is needed here")
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if nd, ok := v.Addr().Interface().(nodeDecoder); ok {
		nd.decodeNode(d, n)
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, "field", nil)
	case reflect.Slice:
		if isNull(n) {
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, "want a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.path = append(d.path, fmt.Sprint(i))
			d.decode(item, s.Index(i))
			d.path = d.path[:len(d.path)-1]
		}
		v.Set(s)
	case reflect.Map:
		d.decodeMap(n, v)
	case reflect.Interface:
		if x := d.decodeAny(n); x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		d.decodeScalar(n, v)
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "want a map, got %s", describe(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, _ := d.resolve(n.Content[i])
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			d.errorf(k, "a key must be a non-empty word")
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.errorf(k, "key %q is given twice (first on line %d)", k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		elem := reflect.New(v.Type().Elem()).Elem()
		d.path = append(d.path, k.Value)
		d.decode(n.Content[i+1], elem)
		d.path = d.path[:len(d.path)-1]
		m.SetMapIndex(reflect.ValueOf(k.Value), elem)
	}
	v.Set(m)
}

// decodeAny decodes free-form YAML (extra fields, JSON expectations) into maps, lists and scalars.
func (d *decoder) decodeAny(n *yaml.Node) any {
	n, ok := d.resolve(n)
	if !ok {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		var m map[string]any
		d.decodeMap(n, reflect.ValueOf(&m).Elem())
		return m
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = d.decodeAny(c)
		}
		return out
	default:
		var x any
		c := d.expandVars(n)
		if err := c.Decode(&x); err != nil {
			d.errorf(n, "%s", err)
		}
		return x
	}
}

// fieldInfo is a struct field as YAML names it; inline fields are flattened.
type fieldInfo struct {
	index []int
}

var fieldCache sync.Map // reflect.Type → map[string]fieldInfo

func fieldsOf(t reflect.Type) map[string]fieldInfo {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]fieldInfo)
	}
	out := map[string]fieldInfo{}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !sf.IsExported() {
			continue
		}
		if opts == "inline" {
			for k, fi := range fieldsOf(sf.Type) {
				out[k] = fieldInfo{index: append([]int{i}, fi.index...)}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		out[name] = fieldInfo{index: []int{i}}
	}
	fieldCache.Store(t, out)
	return out
}

// decodeStruct decodes a mapping into a struct, refusing unknown and repeated keys. what names
// a key in messages ("field", "action"); skip lists keys decoded elsewhere.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, what string, skip map[string]bool) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "want a map of %ss, got %s", what, describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, _ := d.resolve(n.Content[i])
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "a key must be a word, got %s", describe(k))
			continue
		}
		if skip[k.Value] {
			continue
		}
		fi, ok := fields[k.Value]
		if !ok {
			if len(d.errs) < maxErrors { // past that nothing more is reported: no search either
				d.errorf(k, "unknown %s %q%s", what, k.Value, text.Suggest(k.Value, slices.Sorted(maps.Keys(fields))))
			}
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.errorf(k, "%s %q is given twice (first on line %d)", what, k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		d.path = append(d.path, k.Value)
		d.decode(n.Content[i+1], v.FieldByIndex(fi.index))
		d.path = d.path[:len(d.path)-1]
	}
}

var varRef = regexp.MustCompile(`\$\{vars\.([^}]*)\}`)

// expandVars returns the node with ${vars.NAME} replaced by the variables' values. The text is
// measured and charged against the file's budget before it is built, so a value used thousands
// of times in one scalar is refused without making the gigabytes it stands for.
func (d *decoder) expandVars(n *yaml.Node) *yaml.Node {
	if n.Kind != yaml.ScalarNode || !strings.Contains(n.Value, "${vars.") {
		return n
	}
	refs := varRef.FindAllStringSubmatchIndex(n.Value, -1)
	grow, known := 0, false
	for _, m := range refs {
		name := n.Value[m[2]:m[3]]
		val, ok := d.vars[name]
		if !ok {
			d.errorf(n, "undefined variable %q in %s%s", name, n.Value[m[0]:m[1]], text.Suggest(name, slices.Sorted(maps.Keys(d.vars))))
			continue
		}
		known = true
		if grow += len(val) - (m[1] - m[0]); grow > d.bytes {
			break // over the budget already: charge reports it, and nothing is built
		}
	}
	if !known || !d.charge(n, grow) {
		return n
	}
	var b strings.Builder
	b.Grow(len(n.Value) + grow)
	last := 0
	for _, m := range refs {
		if val, ok := d.vars[n.Value[m[2]:m[3]]]; ok {
			b.WriteString(n.Value[last:m[0]])
			b.WriteString(val)
			last = m[1]
		}
	}
	b.WriteString(n.Value[last:])
	c := *n
	c.Value = b.String()
	if c.Value != n.Value && c.Style == 0 {
		c.Tag = "" // let the value's own type be resolved: "${vars.seats}" may be a number
	}
	return &c
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "want %s, got %s", kindWord(v), describe(n))
		return
	}
	c := d.expandVars(n)
	if v.Kind() != reflect.String && c != n {
		c.Tag, c.Style = "", 0 // "${vars.seats}" stands for what the variable holds, a number say
	}
	if err := c.Decode(v.Addr().Interface()); err != nil {
		from := ""
		if c != n {
			from = " (from " + n.Value + ")"
		}
		d.errorf(n, "want %s, got %q%s", kindWord(v), c.Value, from)
		return
	}
	if e, ok := v.Interface().(enum); ok && v.String() != "" {
		if vals := e.Values(); !slices.Contains(vals, v.String()) {
			d.errorf(n, "unknown value %q: want one of %s%s", v.String(), strings.Join(vals, ", "), text.Suggest(v.String(), vals))
		}
	}
}

func kindWord(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	}
	return "a string"
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// decodeNode decodes a duration such as 200ms or 2s.
func (dur *Duration) decodeNode(d *decoder, n *yaml.Node) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, "want a duration such as 200ms or 2s, got %s", describe(n))
		return
	}
	s := d.expandVars(n).Value
	v, err := time.ParseDuration(s)
	if err != nil {
		hint := "write a Go duration such as 200ms, 2s or 1m30s"
		if _, nerr := fmt.Sscanf(s, "%f", new(float64)); nerr == nil && !strings.ContainsAny(s, "smhµun") {
			hint = fmt.Sprintf("add a unit, e.g. %ss or %sms", s, s)
		}
		d.errorf(n, "bad duration %q: %s", s, hint)
		return
	}
	if v < 0 {
		d.errorf(n, "duration %q is negative", s)
		return
	}
	*dur = Duration(v)
}

// decodeNode decodes a scenario, taking its name first so that messages can name it.
func (s *Scenario) decodeNode(d *decoder, n *yaml.Node) {
	s.Pos = Pos{File: d.file, Line: n.Line, Column: n.Column}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "name" && n.Content[i+1].Kind == yaml.ScalarNode {
				s.Name = d.expandVars(n.Content[i+1]).Value
			}
		}
	}
	saved := d.path
	d.scenario, d.path = s.Name, nil
	d.decodeStruct(n, reflect.ValueOf(s).Elem(), "field", nil)
	d.scenario, d.path = "", saved
}

// decodeNode decodes a step: one action key, and expect and name beside it.
func (s *Step) decodeNode(d *decoder, n *yaml.Node) {
	s.Pos = Pos{File: d.file, Line: n.Line, Column: n.Column}
	saved := d.path
	d.step, d.path = 0, nil
	if len(saved) > 0 {
		if i, err := strconv.Atoi(saved[len(saved)-1]); err == nil {
			d.step = i + 1
		}
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "a step is a map with one action (%s), got %s", strings.Join(Actions, ", "), describe(n))
	} else {
		before := len(d.errs)
		d.decodeStruct(n, reflect.ValueOf(s).Elem(), "action", d.misplacedKeys(n))
		if len(d.errs) == before {
			d.checkOneAction(n, s)
		}
	}
	d.step, d.path = 0, saved
}

// misplacedKeys reports the keys of a step that belong elsewhere (a webhook modifier beside the
// action rather than inside its map, a delivery on a step) saying where they go, and returns
// them for decodeStruct to skip.
func (d *decoder) misplacedKeys(n *yaml.Node) map[string]bool {
	var skip map[string]bool
	example := "create_room" // the step's own action, when it sends a webhook
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; slices.Contains(webhookActions, k) {
			example = k
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		val := "..."
		if v.Kind == yaml.ScalarNode {
			val = v.Value
		}
		switch _, modifier := fieldsOf(probeType)[k.Value]; {
		case modifier:
			d.errorf(k, "%s modifies the webhook a step sends: put it inside the action's map, not beside it, e.g. %s: {%s: %s}", k.Value, example, k.Value, val)
		case k.Value == "delivery":
			d.errorf(k, "delivery goes on the scenario, beside steps: (its webhook steps), or inside a generate step, e.g. generate: {rooms: 5, delivery: {duplicate: 10%%}}")
		default:
			continue
		}
		if skip == nil {
			skip = map[string]bool{}
		}
		skip[k.Value] = true
	}
	return skip
}

func (d *decoder) checkOneAction(n *yaml.Node, s *Step) {
	var found []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		if slices.Contains(Actions, n.Content[i].Value) {
			found = append(found, n.Content[i].Value)
		}
	}
	switch {
	case len(found) == 0:
		d.errorf(n, "no action: a step needs one of %s", strings.Join(Actions, ", "))
	case len(found) > 1:
		d.errorf(n, "%d actions (%s): a step has exactly one; split it into %d steps", len(found), strings.Join(found, ", "), len(found))
	}
}

// decodeNode decodes an expectation: a verdict word or a map of details.
func (e *Expect) decodeNode(d *decoder, n *yaml.Node) {
	if n.Kind == yaml.ScalarNode {
		d.decodeScalar(n, reflect.ValueOf(&e.Outcome).Elem())
		if e.Outcome == "" {
			d.errorf(n, "want acknowledged, rejected, or a map of status, action_status, error_code, within")
		}
		return
	}
	d.decodeStruct(n, reflect.ValueOf(e).Elem(), "field", nil)
}
