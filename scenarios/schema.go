package scenarios

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/livehook/livehook/webhook"
)

// SchemaID is the schema's identifier and the address it is served from: the committed
// schemas/scenarios.schema.json on the main branch, which `livehook schema` also prints. A
// scenarios file names it in its first line, "# yaml-language-server: $schema=" + SchemaID,
// so editors find the schema wherever the file is.
const SchemaID = "https://raw.githubusercontent.com/livehook/livehook/main/schemas/scenarios.schema.json"

// SchemaComment is the first line of a scenarios file that editors read to find the schema.
const SchemaComment = "# yaml-language-server: $schema=" + SchemaID

// templatePattern matches a string holding a ${...} reference, which may stand for a typed value.
const templatePattern = `\$\{[^}]+\}`

// Schema returns the JSON Schema of a scenarios file, made from the Go types, so that the schema
// editors use and the parser cannot drift apart.
func Schema() ([]byte, error) {
	root := schemaOf(reflect.TypeOf(File{}))
	root["$schema"] = "http://json-schema.org/draft-07/schema#"
	root["$id"] = SchemaID
	root["title"] = "livehook scenarios"
	// A variable is any scalar: it stands for text, a number or a boolean where it is used.
	root["properties"].(schema)["vars"] = schema{"type": "object", "additionalProperties": schema{"anyOf": []schema{
		{"type": "string"}, {"type": "number"}, {"type": "boolean"},
	}}}
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

type schema = map[string]any

// fieldRules are what the schema says of a struct beyond its fields' types: the fields a value
// needs, and the limits the parser checks too, each taken from the one place that defines it.
var fieldRules = map[reflect.Type]struct {
	required []string
	fields   map[string]func(schema) schema
}{
	reflect.TypeOf(File{}): {
		required: []string{"scenarios"},
		fields:   map[string]func(schema) schema{"scenarios": with("minItems", 1)},
	},
	reflect.TypeOf(Scenario{}): {
		required: []string{"name", "steps"},
		fields:   map[string]func(schema) schema{"name": with("minLength", 1), "steps": with("minItems", 1)},
	},
	reflect.TypeOf(RoomFields{}): {
		// A RoomId is printable ASCII, so its length in characters is its length in bytes.
		fields: map[string]func(schema) schema{"RoomId": func(s schema) schema {
			return orTemplate(schema{"type": "string", "maxLength": webhook.MaxRoomIDBytes, "pattern": "^[ -~]*$"})
		}},
	},
}

// with returns a rule that adds keyword k with value v to a field's schema.
func with(k string, v any) func(schema) schema {
	return func(s schema) schema {
		s[k] = v
		return s
	}
}

var (
	durationType = reflect.TypeOf(Duration(0))
	waitType     = reflect.TypeOf(Wait(0))
	shareType    = reflect.TypeOf(Share(0))
	skewType     = reflect.TypeOf(Skew(0))
	expectType   = reflect.TypeOf(Expect{})
	rawBodyType  = reflect.TypeOf(RawBody(nil))
	stepType     = reflect.TypeOf(Step{})
	enumIface    = reflect.TypeOf((*enum)(nil)).Elem()
)

func orTemplate(s schema) schema {
	return schema{"anyOf": []schema{s, {"type": "string", "pattern": templatePattern}}}
}

func schemaOf(t reflect.Type) schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == durationType || t == waitType:
		return schema{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|` + templatePattern,
			"description": "a Go duration such as 200ms, 2s or 1m30s"}
	case t == skewType:
		return schema{"type": "string", "pattern": `^[+-]?([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|` + templatePattern,
			"description": "a Go duration, negative behind the receiver's clock: 75s, -75s"}
	case t == shareType:
		return schema{"anyOf": []schema{
			{"type": "number", "minimum": 0, "maximum": 1},
			{"type": "string", "pattern": `^[0-9]+(\.[0-9]+)?%$`},
		}, "description": "a share: 10% or 0.1"}
	case t.Implements(enumIface):
		vals := reflect.Zero(t).Interface().(enum).Values()
		return schema{"type": "string", "enum": vals}
	case t == rawBodyType:
		return schema{"type": "string", "description": "sent byte for byte, no ${...} replaced; !!binary (base64) for bytes that are not UTF-8"}
	case t == expectType:
		obj := structSchema(t)
		return schema{"oneOf": []schema{{"type": "string", "enum": Verdict("").Values()}, obj}}
	}
	switch t.Kind() {
	case reflect.Struct:
		s := structSchema(t)
		if t == stepType {
			var one []schema
			for _, a := range Actions {
				// properties names the action again, so that a strict validator (ajv --strict)
				// sees that the required key is defined.
				one = append(one, schema{"type": "object", "required": []string{a}, "properties": schema{a: true}})
			}
			s["oneOf"] = one
		}
		return s
	case reflect.Slice:
		return schema{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return schema{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Interface:
		return schema{}
	case reflect.String:
		return schema{"type": "string"}
	case reflect.Bool:
		return orTemplate(schema{"type": "boolean"})
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return orTemplate(schema{"type": "integer"})
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return orTemplate(schema{"type": "integer", "minimum": 0})
	case reflect.Float32, reflect.Float64:
		return orTemplate(schema{"type": "number"})
	}
	return schema{}
}

func structSchema(t reflect.Type) schema {
	props := schema{}
	addFields(t, props)
	s := schema{"type": "object", "properties": props, "additionalProperties": false}
	if r, ok := fieldRules[t]; ok {
		for name, rule := range r.fields {
			props[name] = rule(props[name].(schema))
		}
		if r.required != nil {
			s["required"] = r.required
		}
	}
	return s
}

func addFields(t reflect.Type, props schema) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if opts == "inline" {
			addFields(f.Type, props)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		props[name] = schemaOf(f.Type)
	}
}
