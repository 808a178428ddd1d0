#!/usr/bin/env bash
# Checks the JSON Schema of scenarios files with ajv, the validator most editors' tooling uses:
#   - the committed schemas/scenarios.schema.json is what `livehook schema` prints;
#   - ajv compiles it in strict mode (no strictRequired, strictTypes or union-type complaints);
#   - it accepts the built-in contract, the examples and scenarios/testdata/schema/valid;
#   - it refuses every file in scenarios/testdata/schema/invalid (no name, steps: [], a RoomId
#     over 48 bytes, ...), which the parser refuses too (go test ./scenarios -run SchemaFixtures).
# Needs Go and Node.js with npm; installs ajv-cli once into $AJV_DIR (default ~/.cache/livehook-ajv).
# Usage: bash scripts/check-schema.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tools=${AJV_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/livehook-ajv}
ajv=$tools/node_modules/.bin/ajv
if [[ ! -x $ajv ]]; then
	echo "installing ajv-cli into $tools"
	mkdir -p "$tools"
	npm install --prefix "$tools" --no-audit --no-fund --loglevel=error ajv-cli@5.0.0 >/dev/null
fi
schema=schemas/scenarios.schema.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go run . schema >"$tmp/printed.json"
if ! cmp -s "$tmp/printed.json" "$schema"; then
	echo "FAIL: $schema differs from what 'livehook schema' prints (go test ./scenarios -run Golden -update)" >&2
	exit 1
fi

"$ajv" compile --strict=true -s "$schema"

fail=0
for f in scenarios.yaml examples/appbackend/idempotency.yaml scenarios/testdata/schema/valid/*.yaml; do
	"$ajv" validate --strict=true --errors=text -s "$schema" -d "$f" || fail=1
done
for f in scenarios/testdata/schema/invalid/*.yaml; do
	if "$ajv" validate --strict=true -s "$schema" -d "$f" >/dev/null 2>&1; then
		echo "FAIL: the schema accepts $f" >&2
		fail=1
	else
		echo "$f refused, as it must be"
	fi
done
go run . generate --rooms 3 --seed 1 -o "$tmp/generated.yaml" 2>/dev/null
head -1 "$tmp/generated.yaml" | grep -qF "\$schema=$(go run . schema | sed -n 's/.*"\$id": "\(.*\)".*/\1/p')" ||
	{ echo "FAIL: generate's first line does not name the schema's \$id" >&2; fail=1; }
"$ajv" validate --strict=true -s "$schema" -d "$tmp/generated.yaml" || fail=1
exit $fail
