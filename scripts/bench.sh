#!/usr/bin/env bash
# Benchmarks recorded in README.md's performance section. Every figure comes
# from this one run, on this machine, with the peer in the same run.
#
#   scripts/bench.sh            (make bench)
#
# One core: the Go benchmarks run with -cpu 1, and both batch engines are
# pinned with taskset to the same CPU, one after the other.
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
go test -run '^$' -cpu 1 -benchmem -benchtime 5x -bench 'BenchmarkRunBatch$' ./internal/simulate | grep -E '^Benchmark'

go build -o bin/awsmfa ./cmd/awsmfa
if ! command -v node >/dev/null 2>&1 || [ ! -d tools/oracle/node_modules/@cloud-copilot/iam-simulate ]; then
  echo "iam-simulate not installed: run make deps-npm" >&2
  exit 1
fi
version=$(node -p 'require("./tools/oracle/node_modules/@cloud-copilot/iam-simulate/package.json").version')

batch() { # name corpus
  local name=$1 corpus=$2 n start end
  n=$(wc -l <"$corpus")
  echo "== $name: $n lines, $(du -h "$corpus" | cut -f1)"
  start=$(date +%s.%N)
  pin env GOMAXPROCS=1 bin/awsmfa policy simulate --batch <"$corpus" >"$dir/awsmfa.out"
  end=$(date +%s.%N)
  awk -v n="$n" -v s="$start" -v e="$end" \
    'BEGIN { printf "awsmfa policy simulate --batch: %.3f s, %.0f decisions/s\n", e - s, n / (e - s) }'
  pin node tools/oracle/oracle.mjs --bench "$n" <"$corpus" >"$dir/oracle.json"
  node -e 'const r=require(process.argv[1]);console.log(`iam-simulate ${process.argv[2]}: ${r.seconds} s, ${r.decisionsPerSecond} decisions/s (${r.decisionsPerCpuSecond} per CPU second), errors ${r.counts.error||0}`)' \
    "$dir/oracle.json" "$version"
}

typical=$dir/typical-100000.jsonl
go test ./internal/simulate -run '^TestWriteTypicalCorpus$' -count=1 -typical-corpus "$typical" >/dev/null
batch "typical batch (one policy set, varied requests; BenchmarkRunBatch's input)" "$typical"

random=$dir/random-100000.jsonl
go test ./internal/simulate -run '^TestWriteCorpus$' -count=1 -corpus "$random" -corpus-n 100000 >/dev/null
batch "random differential corpus (every line its own policies and layers)" "$random"
