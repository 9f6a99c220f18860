#!/usr/bin/env bash
# Rebuilds the Go reference oracle and regenerates every golden file of the differential corpus:
#   tests/Keelson.Templating.Tests/testdata/corpus/<area>.yaml  ->  <area>.golden.json
# Usage: tools/gotemplate-ref/regen-goldens.sh [area...]   (no argument: every area)
# Needs Debian's golang-go, golang-github-masterminds-sprig-dev and golang-gopkg-yaml.v3-dev.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus="$root/tests/Keelson.Templating.Tests/testdata/corpus"

command -v go >/dev/null || { echo "regen-goldens: 'go' not found; apt-get install golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev" >&2; exit 1; }

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$here" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o "$bin/gotemplate-ref" .)

if (($#)); then
  files=()
  for area in "$@"; do files+=("$corpus/$area.yaml"); done
else
  files=("$corpus"/*.yaml)
fi

failed=0
for yaml in "${files[@]}"; do
  golden="${yaml%.yaml}.golden.json"
  if "$bin/gotemplate-ref" -corpus "$yaml" >"$golden.tmp"; then
    mv "$golden.tmp" "$golden"
    echo "regen-goldens: $(basename "$golden"): $(grep -c '"id":' "$golden") cases"
  else
    rm -f "$golden.tmp"
    failed=1
  fi
done
exit $failed
