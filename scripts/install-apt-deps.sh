#!/usr/bin/env bash
# Installs the Debian packages the tests need, when they are missing:
# awscli (/usr/bin/aws, v2), oathtool, wrk, chromium (headless rendering of the
# audit HTML report), zbar-tools (zbarimg reads the QR codes of mfa enroll back),
# and python3-boto3 when no python3 has boto3.
# As root it uses apt-get; otherwise it reports what is missing (and fails under CI=true).
set -euo pipefail
need=()
[ -x /usr/bin/aws ] || need+=(awscli)
command -v oathtool >/dev/null 2>&1 || need+=(oathtool)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
# boto3 for the end-to-end tests: the image's python3 usually has it; else Debian's.
if ! python3 -c 'import boto3' >/dev/null 2>&1 && ! /usr/bin/python3 -c 'import boto3' >/dev/null 2>&1; then
  need+=(python3-boto3)
fi
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
