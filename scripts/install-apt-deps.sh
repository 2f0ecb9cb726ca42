#!/usr/bin/env bash
# Installs the Debian packages the tests need, when they are missing.
# As root it uses apt-get; otherwise it reports what is missing (and fails under CI=true).
set -euo pipefail
need=()
[ -x /usr/bin/aws ] || need+=(awscli)
command -v oathtool >/dev/null 2>&1 || need+=(oathtool)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "installing Debian packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || true
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "missing Debian packages (run as root or install them): ${need[*]}" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
fi
