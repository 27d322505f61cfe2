#!/usr/bin/env bash
# Build OpenTofu from its Go module (the fallback when neither terraform nor tofu is on PATH).
#
# usage: toolchain/build-opentofu.sh VERSION OUTPUT_BINARY
#
# `go install github.com/opentofu/opentofu/cmd/tofu@vX` refuses modules whose go.mod has
# replace directives (OpenTofu's has one), so this downloads the module (checksum-verified by
# the Go toolchain) and builds cmd/tofu inside it, with the module's own go.mod and go.sum.
set -euo pipefail
version=$1
output=$2
[ -x "$output" ] && exit 0
echo "opentofu: building OpenTofu $version from its Go module (a few minutes, once)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! src=$(go mod download -json "github.com/opentofu/opentofu@v$version" 2>"$log" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p') || [ ! -d "$src" ]; then
  cat "$log" >&2
  echo "opentofu: go mod download github.com/opentofu/opentofu@v$version failed" >&2
  exit 1
fi
mkdir -p "$(dirname "$output")"
(cd "$src" && go build -trimpath -o "$output.tmp" ./cmd/tofu) 2>"$log" || { cat "$log" >&2; exit 1; }
mv "$output.tmp" "$output"
echo "opentofu: built $("$output" version | sed -n 1p)"
