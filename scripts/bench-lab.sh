#!/usr/bin/env bash
# Load benchmark of `awsmfa lab serve` against moto_server in the same run:
# signed sts:GetCallerIdentity and iam:ListUsers at 200 concurrent
# connections on loopback.
#
#   scripts/bench-lab.sh            (env: DURATION=10s RATE=5000 CONNECTIONS=200 PIN=0
#                                    BASE= CALLS="GetCallerIdentity ListUsers" MOTO=1 ROUNDS=1)
#
# BASE=PATH also serves a copy of the same lab state with another awsmfa
# binary (say, the build of an earlier commit: git archive COMMIT | tar -x
# -C DIR, then go build -o /tmp/awsmfa-base ./cmd/awsmfa in DIR) and
# measures this tree's build ("lab") and it ("base") one after the other,
# ROUNDS times, the order alternating, in the same run; then the median
# of each and the lab/base throughput ratio. MOTO=0 leaves moto_server out.
#
# By default servers and load generator share the machine's CPUs. PIN=1
# runs each server pinned to CPU 0 and the load generator on the other CPUs
# (taskset), so both servers get the same single core. Two measurements per
# server and call:
#   max   closed loop with wrk (Debian): every connection sends its next
#         request when the previous one is answered; req/s is the server's
#         throughput, and latency is mostly queueing (mean = connections /
#         throughput);
#   RATE  open loop with the Go generator (internal/lab/loadgen): RATE
#         requests/s in total over the same connections, latency measured
#         from each request's scheduled time.
# A SigV4 signature stays valid for 15 minutes: one signed request is
# replayed; the lab verifies its signature and evaluates the policies each
# time. moto_server accepts any credentials and enforces nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
DURATION=${DURATION:-10s}
RATE=${RATE:-5000}
CONNECTIONS=${CONNECTIONS:-200}
PIN=${PIN:-0}
BASE=${BASE:-}
CALLS=${CALLS:-GetCallerIdentity ListUsers}
MOTO=${MOTO:-1}
ROUNDS=${ROUNDS:-1}
dir=$root/.cache/bench-lab
mkdir -p "$dir"

[ "$MOTO" = 0 ] || command -v moto_server >/dev/null 2>&1 || { echo "moto_server not installed (pip install 'moto[server]')" >&2; exit 1; }
command -v wrk >/dev/null 2>&1 || { echo "wrk not installed (make deps-apt)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { # port
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1" >&2
  return 1
}
server_pin=() load_pin=()
if [ "$PIN" = 1 ] && command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  server_pin=(taskset -c 0)
  load_pin=(taskset -c "1-$(($(nproc) - 1))")
fi

CGO_ENABLED=0 go build -o bin/awsmfa ./cmd/awsmfa
go build -o "$dir/benchlab" ./internal/lab/loadgen/benchlab

[ -z "$BASE" ] || [ -x "$BASE" ] || { echo "BASE=$BASE: not an executable" >&2; exit 1; }
lab_port=$(free_port)
moto_port=$(free_port)
base_port=$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

bin/awsmfa lab init --force --scenario default --state "$dir/lab.sqlite" --dir "$dir/aws" \
  --endpoint "http://127.0.0.1:$lab_port" -o json >/dev/null
# The per-request log goes to /dev/null (it is still formatted and written).
"${server_pin[@]}" bin/awsmfa lab serve --state "$dir/lab.sqlite" --addr "127.0.0.1:$lab_port" --log none 2>/dev/null &
pids+=($!)
wait_port "$lab_port"
if [ -n "$BASE" ]; then
  # A copy of the same state: same users, same keys, same policies.
  cp "$dir/lab.sqlite" "$dir/lab-base.sqlite"
  "${server_pin[@]}" "$BASE" lab serve --state "$dir/lab-base.sqlite" --addr "127.0.0.1:$base_port" --log none 2>/dev/null &
  pids+=($!)
  wait_port "$base_port"
fi
if [ "$MOTO" != 0 ]; then
  "${server_pin[@]}" moto_server -p "$moto_port" >"$dir/moto.log" 2>&1 &
  pids+=($!)
  wait_port "$moto_port"
fi

# The same three users in moto, so ListUsers answers the same list.
[ "$MOTO" = 0 ] || for u in alice anika bob; do
  AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 HOME="$dir" \
    /usr/bin/aws --endpoint-url "http://127.0.0.1:$moto_port" iam create-user --user-name "$u" >/dev/null
done

echo "== machine"
echo "$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(go version | cut -d' ' -f3)"
echo "servers: ${server_pin[*]:-unpinned}; load: ${load_pin[*]:-unpinned}; moto $(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo '?'); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "lab: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo ' (modified)')${BASE:+; base: $BASE}"
lab=(--target "lab=http://127.0.0.1:$lab_port,profile=alice" --credentials "$dir/aws/credentials")
base=(--target "base=http://127.0.0.1:$base_port,profile=alice" --credentials "$dir/aws/credentials")
moto=(--target "moto=http://127.0.0.1:$moto_port")
calls=()
for c in $CALLS; do calls+=(--call "$c"); done

if [ "$MOTO" != 0 ]; then
  echo "== max throughput: wrk, $CONNECTIONS connections, $DURATION per server and call"
  # The lab first, then moto: an overloaded moto keeps working off its backlog
  # for seconds after the load stops and would steal the CPU from the lab.
  for t in lab moto; do
    declare -n tgt=$t
    sleep 2
    "${load_pin[@]}" "$dir/benchlab" "${tgt[@]}" "${calls[@]}" --tool wrk --connections "$CONNECTIONS" --duration "$DURATION" 2>/dev/null
  done
  echo "== fixed rate: $RATE requests/s over $CONNECTIONS connections (Go generator, open loop), $DURATION each"
  for t in lab moto; do
    declare -n tgt=$t
    "${load_pin[@]}" "$dir/benchlab" "${tgt[@]}" "${calls[@]}" --tool go --rate "$RATE" --connections "$CONNECTIONS" --duration "$DURATION" 2>/dev/null
  done
fi

if [ -n "$BASE" ]; then
  echo "== this tree (lab) against BASE (base): $ROUNDS rounds, order alternating; wrk max throughput and $RATE req/s open loop, $CONNECTIONS connections, $DURATION each"
  rm -f "$dir"/cmp-*.json
  for round in $(seq 1 "$ROUNDS"); do
    order=(lab base)
    [ $((round % 2)) = 1 ] || order=(base lab)
    for t in "${order[@]}"; do
      declare -n tgt=$t
      sleep 1
      "${load_pin[@]}" "$dir/benchlab" "${tgt[@]}" "${calls[@]}" --tool wrk --connections "$CONNECTIONS" --duration "$DURATION" --output json \
        >"$dir/cmp-$round-$t-max.json" 2>/dev/null
      "${load_pin[@]}" "$dir/benchlab" "${tgt[@]}" "${calls[@]}" --tool go --rate "$RATE" --connections "$CONNECTIONS" --duration "$DURATION" --output json \
        >"$dir/cmp-$round-$t-rate.json" 2>/dev/null
    done
  done
  python3 - "$dir" "$ROUNDS" <<'PY'
import glob, json, os, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
rows = {}  # (call, mode, target) -> [result per round]
for round_ in range(1, rounds + 1):
    for target in ("lab", "base"):
        for mode in ("max", "rate"):
            for r in json.load(open(os.path.join(d, f"cmp-{round_}-{target}-{mode}.json"))):
                rows.setdefault((r["call"], mode, target), []).append(r["result"])
ms = lambda ns: ns / 1e6
print(f"{'call':<24} {'load':>8} {'target':>6} {'req/s per round':>24} {'median':>7} {'p50 ms':>7} {'p99 ms per round':>24} {'median':>7} {'failed':>6}")
for (call, mode, target), rs in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] != "lab")):
    rps = [r["requestsPerSecond"] for r in rs]
    p99 = [ms(r["p99Ns"]) for r in rs]
    print(f"{call:<24} {mode:>8} {target:>6} {' '.join(f'{x:.0f}' for x in rps):>24} {statistics.median(rps):>7.0f} "
          f"{statistics.median(ms(r['p50Ns']) for r in rs):>7.2f} {' '.join(f'{x:.2f}' for x in p99):>24} {statistics.median(p99):>7.2f} {sum(r['failures'] for r in rs):>6}")
for call in sorted({k[0] for k in rows}):
    lab, base = rows[(call, "max", "lab")], rows[(call, "max", "base")]
    # load "max" is wrk's closed loop; the other rows are RATE req/s offered.
    ratios = [a["requestsPerSecond"] / b["requestsPerSecond"] for a, b in zip(lab, base)]
    print(f"{call} lab/base max throughput: median of medians {statistics.median(r['requestsPerSecond'] for r in lab) / statistics.median(r['requestsPerSecond'] for r in base):.2f}x; "
          f"per round {' '.join(f'{x:.2f}x' for x in ratios)}")
PY
fi
