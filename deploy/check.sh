#!/usr/bin/env bash
# Checks livehook's deployment files, with neither a Docker engine nor a Kubernetes cluster:
#   Dockerfile             parsed with BuildKit's own parser; its build stage run here, on a copy
#                          of the build context (minus .dockerignore); the binary must be static
#                          (no ELF interpreter, no shared libraries) and run
#   deploy/k8s/*.yaml      decoded strictly into k8s.io/api's batch/v1 Job and checked for a sharded
#                          run; its shards then run as written (arguments expanded as the kubelet
#                          does) against a loopback receiver, and their logs merge
#   deploy/ci/livehook.yml actionlint
#   docs/load.md, ci.md    show those files as they are
# The Go checks are a module of their own (deploy/go.mod), so that Kubernetes and BuildKit stay
# out of livehook's dependencies. A first run takes a few minutes (modules, compiling
# k8s.io/api); later runs take seconds.
set -euo pipefail
cd "$(dirname "$0")"

command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
gobin="$(go env GOPATH)/bin"
export PATH="$PATH:$gobin"

ACTIONLINT_VERSION=v1.7.12
if [ "$(actionlint -version 2>/dev/null | head -1)" != "$ACTIONLINT_VERSION" ]; then
  echo "== installing actionlint $ACTIONLINT_VERSION"
  GOBIN="$gobin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi

echo "== gofmt, go vet (deploy module)"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...

echo "== Dockerfile, Kubernetes Job, docs"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! go test -count=1 -v ./... >"$log" 2>&1; then
  cat "$log"; exit 1
fi
grep -E '^(--- |ok)|static' "$log"

echo "== actionlint ci/livehook.yml"
actionlint ci/livehook.yml
echo "deploy: all checks passed"
