package scenarios

import (
	"encoding/json"
	"reflect"
	"strings"
)

// SchemaID is the schema's identifier, as editors see it.
const SchemaID = "https://github.com/livehook/livehook/schemas/scenarios.schema.json"

// templatePattern matches a string holding a ${...} reference, which may stand for a typed value.
const templatePattern = `\$\{[^}]+\}`

// Schema returns the JSON Schema of a scenarios file, made from the Go types, so that the schema
// editors use and the parser cannot drift apart.
func Schema() ([]byte, error) {
	root := schemaOf(reflect.TypeOf(File{}))
	root["$schema"] = "http://json-schema.org/draft-07/schema#"
	root["$id"] = SchemaID
	root["title"] = "livehook scenarios"
	root["required"] = []string{"scenarios"}
	// A variable is any scalar: it stands for text, a number or a boolean where it is used.
	root["properties"].(schema)["vars"] = schema{"type": "object", "additionalProperties": schema{"type": []string{"string", "number", "boolean"}}}
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

type schema = map[string]any

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
				one = append(one, schema{"required": []string{a}})
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
	return schema{"type": "object", "properties": props, "additionalProperties": false}
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
