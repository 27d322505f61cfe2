#!/usr/bin/env bash
# Build the pinned magodo/restful provider into a Terraform filesystem mirror.
#
# usage: toolchain/build-provider.sh VERSION MIRROR_DIR
#
# Used only where the public Terraform registry is unreachable (see toolchain/setup.sh).
# 1. `go install github.com/magodo/terraform-provider-restful@vVERSION` - the normal path.
# 2. If that fails, the module proxy served the provider but not one of its dependencies:
#    today it refuses github.com/magodo/terraform-plugin-framework-docs, which the provider
#    imports only for documentation metadata. We then build the very same provider module
#    version (downloaded and checksum-verified by `go mod download`) with that one
#    dependency replaced by toolchain/restful-docs-shim (type declarations only; see its
#    doc comment). Every other dependency is the one pinned in the provider's go.sum.
# The binary lands under both registry host names so terraform and OpenTofu find it.
set -euo pipefail
version=$1
mirror=$2
here=$(cd "$(dirname "$0")" && pwd)
module=github.com/magodo/terraform-provider-restful
platform="$(go env GOOS)_$(go env GOARCH)"
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

bin="$work/bin/terraform-provider-restful"
mkdir -p "$work/bin"
if GOBIN="$work/bin" go install "$module@v$version" 2>"$work/install.log"; then
  echo "provider: built $module@v$version with go install"
else
  echo "provider: go install failed: $(tail -n 2 "$work/install.log" | tr '\n' ' ')"
  echo "provider: building the same module version with the documentation shim"
  src=$(go mod download -json "$module@v$version" 2>>"$work/install.log" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [ -d "$src" ] || { cat "$work/install.log" >&2; echo "provider: go mod download $module@v$version failed" >&2; exit 1; }
  cp -R "$src" "$work/src"
  chmod -R u+w "$work/src"
  (cd "$work/src" &&
    go mod edit -replace "github.com/magodo/terraform-plugin-framework-docs=$here/restful-docs-shim" &&
    go build -trimpath -o "$bin" .) 2>"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
fi

for host in registry.terraform.io registry.opentofu.org; do
  dest="$mirror/$host/magodo/restful/$version/$platform"
  mkdir -p "$dest"
  install -m 0755 "$bin" "$dest/terraform-provider-restful_v$version"
done
echo "provider: magodo/restful $version installed in $mirror"
