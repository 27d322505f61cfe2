#!/usr/bin/env bash
# Build Stripe's official API mock server, stripe-mock, from its Go module (once, cached).
#
# usage: toolchain/build-stripe-mock.sh VERSION OUTPUT_DIR
#
# The Go toolchain verifies the module against the checksum database; the binary lands in
# OUTPUT_DIR/stripe-mock. An existing binary is kept, so re-running is instant.
set -euo pipefail
version=$1
output_dir=$2
binary="$output_dir/stripe-mock"
[ -x "$binary" ] && exit 0
echo "stripe-mock: building stripe-mock $version from its Go module (once)"
mkdir -p "$output_dir"
output_dir=$(cd "$output_dir" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! GOBIN="$output_dir" go install -trimpath "github.com/stripe/stripe-mock@v$version" 2>"$log"; then
  cat "$log" >&2
  echo "stripe-mock: go install github.com/stripe/stripe-mock@v$version failed" >&2
  exit 1
fi
[ -x "$binary" ] || { echo "stripe-mock: $binary missing after go install" >&2; exit 1; }
echo "stripe-mock: built $binary"
