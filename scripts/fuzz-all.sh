#!/usr/bin/env bash
# Runs every Go fuzz target for a while (default 20s each):
#   scripts/fuzz-all.sh [DURATION]      (make fuzz)
# `go test ./...` already runs each target's seed corpus as a unit test.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-20s}
grep -rl --include='*_test.go' '^func Fuzz' internal | while read -r f; do
  pkg=./$(dirname "$f")
  for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    echo "== $pkg $fn ($t)"
    go test "$pkg" -run '^$' -fuzz "^${fn}\$" -fuzztime "$t"
  done
done
