// Package yamlnode builds the YAML nodes of the scenario files livehook writes (generate, the
// explorer's reproducers): flow-style maps in the order given, strings that stay strings.
package yamlnode

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Map makes a flow-style YAML map of key, value pairs, in order; each value as Value makes it.
func Map(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Content = append(n.Content, Str(kv[i].(string)), Value(kv[i+1]))
	}
	return n
}

// Value is the node of a node, a string, an int, a bool, or a list of ints or strings. Any other
// type is a mistake in livehook's own code.
func Value(v any) *yaml.Node {
	switch v := v.(type) {
	case *yaml.Node:
		return v
	case string:
		return Str(v)
	case int:
		return Int(v)
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	case []int:
		return Ints(v)
	case []string:
		return Strings(v)
	}
	panic(fmt.Sprintf("yamlnode: no YAML for %T", v))
}

// Str is a string that stays a string, quoted where YAML would read it as something else.
func Str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// Plain is a word the parser reads as it stands: a duration, a share, an enumeration's value.
func Plain(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

// Int is an integer.
func Int(v int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
}

// Strings is a flow-style list of strings.
func Strings(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, it := range items {
		n.Content = append(n.Content, Str(it))
	}
	return n
}

// Ints is a flow-style list of integers.
func Ints(items []int) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, it := range items {
		n.Content = append(n.Content, Int(it))
	}
	return n
}
