#!/usr/bin/env bash
# awsmfa audit at IAM's quota of 5,000 users, offline and live (README: Performance).
#
#   scripts/bench-audit.sh [RUNS]   (default 5 runs of the offline command)
#
# Offline: the whole binary on a synthetic account (accounttest.Default: 5,000
# users, 20 team groups, 200 roles, seed 000/004-style MFA policies) written as
# the AWS CLI's get-account-authorization-details output plus a credential
# report; wall time and peak RSS from /usr/bin/time per run.
# Engine only: BenchmarkAudit5000Users. Live: the lab seeded with 5,000 users,
# read through the IAM API (time and API calls).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/awsmfa" ./cmd/awsmfa
AWSMFA_BENCH_ACCOUNT_DIR=$tmp go test -count=1 -run '^TestSyntheticAccountAudit$' ./internal/cmd/audit >/dev/null
ls -l "$tmp"/auth-5000.json "$tmp"/report-5000.csv | awk '{print $5, $9}'
echo "offline: awsmfa audit --authorization-details auth-5000.json --credential-report report-5000.csv ($runs runs)"
for i in $(seq "$runs"); do
  /usr/bin/time -f "%e s  %M KiB max RSS" "$tmp/awsmfa" audit --authorization-details "$tmp/auth-5000.json" \
    --credential-report "$tmp/report-5000.csv" --fail-on none > /dev/null
done
go test -run '^$' -bench 'BenchmarkAudit5000Users$|BenchmarkAuditCommandOffline5000Users' -benchmem -benchtime 5x \
  ./internal/audit ./internal/cmd/audit | grep -E '^Benchmark'
go test -count=1 -run '^TestReadFiveThousandUsers$' -v ./internal/account/live | grep -E 'calls|users|read' || true
