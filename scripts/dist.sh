#!/usr/bin/env bash
# Release builds: stripped, static, reproducible-path binaries for every
# platform awsmfa supports, stamped with the version and commit, and a
# SHA256SUMS file.
#
#   scripts/dist.sh [OUTDIR]          (make dist; OUTDIR defaults to dist/)
#
# Environment:
#   DIST_TARGETS  space-separated GOOS/GOARCH list (default: all six below)
#   VERSION       version to stamp (default: git describe --tags --always --dirty)
#
# Every target is built with CGO_ENABLED=0: a static binary with no libc
# dependency. The only feature that needs cgo is the macOS Keychain backend
# of the credential cache (99designs/keyring builds it only with cgo); the
# darwin binaries built here use the other backends (an encrypted or 0600
# file store). Build on a Mac with CGO_ENABLED=1 for the Keychain:
#   CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" ./cmd/awsmfa
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-dist}
targets=${DIST_TARGETS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then
  commit="$commit-dirty"
fi
pkg=github.com/awsmfa/awsmfa/internal/cmd/version
ldflags="-s -w -buildid= -X $pkg.Version=$version -X $pkg.Commit=$commit"

mkdir -p "$out"
rm -f "$out"/awsmfa-* "$out"/SHA256SUMS
names=()
for t in $targets; do
  goos=${t%/*}
  goarch=${t#*/}
  name="awsmfa-$version-$goos-$goarch"
  [ "$goos" = windows ] && name="$name.exe"
  echo "building $name" >&2
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch GOFLAGS=-mod=readonly \
    go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$out/$name" ./cmd/awsmfa
  names+=("$name")
done
(cd "$out" && sha256sum "${names[@]}" > SHA256SUMS)
echo "wrote $out/SHA256SUMS ($version, $commit)" >&2
