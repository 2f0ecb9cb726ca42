#!/usr/bin/env bash
# Start-up cost of a credential_process cache hit, the path every AWS CLI
# call of every awsmfa user takes: `awsmfa credential-process` (MFA session
# in the file cache) against aws-vault's `export --format=json --no-session`
# (keys in its file backend) and granted's `credential-process` (session in
# its file keyring), with a static Go hello world built the same way as the
# floor. The commands run interleaved, round after round, so that load on
# the machine hits all of them alike; medians are reported.
# awsmfa-split is an experiment, not shipped: the credential-process path
# alone in a binary, to show what splitting the binary would buy.
#
# Usage: scripts/bench-startup.sh [ROUNDS]      (default 200)
#   AWS_VAULT_SRC  source tree of aws-vault (github.com/99designs/aws-vault)
#   GRANTED_SRC    source tree of granted (github.com/common-fate/granted)
#   AWSMFA_BEFORE  a commit of this repository, built too (git archive) and
#                  measured as awsmfa-before, for before/after in one run
# Peers without a source tree are left out. Everything is built here with
# CGO_ENABLED=0 -trimpath -ldflags "-s -w", and talks only to a lab on
# 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rounds=${1:-200}
port=${BENCH_PORT:-4599}
work=$(mktemp -d)
lab_pid=
cleanup() { [ -n "$lab_pid" ] && kill "$lab_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

build() { CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$@"; }
mkdir -p "$work/bin" "$work/hello" "$work/home"
cat > "$work/hello/main.go" <<'GO'
package main

import "os"

func main() { os.Stdout.WriteString("{\"Version\":1}\n") }
GO
printf 'module hello\n\ngo 1.26\n' > "$work/hello/go.mod"
(cd "$work/hello" && build "$work/bin/hello" .)
build "$work/bin/awsmfa" ./cmd/awsmfa
# What splitting the binary would buy (not shipped): a main package with
# only the credential-process path, added to the module through an
# overlay so that nothing is written into the tree.
mkdir -p "$work/split"
cat > "$work/split/main.go" <<'GO'
package main

import (
	"os"

	"github.com/awsmfa/awsmfa/internal/cmd/credentialprocess"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

func main() {
	ios := iostreams.System()
	o, ok := credentialprocess.Fast(ios, os.Args[1:])
	if !ok {
		os.Exit(2)
	}
	if err := credentialprocess.Run(o); err != nil {
		os.Stderr.WriteString("awsmfa: " + err.Error() + "\n")
		os.Exit(1)
	}
}
GO
printf '{"Replace":{"%s":"%s"}}' "$PWD/cmd/awsmfa-split-bench/main.go" "$work/split/main.go" > "$work/split/overlay.json"
build "$work/bin/awsmfa-split" -overlay "$work/split/overlay.json" ./cmd/awsmfa-split-bench
if [ -n "${AWSMFA_BEFORE:-}" ]; then
	mkdir -p "$work/before"
	git -C "$root" archive "$AWSMFA_BEFORE" | tar -x -C "$work/before"
	(cd "$work/before" && build "$work/bin/awsmfa-before" ./cmd/awsmfa)
fi
[ -n "${AWS_VAULT_SRC:-}" ] && (cd "$AWS_VAULT_SRC" && build "$work/bin/aws-vault" .)
[ -n "${GRANTED_SRC:-}" ] && (cd "$GRANTED_SRC" && build "$work/bin/granted" ./cmd/granted)

export PATH="$work/bin:/usr/bin:/bin" HOME="$work/home"
"$work/bin/awsmfa" lab init --dir "$work/aws" --state "$work/lab.sqlite" --endpoint "http://127.0.0.1:$port" > /dev/null
"$work/bin/awsmfa" lab serve --state "$work/lab.sqlite" --addr "127.0.0.1:$port" --log none > "$work/serve.log" 2>&1 &
lab_pid=$!
for _ in $(seq 100); do grep -q "^endpoint:" "$work/serve.log" 2>/dev/null && break; sleep 0.05; done
export AWS_CONFIG_FILE="$work/aws/config" AWS_SHARED_CREDENTIALS_FILE="$work/aws/credentials"
export AWSMFA_CACHE_BACKEND=file AWSMFA_CACHE_DIR="$work/cache"
serial=arn:aws:iam::123456789012:mfa/bob
awsmfa configure bob --mfa-serial "$serial" --mfa-process "awsmfa lab totp --state $work/lab.sqlite --serial $serial" > /dev/null 2>&1
awsmfa credential-process --profile bob > /dev/null   # the MFA session, cached

cmds=("hello" "awsmfa credential-process --profile bob" "awsmfa-split credential-process --profile bob")
[ -x "$work/bin/awsmfa-before" ] && cmds+=("awsmfa-before credential-process --profile bob")
if [ -x "$work/bin/aws-vault" ]; then
	export AWS_VAULT_BACKEND=file AWS_VAULT_FILE_PASSPHRASE=bench AWS_VAULT_FILE_DIR="$work/aws-vault"
	key=$(sed -n '/^\[bob\]/,/^$/p' "$work/aws/credentials")
	AWS_ACCESS_KEY_ID=$(sed -n 's/^aws_access_key_id = //p' <<<"$key") \
	AWS_SECRET_ACCESS_KEY=$(sed -n 's/^aws_secret_access_key = //p' <<<"$key") \
		aws-vault add bob --env > /dev/null 2>&1
	cmds+=("aws-vault export --format=json --no-session bob")
fi
if [ -x "$work/bin/granted" ]; then
	mkdir -p "$HOME/.granted"
	printf '[Keyring]\nBackend = "file"\nFileDir = "%s"\n' "$work/granted" > "$HOME/.granted/config"
	export CF_KEYRING_FILE_PASSWORD=bench GRANTED_QUIET=true
	granted credential-process --profile admin > /dev/null 2>&1 < /dev/null  # cached from now on
	cmds+=("granted credential-process --profile admin")
fi

python3 - "$rounds" "${cmds[@]}" <<'PY'
import resource, statistics, subprocess, sys, time
rounds, cmds = int(sys.argv[1]), sys.argv[2:]
wall = {c: [] for c in cmds}
cpu = {c: [] for c in cmds}
def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
for c in cmds:  # warm the page cache
    subprocess.run(c.split(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
for _ in range(rounds):
    for c in cmds:
        c0, t = children_cpu(), time.perf_counter_ns()
        subprocess.run(c.split(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        wall[c].append((time.perf_counter_ns() - t) / 1e6)
        cpu[c].append((children_cpu() - c0) * 1e3)
mw = {c: statistics.median(v) for c, v in wall.items()}
mc = {c: statistics.median(v) for c, v in cpu.items()}
h, a = cmds[0], cmds[1]
print(f"{'command':50} {'wall ms':>8} {'x hello':>8} {'awsmfa/it':>10} {'cpu ms':>8} {'x hello':>8} {'awsmfa/it':>10}")
for c in cmds:
    print(f"{c:50} {mw[c]:8.2f} {mw[c]/mw[h]:7.2f}x {mw[a]/mw[c]:9.2f}x {mc[c]:8.2f} {mc[c]/mc[h]:7.2f}x {mc[a]/mc[c]:9.2f}x")
print(f"(medians of {rounds} interleaved rounds; wall: time to exit, cpu: user+system time of the process)")
PY
