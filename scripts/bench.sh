#!/usr/bin/env bash
# Benchmarks recorded in README.md's performance section. Every figure comes
# from this one run, on this machine, with the peer in the same run.
#
#   scripts/bench.sh            (make bench)
#
# One core: the Go benchmarks run with -cpu 1, and both batch engines are
# pinned with taskset to the same CPU, one after the other; then awsmfa
# again with --jobs 2 on every CPU (its output must be the same).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dir=$root/.cache/bench
mkdir -p "$dir"
pin() { if command -v taskset >/dev/null 2>&1; then taskset -c 0 "$@"; else "$@"; fi; }

echo "== machine"
echo "$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(go version)"

echo "== go test -bench (one core)"
go test -run '^$' -cpu 1 -benchmem -benchtime 2s \
  -bench 'BenchmarkDecide$|BenchmarkEvaluate$' ./internal/eval | grep -E '^Benchmark'
go test -run '^$' -cpu 1 -benchmem -benchtime 2s -bench 'BenchmarkParse$' ./internal/policy | grep -E '^Benchmark'
go test -run '^$' -cpu 1 -benchmem -benchtime 5x -bench 'BenchmarkLint10000$' ./internal/lint | grep -E '^Benchmark'
go test -run '^$' -cpu 1 -benchmem -benchtime 5x -bench 'BenchmarkRunBatch$|BenchmarkRunBatchGC$|BenchmarkRunBatchRandomGC$' ./internal/simulate | grep -E '^Benchmark'

go build -o bin/awsmfa ./cmd/awsmfa
if ! command -v node >/dev/null 2>&1 || [ ! -d tools/oracle/node_modules/@cloud-copilot/iam-simulate ]; then
  echo "iam-simulate not installed: run make deps-npm" >&2
  exit 1
fi
version=$(node -p 'require("./tools/oracle/node_modules/@cloud-copilot/iam-simulate/package.json").version')

# seconds COMMAND...: run COMMAND, print its wall time in seconds.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}

batch() { # name corpus
  local name=$1 corpus=$2 n one two peer
  n=$(wc -l <"$corpus")
  echo "== $name: $n lines, $(du -h "$corpus" | cut -f1)"
  # One core: pinned, GOMAXPROCS=1, --jobs 1 (the default).
  one=$(seconds sh -c 'taskset -c 0 env GOMAXPROCS=1 "$1" policy simulate --batch <"$2" >"$3"' _ \
    "$root/bin/awsmfa" "$corpus" "$dir/awsmfa.out")
  # Every core of the machine: --jobs 2, not pinned.
  two=$(seconds sh -c '"$1" policy simulate --batch --jobs 2 <"$2" >"$3"' _ \
    "$root/bin/awsmfa" "$corpus" "$dir/awsmfa-jobs2.out")
  cmp -s "$dir/awsmfa.out" "$dir/awsmfa-jobs2.out" || { echo "--jobs 2 answered differently" >&2; exit 1; }
  pin node tools/oracle/oracle.mjs --bench "$n" <"$corpus" >"$dir/oracle.json"
  peer=$(node -p 'require(process.argv[1]).seconds' "$dir/oracle.json")
  node -e 'const r=require(process.argv[1]);console.log(`iam-simulate ${process.argv[2]}: ${r.seconds} s, ${r.decisionsPerSecond} decisions/s (${r.decisionsPerCpuSecond} per CPU second), errors ${r.counts.error||0}`)' \
    "$dir/oracle.json" "$version"
  awk -v n="$n" -v one="$one" -v two="$two" -v peer="$peer" 'BEGIN {
    printf "awsmfa policy simulate --batch (one core): %.3f s, %.0f decisions/s, %.1fx iam-simulate\n", one, n / one, peer / one
    printf "awsmfa policy simulate --batch --jobs 2: %.3f s, %.0f decisions/s, %.1fx iam-simulate\n", two, n / two, peer / two
  }'
}

typical=$dir/typical-100000.jsonl
go test ./internal/simulate -run '^TestWriteTypicalCorpus$' -count=1 -typical-corpus "$typical" >/dev/null
batch "typical batch (one policy set, varied requests; BenchmarkRunBatch's input)" "$typical"

random=$dir/random-100000.jsonl
go test ./internal/simulate -run '^TestWriteCorpus$' -count=1 -corpus "$random" -corpus-n 100000 >/dev/null
batch "random differential corpus (every line its own policies and layers)" "$random"
