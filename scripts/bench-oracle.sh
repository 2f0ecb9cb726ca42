#!/usr/bin/env bash
# Compares the decision throughput of awsmfa's batch simulation with the
# differential-test oracle (@cloud-copilot/iam-simulate, AGPL, test-only) on
# the same generated corpus, in the same run.
#
#   scripts/bench-oracle.sh [N]        N inputs (default 100000)
#
# The corpus is written once per N, seed and generator by TestWriteCorpus
# (internal/simulate/oracle_test.go) into .cache/bench/. Every engine reads
# the same JSON Lines:
#   - awsmfa in process: simulate.RunBatch, timed by TestCorpusRunBatch;
#   - awsmfa CLI: `awsmfa policy simulate --batch`, when the binary has it;
#   - iam-simulate: tools/oracle/oracle.mjs --bench (one node process).
# Rates are wall-clock decisions per second; the oracle also reports its rate
# per CPU second, which varies less on a shared machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
n=${1:-100000}
seed=${AWSMFA_DIFF_SEED:-20240615}
dir=$root/.cache/bench
# The generator's own hash keeps a stale corpus from being reused.
gen=$(cat internal/simulate/randgen_test.go | sha256sum | cut -c1-12)
corpus=$dir/corpus-$n-$seed-$gen.jsonl
mkdir -p "$dir"

if [ ! -s "$corpus" ]; then
  echo "writing $n inputs to $corpus" >&2
  go test ./internal/simulate -run '^TestWriteCorpus$' -count=1 \
    -corpus "$corpus" -corpus-n "$n" -corpus-seed "$seed" >&2
fi
echo "corpus: $corpus ($(wc -l <"$corpus") inputs, $(du -h "$corpus" | cut -f1), seed $seed)"

# awsmfa, in process (includes reading the corpus from memory, decoding,
# compiling with the batch policy cache, evaluating and encoding answers).
go test ./internal/simulate -run '^TestCorpusRunBatch$' -count=1 -v \
  -corpus-batch "$corpus" | grep '^RunBatch:' | sed 's/^/awsmfa simulate.RunBatch: /'

# awsmfa CLI, when this build has it.
CGO_ENABLED=0 go build -o bin/awsmfa ./cmd/awsmfa
if bin/awsmfa policy simulate --help 2>/dev/null | grep -q -- '--batch'; then
  start=$(date +%s.%N)
  bin/awsmfa policy simulate --batch <"$corpus" >/dev/null
  end=$(date +%s.%N)
  awk -v n="$n" -v s="$start" -v e="$end" \
    'BEGIN { printf "awsmfa policy simulate --batch: %d decisions in %.3f s: %.0f decisions/s\n", n, e - s, n / (e - s) }'
else
  echo "awsmfa policy simulate --batch: not in this build" >&2
fi

# iam-simulate
if ! command -v node >/dev/null 2>&1 || [ ! -d tools/oracle/node_modules/@cloud-copilot/iam-simulate ]; then
  echo "oracle not installed: run make deps-npm" >&2
  exit 1
fi
version=$(node -p 'require("./tools/oracle/node_modules/@cloud-copilot/iam-simulate/package.json").version')
node tools/oracle/oracle.mjs --bench "$n" <"$corpus" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(`iam-simulate ${process.argv[1]}: ${r.decisions} decisions in ${r.seconds} s: ${r.decisionsPerSecond} decisions/s (${r.decisionsPerCpuSecond} per CPU second); ${JSON.stringify(r.counts)}`)})' \
    "$version"
