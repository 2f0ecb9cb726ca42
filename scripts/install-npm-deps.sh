#!/usr/bin/env bash
# Installs the differential-test oracle (npm) into tools/oracle/node_modules,
# using a project-local npm cache. AGPL code: test-only, never imported or shipped.
set -euo pipefail
cache=${1:-$(pwd)/.cache/npm}
dir=$(cd "$(dirname "$0")/../tools/oracle" && pwd)
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the differential policy tests need Node.js and npm" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
  exit 0
fi
[ -f "$dir/package.json" ] || exit 0
if [ -d "$dir/node_modules/@cloud-copilot/iam-simulate" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
  exit 0
fi
echo "installing npm test oracle into $dir/node_modules" >&2
if [ -f "$dir/package-lock.json" ]; then
  npm ci --prefix "$dir" --cache "$cache" --no-audit --no-fund --loglevel=error >&2
else
  npm install --prefix "$dir" --cache "$cache" --no-audit --no-fund --loglevel=error >&2
fi
